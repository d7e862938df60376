// The probe form's values, its rules (the gateway's, from gateway/src/domain/field-rules.ts, in the gateway's words)
// and the requests they become. What only the gateway knows (allowed targets, schedules, RFC 1123 in full) comes
// back as a 400 and lands next to its field. Pure.
import { z } from 'zod';
import type { CheckInput, IpVersion, Probe, ProbeInput } from '../../api/types';
import {
  DEFAULT_INTERVAL_SECONDS,
  DESCRIPTION_MAX_LENGTH,
  dialogueProblems,
  HH_MM_RULE,
  HOST_RULE,
  INTERVAL_SECONDS_RANGE,
  NAME_RULE,
  ipVersionProblem,
  PORT_RANGE,
  SERVER_NAME_RULE,
  SHORT_TEXT_MAX_LENGTH,
  TIMEOUT_MS_RANGE,
  timeoutIntervalProblem,
  windowPairProblem,
} from '../../../../gateway/src/domain/field-rules.js';
import { IP_VERSIONS, TLS_VERSIONS } from '../../../../gateway/src/probing/types.js';
import { addProblem, integerWithin, textFollowing, whileValid } from '../../forms/fieldRules';
import { sentence, topLevelField } from '../../forms/gatewayFormErrors';
import { toDialogueRows, toDialogueSteps } from './dialogueSteps';

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

export const IP_VERSION_OPTIONS: Array<{ value: IpVersion; label: string; description: string }> = [
  { value: 'auto', label: 'Auto', description: 'The first address the name resolves to (IPv4 first)' },
  { value: '4', label: 'IPv4 only', description: 'A records, IPv4 addresses' },
  { value: '6', label: 'IPv6 only', description: 'AAAA records, IPv6 addresses' },
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
  'ipVersion',
  'tlsEnabled',
  'tlsServerName',
  'tlsVerify',
  'tlsMinVersion',
  'dialogue',
] as const;
/** A field of the form: a top-level one, or one step of the dialogue (`dialogue.2.text`). */
export type ProbeFormField = (typeof PROBE_FORM_FIELDS)[number] | `dialogue.${number}.text`;

/** The form's TLS fields by the gateway's names under `tls`. */
const TLS_FORM_FIELDS: Record<string, ProbeFormField> = { serverName: 'tlsServerName', verify: 'tlsVerify', minVersion: 'tlsMinVersion' };

/**
 * Where a field the gateway names sits in the form: `tls.serverName` on the server name, `dialogue[2].expect` (or
 * `.send`, `.startTls`, the step itself) on step 2; undefined for what the form does not show.
 */
export function probeFormFieldOf(path: string): ProbeFormField | undefined {
  const step = /^dialogue\[(\d+)\]/.exec(path);
  if (step) return `dialogue.${Number(step[1])}.text`;
  if (path === 'tls') return 'tlsEnabled';
  if (path.startsWith('tls.')) return TLS_FORM_FIELDS[path.slice(4)];
  const field = topLevelField(path);
  return (PROBE_FORM_FIELDS as readonly string[]).includes(field) ? (field as ProbeFormField) : undefined;
}

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
  ipVersion: z.enum(IP_VERSIONS),
  /** Off sends tls null: a plain connect (a STARTTLS step then verifies with the defaults). */
  tlsEnabled: z.boolean(),
  /** Kept while TLS is off, for switching back; judged only while on (below). */
  tlsServerName: z.string(),
  tlsVerify: z.boolean(),
  tlsMinVersion: z.enum(TLS_VERSIONS).nullable(),
  dialogue: z.array(z.object({ kind: z.enum(['send', 'expect', 'startTls']), text: z.string(), encoding: z.enum(['utf8', 'hex']) })),
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
    )
    .superRefine((values, ctx) => addProblem(ctx, ipVersionProblem(values.host.trim(), values.ipVersion)), whileValid(['host']))
    .superRefine((values, ctx) => {
      if (!values.tlsEnabled) return;
      const serverName = serverNameRule.safeParse(values.tlsServerName);
      if (!serverName.success) ctx.addIssue({ code: 'custom', path: ['tlsServerName'], message: serverName.error.issues[0]!.message });
    }, { when: () => true })
    .superRefine((values, ctx) => {
      for (const problem of dialogueProblems(toDialogueSteps(values.dialogue) ?? [])) {
        const field = probeFormFieldOf(problem.field) ?? 'dialogue';
        ctx.addIssue({ code: 'custom', path: field.split('.').map((part) => (/^\d+$/.test(part) ? Number(part) : part)), message: sentence(problem.message) });
      }
    }, { when: () => true });
}

const serverNameRule = textFollowing(SERVER_NAME_RULE, { optional: true });

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
      ipVersion: 'auto',
      tlsEnabled: false,
      tlsServerName: '',
      tlsVerify: true,
      tlsMinVersion: null,
      dialogue: [],
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
    ipVersion: probe.ipVersion,
    tlsEnabled: probe.tls !== null,
    tlsServerName: probe.tls?.serverName ?? '',
    tlsVerify: probe.tls?.verify ?? true,
    tlsMinVersion: probe.tls?.minVersion ?? null,
    dialogue: toDialogueRows(probe.dialogue),
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
    ...toDeepCheck(values),
  };
}

/** The deeper check as the gateway takes it, for a probe and for Test connection alike. */
function toDeepCheck(values: Pick<ProbeFormValues, 'ipVersion' | 'tlsEnabled' | 'tlsServerName' | 'tlsVerify' | 'tlsMinVersion' | 'dialogue'>) {
  return {
    ipVersion: values.ipVersion,
    tls: values.tlsEnabled ? { serverName: orNull(values.tlsServerName), verify: values.tlsVerify, minVersion: values.tlsMinVersion } : null,
    dialogue: toDialogueSteps(values.dialogue),
  };
}

/** "Test connection": the target as it would be probed, from the server's gateway and network interface. */
export function toCheckInput(values: ProbeFormValues, serverId: number): CheckInput {
  return {
    host: values.host.trim(),
    port: values.port,
    serverId,
    ...(values.timeoutMode === 'own' ? { timeoutMs: values.timeoutMs } : {}),
    ...toDeepCheck(values),
  };
}
