// Rule UIDs derived from ids, so applying the same configuration twice changes nothing in Grafana.
import type { ThresholdKind, ThresholdLevel } from './thresholds.js';

/** Every rule this product manages starts with it, so drift checks can tell ours from hand-made rules. */
export const RULE_UID_PREFIX = 'probekit-';

/** Grafana's limits on a rule UID. */
export const RULE_UID_MAX_LENGTH = 40;
export const RULE_UID_PATTERN = /^[a-zA-Z0-9-_]+$/;

/** Short codes keep "probekit-p<16-digit id>-connect-warn" within 40 characters. */
const KIND_CODE: Record<ThresholdKind, string> = { availability: 'down', availabilityRatio: 'ratio', connectTime: 'connect' };
const LEVEL_CODE: Record<ThresholdLevel, string> = { warning: 'warn', critical: 'crit' };

export type RuleOwner = { serverId: number } | { probeId: number };

/** A server's rule (it watches the probes that follow the server) or a probe's own rule. */
export function thresholdRuleUid(owner: RuleOwner, kind: ThresholdKind, level: ThresholdLevel): string {
  const id = 'probeId' in owner ? `p${owner.probeId}` : `s${owner.serverId}`;
  return `${RULE_UID_PREFIX}${id}-${KIND_CODE[kind]}-${LEVEL_CODE[level]}`;
}

export const GATEWAY_DOWN_RULE_UID = `${RULE_UID_PREFIX}gateway-down`;
export const GATEWAY_SATURATED_RULE_UID = `${RULE_UID_PREFIX}gateway-saturated`;
