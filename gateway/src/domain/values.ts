// Turns API input (create, full replace or patch) into complete values, defaults applied: pure.
import { DEFAULT_CONNECT_TIMEOUT_MS, type ServerInput, type ServerPatch } from '../schemas/server.js';
import { DEFAULT_INTERVAL_SECONDS, type ProbeInput, type ProbePatch } from '../schemas/probe.js';
import type { ScheduleInput } from '../schemas/schedule.js';
import type { ServerValues } from '../store/servers.js';
import type { ProbeValues } from '../store/probes.js';
import type { ScheduleValues } from '../store/schedules.js';
import { ValidationError } from './errors.js';

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
  };
}

export function patchedProbeValues(current: ProbeValues, patch: ProbePatch, context: EditContext): ProbeValues {
  const merged = { ...current, ...withoutVersion(patch) };
  return { ...merged, owner: merged.owner ?? context.user };
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
  'enabled', 'thresholds',
] as const satisfies readonly (keyof ProbeValues)[];
