// The rules a server's and a probe's fields follow, and the words the API says them in: one definition for the
// gateway's schemas and 400 messages and for the plugin's forms, which bundle this module. Pure, no imports.

export interface Range {
  minimum: number;
  maximum: number;
}

/** A text rule; `rule` is the pattern in words, said as "must <rule>". */
export interface TextRule {
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  rule?: string;
}

/** A server's connect timeout unless set; a probe without its own timeout inherits it. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 2000;
export const DEFAULT_INTERVAL_SECONDS = 300;

export const PORT_RANGE: Range = { minimum: 1, maximum: 65535 };
/** A probe's own timeout and a server's connect timeout. */
export const TIMEOUT_MS_RANGE: Range = { minimum: 100, maximum: 60000 };
export const INTERVAL_SECONDS_RANGE: Range = { minimum: 1, maximum: 86400 };

export const DESCRIPTION_MAX_LENGTH = 1024;
/** Owner, organization, shared account. */
export const SHORT_TEXT_MAX_LENGTH = 128;

export const NAME_RULE = { minLength: 1, maxLength: 128, pattern: '^\\S(.*\\S)?$', rule: 'be 1-128 characters without leading or trailing spaces' } satisfies TextRule;

/** RFC 1123 host name or an IPv4/IPv6 literal; the gateway confirms the literal forms in code (net.isIP). */
export const HOST_RULE = { minLength: 1, maxLength: 253, pattern: '^[A-Za-z0-9.:_%-]+$', rule: 'be a DNS name (RFC 1123) or an IPv4/IPv6 address' } satisfies TextRule;

export const HH_MM_RULE = { pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$', rule: 'be a time of day HH:MM between 00:00 and 23:59' } satisfies TextRule;

/** A server's role and site. */
export const LABEL_RULE = { maxLength: 64, pattern: '^[A-Za-z0-9_.:/ -]*$', rule: 'be at most 64 letters, digits, spaces or _ . : / -' } satisfies TextRule;

export const GATEWAY_NAME_RULE = {
  minLength: 1,
  maxLength: 64,
  pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]*$',
  rule: 'start with a letter or digit and contain only letters, digits, _ . or -',
} satisfies TextRule;

/** How many gateways (locations) one server may run from. */
export const GATEWAYS_RANGE: Range = { minimum: 1, maximum: 16 };

export const NETWORK_INTERFACE_RULE = {
  minLength: 1,
  maxLength: 64,
  pattern: '^[A-Za-z0-9_.:%@-]+$',
  rule: 'be an interface name such as eth0 or a local IP address',
} satisfies TextRule;

// The API's words for a broken rule; a 400 names the field before them ("port must be between 1 and 65535").

export const betweenMessage = ({ minimum, maximum }: Range): string => `must be between ${minimum} and ${maximum}`;
export const atLeastMessage = (limit: number): string => `must be at least ${limit}`;
export const atMostMessage = (limit: number): string => `must be at most ${limit}`;
export const minLengthMessage = (limit: number): string => (limit === 1 ? 'must not be empty' : `must be at least ${limit} characters`);
export const maxLengthMessage = (limit: number): string => `must be at most ${limit} characters`;
export const ruleMessage = (rule: string): string => `must ${rule}`;
const article = (type: string) => (/^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`);
/** `orNull`: the field also takes null, as a probe's timeoutMs does. */
export const typeMessage = (type: string, orNull = false): string => `must be ${article(type)}${orNull ? ' or null' : ''}`;

/** A problem with one field, as a 400 lists it. */
export interface FieldRuleProblem {
  field: string;
  message: string;
}

/** A daily window needs both ends or neither; the missing end is the field at fault. */
export function windowPairProblem(windowBegin: string | null, windowEnd: string | null): FieldRuleProblem | null {
  if ((windowBegin === null) === (windowEnd === null)) return null;
  return { field: windowBegin === null ? 'windowBegin' : 'windowEnd', message: 'is required when the other end of the time window is set' };
}

/**
 * A check must end before the next one is due. With its own timeout the timeout is at fault; a probe that inherits
 * its server's connect timeout can only fix it by its interval.
 */
export function timeoutIntervalProblem(timeoutMs: number | null, intervalSeconds: number, serverConnectTimeoutMs: number): FieldRuleProblem | null {
  const effectiveMs = timeoutMs ?? serverConnectTimeoutMs;
  // Negated so that a number not filled in yet (NaN in a form) is no conflict.
  if (!(effectiveMs >= intervalSeconds * 1000)) return null;
  return timeoutMs === null
    ? { field: 'intervalSeconds', message: `must be longer than the server's connect timeout (${effectiveMs} ms) that this probe inherits` }
    : { field: 'timeoutMs', message: `must be below the interval (${intervalSeconds * 1000} ms)` };
}
