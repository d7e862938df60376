// Rule UIDs derived from ids, so applying the same configuration twice changes nothing in Grafana.
import type { ThresholdKind, ThresholdLevel } from './thresholds.js';

/** Every rule this product manages starts with it, so drift checks can tell ours from hand-made rules. */
export const RULE_UID_PREFIX = 'probekit-';

/** Grafana's limits on a rule UID. */
export const RULE_UID_MAX_LENGTH = 40;
export const RULE_UID_PATTERN = /^[a-zA-Z0-9-_]+$/;

/** Short codes keep "probekit-p<16-digit id>-connect-warn" within 40 characters. */
const KIND_CODE: Record<ThresholdKind, string> = { availability: 'down', availabilityRatio: 'ratio', connectTime: 'connect', certExpiry: 'cert' };
const LEVEL_CODE: Record<ThresholdLevel, string> = { warning: 'warn', critical: 'crit' };

export type RuleOwner = { serverId: number } | { probeId: number };

/** A server's rule (it watches the probes that follow the server) or a probe's own rule. */
export function thresholdRuleUid(owner: RuleOwner, kind: ThresholdKind, level: ThresholdLevel): string {
  const id = 'probeId' in owner ? `p${owner.probeId}` : `s${owner.serverId}`;
  return `${RULE_UID_PREFIX}${id}-${KIND_CODE[kind]}-${LEVEL_CODE[level]}`;
}

export const GATEWAY_DOWN_RULE_UID = `${RULE_UID_PREFIX}gateway-down`;
export const GATEWAY_SATURATED_RULE_UID = `${RULE_UID_PREFIX}gateway-saturated`;

/** Characters of the gateway's hash in a path rule's UID: 36^6 values keep 16 locations of a server apart. */
const GATEWAY_HASH_LENGTH = 6;

/**
 * The TcpProbePathDown rule of one location: the availability rule's UID and a hash of the gateway's name (a name may
 * be 64 characters, a UID only 40). Only ids of 14 digits and more shorten the hash, to what still fits.
 */
export function pathRuleUid(availabilityRuleUid: string, gateway: string): string {
  const room = RULE_UID_MAX_LENGTH - availabilityRuleUid.length - 1;
  return `${availabilityRuleUid}-${gatewayHash(gateway).slice(0, Math.min(GATEWAY_HASH_LENGTH, room))}`;
}

/** FNV-1a (32 bit) of the name, in base 36: stable across releases and engines, unlike a position in a list. */
function gatewayHash(gateway: string): string {
  let hash = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(gateway)) hash = Math.imul(hash ^ byte, 0x01000193) >>> 0;
  return (hash % 36 ** GATEWAY_HASH_LENGTH).toString(36).padStart(GATEWAY_HASH_LENGTH, '0');
}
