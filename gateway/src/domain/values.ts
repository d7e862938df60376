// Turns API input (create, full replace or patch) into complete values, defaults applied: pure.
import { DEFAULT_CONNECT_TIMEOUT_MS, type ServerInput, type ServerPatch } from '../schemas/server.js';
import { DEFAULT_INTERVAL_SECONDS, type DialogueStepInput, type ProbeInput, type ProbePatch, type TlsSettingsInput } from '../schemas/probe.js';
import type { ScheduleInput } from '../schemas/schedule.js';
import type { ServerValues } from '../store/servers.js';
import type { ProbeValues } from '../store/probes.js';
import type { ScheduleValues } from '../store/schedules.js';
import { ValidationError } from './errors.js';
import { dialogueProblems, type FieldRuleProblem } from './field-rules.js';
import { linearRegExp } from '../probing/linear-regexp.js';

/** Who is editing and which gateway this is: the defaults that are not constants. */
export interface EditContext {
  user: string;
  gatewayId: string;
}

function withoutVersion<T extends { version?: number | undefined }>(input: T): Omit<T, 'version'> {
  const { version: _version, ...rest } = input;
  return rest;
}

/**
 * The locations a body names: `gateways`, or the one-location shorthand `gateway` of bodies and export documents from
 * before servers had several. Undefined when it names neither.
 */
function gatewaysOf(input: { gateway?: string; gateways?: string[] }): string[] | undefined {
  if (input.gateway !== undefined && input.gateways !== undefined) {
    throw new ValidationError([{ field: 'gateway', message: 'is the shorthand for one location; send gateways or gateway, not both' }]);
  }
  return input.gateways ?? (input.gateway === undefined ? undefined : [input.gateway]);
}

export function serverValues(input: ServerInput, context: EditContext): ServerValues {
  return {
    name: input.name,
    description: input.description ?? null,
    organization: input.organization ?? null,
    owner: input.owner ?? context.user,
    role: input.role ?? null,
    site: input.site ?? null,
    gateways: gatewaysOf(input) ?? [context.gatewayId],
    sharedAccount: input.sharedAccount ?? null,
    networkInterface: input.networkInterface ?? null,
    connectTimeoutMs: input.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
    enabled: input.enabled ?? true,
    thresholds: input.thresholds ?? [],
  };
}

export function patchedServerValues(current: ServerValues, patch: ServerPatch, context: EditContext): ServerValues {
  const { gateway: _shorthand, gateways: _list, ...fields } = withoutVersion(patch);
  const merged = { ...current, ...fields };
  return { ...merged, gateways: gatewaysOf(patch) ?? current.gateways, owner: merged.owner ?? context.user };
}

export function probeValues(input: ProbeInput, context: EditContext): ProbeValues {
  return {
    name: input.name,
    description: input.description ?? null,
    owner: input.owner ?? context.user,
    scheduleId: input.scheduleId ?? null,
    windowBegin: input.windowBegin ?? null,
    windowEnd: input.windowEnd ?? null,
    intervalSeconds: input.intervalSeconds ?? DEFAULT_INTERVAL_SECONDS,
    host: input.host,
    port: input.port,
    timeoutMs: input.timeoutMs ?? null,
    enabled: input.enabled ?? true,
    thresholds: input.thresholds ?? [],
    tls: tlsValues(input.tls),
    dialogue: dialogueValues(input.dialogue),
    ipVersion: input.ipVersion ?? 'auto',
  };
}

export function patchedProbeValues(current: ProbeValues, patch: ProbePatch, context: EditContext): ProbeValues {
  const { tls, dialogue, ...fields } = withoutVersion(patch);
  const merged = { ...current, ...fields };
  return {
    ...merged,
    owner: merged.owner ?? context.user,
    // A patch replaces the TLS settings or the dialogue as a whole.
    tls: tls === undefined ? current.tls : tlsValues(tls),
    dialogue: dialogue === undefined ? current.dialogue : dialogueValues(dialogue),
  };
}

/** TLS settings with every field present; null (or absent): plain TCP. */
export function tlsValues(tls: TlsSettingsInput | null | undefined): ProbeValues['tls'] {
  if (tls == null) return null;
  return { serverName: tls.serverName ?? null, verify: tls.verify ?? true, minVersion: tls.minVersion ?? null };
}

/**
 * The steps as stored, each of one kind, a send with its encoding; steps that break a rule are a 400 naming the step
 * (`dialogue[2].expect`): a step of unclear kind has no value to check the other rules on.
 */
export function dialogueValues(steps: DialogueStepInput[] | null | undefined): ProbeValues['dialogue'] {
  // No steps is no dialogue: the probe stays a plain connect check.
  if (steps == null || steps.length === 0) return null;
  const problems = dialogueProblems(steps);
  // The forms share dialogueProblems; only the gateway knows which patterns its linear-time engine takes.
  if (problems.length === 0) problems.push(...linearExpectProblems(steps));
  if (problems.length > 0) throw new ValidationError(problems);
  return steps.map((step) => {
    if (step.send !== undefined) return { send: step.send, encoding: step.encoding ?? 'utf8' };
    if (step.expect !== undefined) return { expect: step.expect };
    return { startTls: true as const };
  });
}

function linearExpectProblems(steps: DialogueStepInput[]): FieldRuleProblem[] {
  const problems: FieldRuleProblem[] = [];
  steps.forEach((step, index) => {
    if (step.expect === undefined) return;
    try {
      linearRegExp(step.expect);
    } catch (error) {
      problems.push({ field: `dialogue[${index}].expect`, message: `must be a regular expression that ${(error as Error).message}` });
    }
  });
  return problems;
}

export function scheduleValues(input: ScheduleInput): ScheduleValues {
  return {
    name: input.name,
    description: input.description ?? null,
    timeZone: input.timeZone,
    windows: input.windows ?? [],
    exclusions: input.exclusions ?? [],
  };
}

/** The configurable part of a stored object, for patching it. */
export function pick<T extends object, K extends keyof T>(object: T, keys: readonly K[]): Pick<T, K> {
  return Object.fromEntries(keys.map((key) => [key, object[key]])) as Pick<T, K>;
}

export const SERVER_VALUE_KEYS = [
  'name', 'description', 'organization', 'owner', 'role', 'site', 'gateways', 'sharedAccount', 'networkInterface',
  'connectTimeoutMs', 'enabled', 'thresholds',
] as const satisfies readonly (keyof ServerValues)[];

export const PROBE_VALUE_KEYS = [
  'name', 'description', 'owner', 'scheduleId', 'windowBegin', 'windowEnd', 'intervalSeconds', 'host', 'port', 'timeoutMs',
  'enabled', 'thresholds', 'tls', 'dialogue', 'ipVersion',
] as const satisfies readonly (keyof ProbeValues)[];
