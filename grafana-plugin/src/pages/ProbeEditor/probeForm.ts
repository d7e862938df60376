// The probe form's values, its rules (the gateway's, from gateway/src/domain/field-rules.ts, in the gateway's words)
// and the requests they become. What only the gateway knows (allowed targets, schedules, RFC 1123 in full) comes
// back as a 400 and lands next to its field. Pure.
import { z } from 'zod';
import type { CheckInput, Probe, ProbeInput } from '../../api/types';
import {
  DEFAULT_INTERVAL_SECONDS,
  DESCRIPTION_MAX_LENGTH,
  HH_MM_RULE,
  HOST_RULE,
  INTERVAL_SECONDS_RANGE,
  NAME_RULE,
  PORT_RANGE,
  SHORT_TEXT_MAX_LENGTH,
  TIMEOUT_MS_RANGE,
  timeoutIntervalProblem,
  windowPairProblem,
} from '../../../../gateway/src/domain/field-rules.js';
import { addProblem, integerWithin, textFollowing, whileValid } from '../../forms/fieldRules';

/** Repeat intervals offered by name; anything else is "Custom". */
export const INTERVAL_CHOICES: ReadonlyArray<{ seconds: number; label: string }> = [
  { seconds: 10, label: 'Every 10 seconds' },
  { seconds: 30, label: 'Every 30 seconds' },
  { seconds: 60, label: 'Every minute' },
  { seconds: 120, label: 'Every 2 minutes' },
  { seconds: 300, label: 'Every 5 minutes' },
  { seconds: 600, label: 'Every 10 minutes' },
  { seconds: 900, label: 'Every 15 minutes' },
  { seconds: 1800, label: 'Every 30 minutes' },
  { seconds: 3600, label: 'Every hour' },
];

export function isIntervalChoice(seconds: number): boolean {
  return INTERVAL_CHOICES.some((choice) => choice.seconds === seconds);
}

/** Fields of the form that the gateway may name in a 400 (FieldProblem.field). */
export const PROBE_FORM_FIELDS = [
  'name',
  'description',
  'owner',
  'scheduleId',
  'windowBegin',
  'windowEnd',
  'intervalSeconds',
  'host',
  'port',
  'timeoutMs',
  'enabled',
] as const;
export type ProbeFormField = (typeof PROBE_FORM_FIELDS)[number];

const ownTimeoutMs = integerWithin(TIMEOUT_MS_RANGE, true);
const orNull = (text: string) => (text.trim() === '' ? null : text.trim());
/** The timeout the gateway is sent: null follows the server. */
const sentTimeoutMs = (values: Pick<ProbeFormValues, 'timeoutMode' | 'timeoutMs'>) => (values.timeoutMode === 'inherit' ? null : values.timeoutMs);

const probeFormFields = z.object({
  name: textFollowing(NAME_RULE),
  description: textFollowing({ maxLength: DESCRIPTION_MAX_LENGTH }),
  owner: textFollowing({ maxLength: SHORT_TEXT_MAX_LENGTH }),
  scheduleId: z.number().nullable(),
  windowBegin: textFollowing(HH_MM_RULE, { optional: true }),
  windowEnd: textFollowing(HH_MM_RULE, { optional: true }),
  intervalSeconds: integerWithin(INTERVAL_SECONDS_RANGE),
  host: textFollowing(HOST_RULE),
  port: integerWithin(PORT_RANGE),
  /** `inherit` sends timeoutMs null: the probe follows its server's connect timeout, also when that changes later. */
  timeoutMode: z.enum(['own', 'inherit']),
  /** Kept while inheriting, for switching back; judged only as an own timeout (below). NaN: the input is empty. */
  timeoutMs: z.number().or(z.nan()),
  enabled: z.boolean(),
});

export type ProbeFormValues = z.infer<typeof probeFormFields>;

/**
 * The form's rules for a probe of a server with `serverConnectTimeoutMs`: every field's own rule at once, then the
 * gateway's rules across fields for the fields that passed theirs.
 */
export function probeFormSchema(serverConnectTimeoutMs: number) {
  return probeFormFields
    .superRefine((values, ctx) => {
      if (values.timeoutMode === 'inherit') return;
      const own = ownTimeoutMs.safeParse(values.timeoutMs);
      if (!own.success) ctx.addIssue({ code: 'custom', path: ['timeoutMs'], message: own.error.issues[0]!.message });
    }, { when: () => true })
    .superRefine((values, ctx) => addProblem(ctx, windowPairProblem(orNull(values.windowBegin), orNull(values.windowEnd))), whileValid(['windowBegin', 'windowEnd']))
    .superRefine(
      (values, ctx) => addProblem(ctx, timeoutIntervalProblem(sentTimeoutMs(values), values.intervalSeconds, serverConnectTimeoutMs)),
      whileValid(['timeoutMs', 'intervalSeconds']),
    );
}

/**
 * The form for editing `probe`, or for a new one on a server with `serverConnectTimeoutMs`: a new probe follows
 * the server's connect timeout, as the gateway does when it is sent none; an own timeout starts from the same value.
 */
export function toProbeFormValues(probe: Probe | undefined, { owner, serverConnectTimeoutMs }: { owner: string; serverConnectTimeoutMs: number }): ProbeFormValues {
  if (!probe) {
    return {
      name: '',
      description: '',
      owner,
      scheduleId: null,
      windowBegin: '',
      windowEnd: '',
      intervalSeconds: DEFAULT_INTERVAL_SECONDS,
      host: '',
      port: Number.NaN,
      timeoutMode: 'inherit',
      timeoutMs: serverConnectTimeoutMs,
      enabled: true,
    };
  }
  return {
    name: probe.name,
    description: probe.description ?? '',
    owner: probe.owner ?? '',
    scheduleId: probe.scheduleId,
    windowBegin: probe.windowBegin ?? '',
    windowEnd: probe.windowEnd ?? '',
    intervalSeconds: probe.intervalSeconds,
    host: probe.host,
    port: probe.port,
    timeoutMode: probe.timeoutMs === null ? 'inherit' : 'own',
    timeoutMs: probe.effectiveTimeoutMs,
    enabled: probe.enabled,
  };
}

/** Which timeout applies, in the form's words: the server's (with its value) or the probe's own. */
export function timeoutInWords(values: Pick<ProbeFormValues, 'timeoutMode' | 'timeoutMs'>, serverConnectTimeoutMs: number): string {
  if (values.timeoutMode === 'inherit') return `Uses the server's connect timeout: ${serverConnectTimeoutMs} ms.`;
  const own = Number.isNaN(values.timeoutMs) ? 'its own timeout' : `its own timeout: ${values.timeoutMs} ms`;
  return `Uses ${own}, not the server's connect timeout (${serverConnectTimeoutMs} ms).`;
}

/** The probe as the gateway takes it (POST, or PATCH with the loaded version); thresholds are left as they are. */
export function toProbeInput(values: ProbeFormValues): Required<Omit<ProbeInput, 'thresholds' | 'version'>> {
  return {
    name: values.name.trim(),
    description: values.description.trim() === '' ? null : values.description,
    owner: orNull(values.owner),
    scheduleId: values.scheduleId,
    windowBegin: orNull(values.windowBegin),
    windowEnd: orNull(values.windowEnd),
    intervalSeconds: values.intervalSeconds,
    host: values.host.trim(),
    port: values.port,
    timeoutMs: sentTimeoutMs(values),
    enabled: values.enabled,
  };
}

/** "Test connection": the target as it would be probed, from the server's gateway and network interface. */
export function toCheckInput(values: Pick<ProbeFormValues, 'host' | 'port' | 'timeoutMode' | 'timeoutMs'>, serverId: number): CheckInput {
  return {
    host: values.host.trim(),
    port: values.port,
    serverId,
    ...(values.timeoutMode === 'own' ? { timeoutMs: values.timeoutMs } : {}),
  };
}
