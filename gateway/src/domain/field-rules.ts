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

/** SNI and the name a probe's certificate must carry: a DNS name, never an IP literal. */
export const SERVER_NAME_RULE = { minLength: 1, maxLength: 253, pattern: '^[A-Za-z0-9.-]+$', rule: 'be a DNS name (RFC 1123)' } satisfies TextRule;

/** A send/expect dialogue: bounded so one probe cannot make the gateway send or buffer much. */
export const DIALOGUE_MAX_STEPS = 16;
export const SEND_MAX_BYTES = 4096;
export const EXPECT_MAX_LENGTH = 1024;

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

/** The shape of a dialogue step as a form or a body may send it: each field optional, exactly one kind expected. */
export interface DialogueStepFields {
  send?: string;
  encoding?: 'utf8' | 'hex';
  expect?: string;
  startTls?: boolean;
}

/**
 * What is wrong with the steps of a dialogue, each problem naming its step (`dialogue[2].expect`): exactly one of send,
 * expect and startTls a step; a send at most SEND_MAX_BYTES once encoded (hex: an even number of hex digits); an expect
 * a regular expression that compiles; at most one startTls step.
 */
export function dialogueProblems(steps: readonly DialogueStepFields[], field = 'dialogue'): FieldRuleProblem[] {
  const problems: FieldRuleProblem[] = [];
  if (steps.length > DIALOGUE_MAX_STEPS) problems.push({ field, message: `must have at most ${DIALOGUE_MAX_STEPS} steps` });
  let startTlsAt = -1;
  steps.forEach((step, index) => {
    const at = `${field}[${index}]`;
    const kinds = (['send', 'expect', 'startTls'] as const).filter((kind) => step[kind] !== undefined);
    if (kinds.length !== 1) {
      problems.push({ field: at, message: `must have exactly one of send, expect or startTls${kinds.length > 1 ? `, not ${kinds.join(' and ')}` : ''}` });
      return;
    }
    if (step.encoding !== undefined && step.send === undefined) problems.push({ field: `${at}.encoding`, message: 'applies only to a send step' });
    if (step.send !== undefined) {
      const problem = sendProblem(step.send, step.encoding ?? 'utf8');
      if (problem !== null) problems.push({ field: `${at}.send`, message: problem });
    } else if (step.expect !== undefined) {
      const problem = expectProblem(step.expect);
      if (problem !== null) problems.push({ field: `${at}.expect`, message: problem });
    } else if (step.startTls !== true) {
      problems.push({ field: `${at}.startTls`, message: 'must be true' });
    } else if (startTlsAt >= 0) {
      problems.push({ field: `${at}.startTls`, message: `may appear once; step ${startTlsAt} already upgrades the connection` });
    } else {
      startTlsAt = index;
    }
  });
  return problems;
}

function sendProblem(text: string, encoding: 'utf8' | 'hex'): string | null {
  if (text.length === 0) return 'must not be empty';
  if (encoding === 'hex') {
    if (!/^([0-9a-fA-F]{2})+$/.test(text)) return 'must be an even number of hex digits (0-9, a-f) with encoding hex';
    return text.length / 2 > SEND_MAX_BYTES ? `must be at most ${SEND_MAX_BYTES} bytes (it is ${text.length / 2})` : null;
  }
  const bytes = new TextEncoder().encode(text).length;
  return bytes > SEND_MAX_BYTES ? `must be at most ${SEND_MAX_BYTES} bytes in UTF-8 (it is ${bytes})` : null;
}

function expectProblem(pattern: string): string | null {
  if (pattern.length === 0) return 'must not be empty (.* accepts any line)';
  if (pattern.length > EXPECT_MAX_LENGTH) return maxLengthMessage(EXPECT_MAX_LENGTH);
  try {
    new RegExp(pattern);
    return null;
  } catch (error) {
    return `must be a valid regular expression: ${(error as Error).message}`;
  }
}

/** "4" or "6" of an IP literal, null for a name; the host has passed HOST_RULE (a colon only in IPv6 literals). */
export function literalFamily(host: string): '4' | '6' | null {
  if (host.includes(':')) return '6';
  return /^[0-9]{1,3}(\.[0-9]{1,3}){3}$/.test(host) ? '4' : null;
}

/** A probe that connects over one family cannot target a literal of the other. */
export function ipVersionProblem(host: string, ipVersion: 'auto' | '4' | '6'): FieldRuleProblem | null {
  const family = literalFamily(host);
  if (ipVersion === 'auto' || family === null || family === ipVersion) return null;
  return { field: 'ipVersion', message: `must be "auto" or "${family}" for the IPv${family} address ${host}` };
}
