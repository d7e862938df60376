// Rules that span fields or need facts from the store; the schemas have already checked each field alone. Pure.
import type { FieldProblem } from '../schemas/common.js';
import type { Threshold } from '../schemas/threshold.js';
import type { ServerValues } from '../store/servers.js';
import type { ProbeValues } from '../store/probes.js';
import type { ScheduleValues } from '../store/schedules.js';
import { isIP } from 'node:net';
import { isValidTimeZone } from '../probing/windows.js';
import type { IpVersion, TlsSettings } from '../probing/types.js';
import { isValidHost, type TargetAllowlist } from './targets.js';
import { SERVER_NAME_RULE, ipVersionProblem, ruleMessage, timeoutIntervalProblem, windowPairProblem } from './field-rules.js';

/**
 * `gatewayCount`: how many locations the probes run from; a quorum above it could never be met. Unknown (undefined)
 * only where no server is at hand.
 */
export function thresholdProblems(thresholds: readonly Threshold[], gatewayCount?: number, field = 'thresholds'): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const seen = new Set<string>();
  thresholds.forEach((threshold, index) => {
    const at = `${field}[${index}]`;
    const key = `${threshold.kind}/${threshold.level}`;
    if (seen.has(key)) problems.push({ field: at, message: `repeats kind ${threshold.kind} at level ${threshold.level}; keep one` });
    seen.add(key);
    if (threshold.kind === 'availabilityRatio') {
      if (threshold.value === undefined || threshold.value <= 0 || threshold.value > 100) {
        problems.push({ field: `${at}.value`, message: 'must be a percentage above 0 and at most 100 for availabilityRatio' });
      }
    } else if (threshold.kind === 'connectTime') {
      if (threshold.value === undefined || threshold.value <= 0 || threshold.value > 60000) {
        problems.push({ field: `${at}.value`, message: 'must be milliseconds above 0 and at most 60000 for connectTime' });
      }
    } else if (threshold.kind === 'certExpiry') {
      if (threshold.value === undefined || threshold.value <= 0 || threshold.value > 3650) {
        problems.push({ field: `${at}.value`, message: 'must be days above 0 and at most 3650 for certExpiry' });
      }
    } else if (threshold.value !== undefined) {
      problems.push({ field: `${at}.value`, message: 'is not used by kind availability; leave it out' });
    }
    if (threshold.window !== undefined && threshold.kind !== 'availabilityRatio') {
      problems.push({ field: `${at}.window`, message: 'applies only to kind availabilityRatio' });
    }
    if (threshold.consecutiveChecks !== undefined && threshold.kind !== 'availability') {
      problems.push({ field: `${at}.consecutiveChecks`, message: 'applies only to kind availability' });
    }
    if (threshold.minFailingLocations !== undefined) {
      if (threshold.kind !== 'availability') {
        problems.push({ field: `${at}.minFailingLocations`, message: 'applies only to kind availability' });
      } else if (gatewayCount !== undefined && threshold.minFailingLocations > gatewayCount) {
        problems.push({ field: `${at}.minFailingLocations`, message: `must be at most ${gatewayCount}: the server runs from ${locationsText(gatewayCount)}` });
      }
    }
  });
  return problems;
}

const locationsText = (count: number) => (count === 1 ? '1 gateway' : `${count} gateways`);

export interface ServerFacts {
  /** Smallest intervalSeconds among the server's probes that inherit its connect timeout. */
  shortestInheritingIntervalSeconds: number | null;
  /** The server's probe with the highest minFailingLocations of its own, if any sets one. */
  highestProbeQuorum?: { probe: string; minFailingLocations: number } | null;
}

export function serverProblems(values: ServerValues, facts: ServerFacts): FieldProblem[] {
  const problems = thresholdProblems(values.thresholds, values.gateways.length);
  const quorum = facts.highestProbeQuorum;
  if (quorum && quorum.minFailingLocations > values.gateways.length) {
    problems.push({
      field: 'gateways',
      message: `must name at least ${quorum.minFailingLocations} gateways: probe "${quorum.probe}" alerts when ${quorum.minFailingLocations} locations see it down (its minFailingLocations)`,
    });
  }
  const interval = facts.shortestInheritingIntervalSeconds;
  if (interval !== null && values.connectTimeoutMs >= interval * 1000) {
    problems.push({
      field: 'connectTimeoutMs',
      message: `must be below ${interval * 1000} ms: probes of this server without their own timeout run every ${interval} s`,
    });
  }
  return problems;
}

export interface ProbeFacts {
  serverConnectTimeoutMs: number;
  /** How many locations the probe's server runs from. */
  serverGatewayCount: number;
  scheduleExists: (id: number) => boolean;
  allowlist: TargetAllowlist;
}

export function probeProblems(values: ProbeValues, facts: ProbeFacts): FieldProblem[] {
  const problems: FieldProblem[] = [];
  if (!isValidHost(values.host)) {
    problems.push({ field: 'host', message: 'must be a DNS name (RFC 1123: letters, digits and hyphens, labels of 1-63) or an IPv4/IPv6 address' });
  } else if (facts.allowlist.verdict(values.host) === 'denied') {
    problems.push({ field: 'host', message: `"${values.host}" is outside the targets this gateway may probe (GATEWAY_ALLOWED_TARGETS=${facts.allowlist.spec})` });
  }
  const crossField = [
    windowPairProblem(values.windowBegin, values.windowEnd),
    timeoutIntervalProblem(values.timeoutMs, values.intervalSeconds, facts.serverConnectTimeoutMs),
  ];
  problems.push(...crossField.filter((problem) => problem !== null));
  problems.push(...deepCheckProblems(values));
  if (values.scheduleId !== null && !facts.scheduleExists(values.scheduleId)) {
    problems.push({ field: 'scheduleId', message: `refers to schedule ${values.scheduleId}, which does not exist` });
  }
  problems.push(...thresholdProblems(values.thresholds, facts.serverGatewayCount));
  return problems;
}

/**
 * The rules of a probe's (or a Test connection's) TLS settings and IP version beyond their schemas: a server name is
 * a DNS name, never an IP literal; an IP version that matches the literal host. The dialogue is checked as it becomes
 * a value (dialogueValues).
 */
export function deepCheckProblems(values: { host: string; tls: TlsSettings | null; ipVersion: IpVersion }): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const serverName = values.tls?.serverName;
  if (serverName != null && (isIP(serverName) !== 0 || !isValidHost(serverName))) {
    problems.push({ field: 'tls.serverName', message: `${ruleMessage(SERVER_NAME_RULE.rule)}, not an IP address: labels of 1-63 letters, digits and hyphens` });
  }
  const family = isValidHost(values.host) ? ipVersionProblem(values.host, values.ipVersion) : null;
  if (family !== null) problems.push(family);
  return problems;
}

/** The probe with the highest minFailingLocations among `probes`' own thresholds; null when none sets one. */
export function highestProbeQuorum(probes: readonly { name: string; thresholds: readonly Threshold[] }[]): ServerFacts['highestProbeQuorum'] {
  let highest: ServerFacts['highestProbeQuorum'] = null;
  for (const probe of probes) {
    for (const threshold of probe.thresholds) {
      const value = threshold.minFailingLocations;
      if (value !== undefined && (!highest || value > highest.minFailingLocations)) highest = { probe: probe.name, minFailingLocations: value };
    }
  }
  return highest;
}

export function scheduleProblems(values: ScheduleValues): FieldProblem[] {
  const problems: FieldProblem[] = [];
  if (!isValidTimeZone(values.timeZone)) {
    problems.push({ field: 'timeZone', message: `"${values.timeZone}" is not an IANA time zone (e.g. Europe/Berlin, UTC)` });
  }
  values.exclusions.forEach((date, index) => {
    // The pattern allows 2026-02-31; a real calendar date round-trips through Date.
    if (new Date(`${date}T00:00:00Z`).toISOString().slice(0, 10) !== date) {
      problems.push({ field: `exclusions[${index}]`, message: `"${date}" is not a calendar date` });
    }
  });
  return problems;
}

