// Which thresholds apply to which probe: the built-in default, then the server's, then the probe's own, by kind and level.
import type { Threshold } from '../schemas/threshold.js';
import type { AlertingProbe, AlertingServer } from './types.js';

export type ThresholdKind = Threshold['kind'];
export type ThresholdLevel = Threshold['level'];

/** Where an effective threshold comes from; the rules of a server serve every probe that does not bring its own. */
export type ThresholdSource = 'default' | 'server' | 'probe';

export interface SourcedThreshold {
  threshold: Threshold;
  source: ThresholdSource;
}

/**
 * Every probe has this availability monitor unless its server or itself sets an availability threshold:
 * critical once the probe has failed two checks in a row and has stayed down five minutes after that. Two checks,
 * because one lost SYN is not an outage; five minutes, because a probe checked every few seconds would otherwise
 * page on a blip. Each probe pages five minutes after its own second failed check, whatever its neighbours' intervals.
 */
export const DEFAULT_THRESHOLD: Readonly<Threshold> = Object.freeze({ kind: 'availability', level: 'critical', for: '5m', consecutiveChecks: 2 });

/** availabilityRatio without a window. */
export const DEFAULT_RATIO_WINDOW = '1h';

/** Rule order: stable, so that the same configuration always gives the same payloads. */
const KIND_ORDER: Record<ThresholdKind, number> = { availability: 0, availabilityRatio: 1, connectTime: 2 };
const LEVEL_ORDER: Record<ThresholdLevel, number> = { warning: 0, critical: 1 };

export function thresholdKey(threshold: Pick<Threshold, 'kind' | 'level'>): string {
  return `${threshold.kind}/${threshold.level}`;
}

/**
 * What the server's own rules check: its thresholds, plus the default when it sets no availability threshold.
 * A server that sets availability thresholds gets exactly those: a default critical page after 5 minutes must not
 * overtake the warning it asked for after 10.
 */
export function serverThresholds(server: Pick<AlertingServer, 'thresholds'>): SourcedThreshold[] {
  return withDefault(server.thresholds.map((threshold) => ({ threshold, source: 'server' })));
}

/**
 * Everything that applies to one probe: its own thresholds, the server's of the other kinds and levels, and the
 * default when neither sets an availability threshold (so a probe with its own availability warning is not also
 * paged by the default).
 */
export function probeThresholds(server: Pick<AlertingServer, 'thresholds'>, probe: Pick<AlertingProbe, 'thresholds'>): SourcedThreshold[] {
  const own = new Set(probe.thresholds.map(thresholdKey));
  return withDefault([
    ...server.thresholds.filter((threshold) => !own.has(thresholdKey(threshold))).map((threshold) => ({ threshold, source: 'server' as const })),
    ...probe.thresholds.map((threshold) => ({ threshold, source: 'probe' as const })),
  ]);
}

export interface EffectiveThresholds<P> {
  /** The server's rule set: what every probe of the server follows unless it brings its own. */
  server: SourcedThreshold[];
  /** Per probe, everything that applies to it. */
  probes: { probe: P; thresholds: SourcedThreshold[] }[];
}

export function effectiveThresholds<P extends Pick<AlertingProbe, 'thresholds'>>(
  server: Pick<AlertingServer, 'thresholds'>,
  probes: readonly P[],
): EffectiveThresholds<P> {
  return {
    server: serverThresholds(server),
    probes: probes.map((probe) => ({ probe, thresholds: probeThresholds(server, probe) })),
  };
}

/**
 * Whether a server-level threshold covers the probe. It does not when the probe sets the same kind and level, nor,
 * for the default, when the probe sets any availability threshold: the probe's rules then speak for it.
 */
export function follows(probeEffective: readonly SourcedThreshold[], serverThreshold: SourcedThreshold): boolean {
  return probeEffective.some((entry) => entry.source !== 'probe' && entry.threshold === serverThreshold.threshold);
}

function withDefault(thresholds: SourcedThreshold[]): SourcedThreshold[] {
  const all = thresholds.some((entry) => entry.threshold.kind === 'availability')
    ? thresholds
    : [...thresholds, { threshold: DEFAULT_THRESHOLD, source: 'default' as const }];
  return all.toSorted((a, b) => KIND_ORDER[a.threshold.kind] - KIND_ORDER[b.threshold.kind] || LEVEL_ORDER[a.threshold.level] - LEVEL_ORDER[b.threshold.level]);
}

/**
 * How many locations must see a probe down before its availability threshold alerts: the threshold's
 * minFailingLocations, else 1 for a server on one gateway and a majority of its gateways otherwise (2 of 3, 3 of 4),
 * so that one location's network cannot page the service's team. Not capped at the count: validation refuses more.
 */
export function quorumOf(threshold: Pick<Threshold, 'minFailingLocations'>, gatewayCount: number): number {
  return threshold.minFailingLocations ?? (gatewayCount <= 1 ? 1 : Math.floor(gatewayCount / 2) + 1);
}
