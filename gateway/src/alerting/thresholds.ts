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

/**
 * Every probe that uses TLS has these certificate-expiry monitors, each unless its server or itself sets certExpiry at
 * that level: a warning two weeks ahead (time to renew in working hours, also through a slow change process) and a
 * critical alert three days ahead (automatic renewal has failed; a weekend fits in before it expires).
 */
export const DEFAULT_CERT_EXPIRY_THRESHOLDS: readonly Readonly<Threshold>[] = Object.freeze([
  Object.freeze<Threshold>({ kind: 'certExpiry', level: 'warning', value: 14 }),
  Object.freeze<Threshold>({ kind: 'certExpiry', level: 'critical', value: 3 }),
]);

/** availabilityRatio without a window. */
export const DEFAULT_RATIO_WINDOW = '1h';

/** Rule order: stable, so that the same configuration always gives the same payloads. */
const KIND_ORDER: Record<ThresholdKind, number> = { availability: 0, availabilityRatio: 1, connectTime: 2, certExpiry: 3 };
const LEVEL_ORDER: Record<ThresholdLevel, number> = { warning: 0, critical: 1 };

export function thresholdKey(threshold: Pick<Threshold, 'kind' | 'level'>): string {
  return `${threshold.kind}/${threshold.level}`;
}

/** A TLS handshake after the connect or at a startTls step of the dialogue: the probe has a certificate to watch. */
export function usesTls(probe: Pick<AlertingProbe, 'tls' | 'dialogue'>): boolean {
  return (probe.tls ?? null) !== null || (probe.dialogue ?? []).some((step) => 'startTls' in step);
}

/**
 * What the server's own rules check: its thresholds, plus the default when it sets no availability threshold.
 * A server that sets availability thresholds gets exactly those: a default critical page after 5 minutes must not
 * overtake the warning it asked for after 10. The certExpiry defaults are there while any of `probes` (its probes)
 * uses TLS: a server of plain probes has no certificate to watch, and no rule for one.
 */
export function serverThresholds(server: Pick<AlertingServer, 'thresholds'>, probes: readonly Pick<AlertingProbe, 'tls' | 'dialogue'>[] = []): SourcedThreshold[] {
  return withDefaults(server.thresholds.map((threshold) => ({ threshold, source: 'server' })), probes.some(usesTls));
}

/**
 * Everything that applies to one probe: its own thresholds, the server's of the other kinds and levels, and the
 * default when neither sets an availability threshold (so a probe with its own availability warning is not also
 * paged by the default). The server's certExpiry thresholds and the certExpiry defaults apply only to a probe that
 * uses TLS; its own apply as it sets them.
 */
export function probeThresholds(
  server: Pick<AlertingServer, 'thresholds'>,
  probe: Pick<AlertingProbe, 'thresholds' | 'tls' | 'dialogue'>,
): SourcedThreshold[] {
  const own = new Set(probe.thresholds.map(thresholdKey));
  const tls = usesTls(probe);
  return withDefaults([
    ...server.thresholds
      .filter((threshold) => !own.has(thresholdKey(threshold)) && (tls || threshold.kind !== 'certExpiry'))
      .map((threshold) => ({ threshold, source: 'server' as const })),
    ...probe.thresholds.map((threshold) => ({ threshold, source: 'probe' as const })),
  ], tls);
}

export interface EffectiveThresholds<P> {
  /** The server's rule set: what every probe of the server follows unless it brings its own. */
  server: SourcedThreshold[];
  /** Per probe, everything that applies to it. */
  probes: { probe: P; thresholds: SourcedThreshold[] }[];
}

export function effectiveThresholds<P extends Pick<AlertingProbe, 'thresholds' | 'tls' | 'dialogue'>>(
  server: Pick<AlertingServer, 'thresholds'>,
  probes: readonly P[],
): EffectiveThresholds<P> {
  return {
    server: serverThresholds(server, probes),
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

/**
 * Whether the probe brings its own rule in place of a server-level threshold, so that the server's rule must leave it
 * out. A certExpiry threshold does not concern a probe without TLS: the probe neither follows nor overrides it.
 */
export function overrides(
  probe: Pick<AlertingProbe, 'tls' | 'dialogue'>,
  probeEffective: readonly SourcedThreshold[],
  serverThreshold: SourcedThreshold,
): boolean {
  if (serverThreshold.threshold.kind === 'certExpiry' && !usesTls(probe)) return false;
  return !follows(probeEffective, serverThreshold);
}

function withDefaults(thresholds: SourcedThreshold[], tls: boolean): SourcedThreshold[] {
  const set = new Set(thresholds.map((entry) => thresholdKey(entry.threshold)));
  const defaults = [
    ...(thresholds.some((entry) => entry.threshold.kind === 'availability') ? [] : [DEFAULT_THRESHOLD]),
    // Per level: a server that moves the warning to 30 days keeps the critical default of 3.
    ...(tls ? DEFAULT_CERT_EXPIRY_THRESHOLDS.filter((threshold) => !set.has(thresholdKey(threshold))) : []),
  ];
  const all = [...thresholds, ...defaults.map((threshold) => ({ threshold, source: 'default' as const }))];
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
