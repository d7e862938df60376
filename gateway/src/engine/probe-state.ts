// Why a probe is up, down, without data or disabled, and when a placement earns a check at once: pure decisions.
import type { CheckRequest } from '../probing/types.js';
import type { ProbeStatus } from '../schemas/check.js';

export type ProbeState = ProbeStatus['state'];
export type NoDataReason = NonNullable<ProbeStatus['reason']>;

/** What the engine knows about a probe at one of its locations (gateways) at one instant. */
export interface StateFacts {
  probeEnabled: boolean;
  serverEnabled: boolean;
  /** The location is this gateway, and the probe is scheduled here (else the location's agent runs it). */
  local: boolean;
  /** The location's gateway was seen recently (this gateway always is). */
  gatewayOnline: boolean;
  /** Its window and schedule are open now. */
  windowOpen: boolean;
  /** It may run now: the window is open and no hand-over holds it back; at another gateway's location, as it reported. */
  inWindow: boolean;
  /** The latest result's availability, or null without a result. */
  available: boolean | null;
}

/**
 * The state and, unless it is up or down, the reason. Disabled comes first (nothing runs), then an offline gateway
 * (its stored result is stale, so it is not shown as up or down), then a closed window, then a missing first result.
 */
export function explainState(facts: StateFacts): { state: ProbeState; reason: NoDataReason | null } {
  if (!facts.probeEnabled) return { state: 'disabled', reason: 'disabled' };
  if (!facts.serverEnabled) return { state: 'disabled', reason: 'server_disabled' };
  if (!facts.local && !facts.gatewayOnline) return { state: 'nodata', reason: 'gateway_offline' };
  if (!facts.windowOpen) return { state: 'nodata', reason: 'outside_window' };
  if (!facts.inWindow || facts.available === null) return { state: 'nodata', reason: 'not_checked_yet' };
  return { state: facts.available ? 'up' : 'down', reason: null };
}

/**
 * A newly runnable probe gets its check at once only if it (or its server) was saved since the engine started, give
 * or take this much clock difference to the control plane: an agent that starts with an empty store and receives
 * 50,000 old probes runs them on their slots, not all at once.
 */
export const SAVED_SINCE_START_SKEW_MS = 60_000;

/** What decides whether a placement gets a check at once (epoch ms throughout). */
export interface PlacementFacts {
  /** What the probe checked until now on this gateway; null when it did not run here. */
  previous: CheckRequest | null;
  next: CheckRequest;
  probeSavedAt: number;
  serverSavedAt: number;
  /** When its server last moved to this gateway; null when it did not. */
  movedHereAt: number | null;
  engineStartedAt: number;
}

/**
 * A check at once for a first result: when the target changed, or when the probe newly runs here because it was
 * created or enabled (it or its server), or its server gained this location, since the engine started. Not for a
 * location moved here with the probe as it was: the old gateway ran its slots until the hand-over instant and this
 * one takes over from its next slot, so there is neither a gap nor a double run.
 */
export function wantsCheckAtOnce(facts: PlacementFacts): boolean {
  if (facts.previous !== null) return !sameTarget(facts.previous, facts.next);
  if (facts.movedHereAt !== null && facts.movedHereAt >= facts.probeSavedAt) return false;
  return Math.max(facts.probeSavedAt, facts.serverSavedAt) >= facts.engineStartedAt - SAVED_SINCE_START_SKEW_MS;
}

/** Whether two checks go to the same place the same way: what a "target change" is, for the check at once. */
export function sameTarget(a: CheckRequest, b: CheckRequest): boolean {
  return a.host === b.host && a.port === b.port && a.timeoutMs === b.timeoutMs && (a.networkInterface ?? null) === (b.networkInterface ?? null)
    && (a.ipVersion ?? 'auto') === (b.ipVersion ?? 'auto') && sameJson(a.tls, b.tls) && sameJson(a.dialogue, b.dialogue);
}

/** TLS settings and dialogues are small values built in one key order (domain/values.ts); absent is none. */
function sameJson(a: unknown, b: unknown): boolean {
  return (a ?? null) === (b ?? null) || JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}
