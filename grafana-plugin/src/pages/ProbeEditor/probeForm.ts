// The probe form's values, the few rules it checks itself, and the requests they become. The gateway's schema stays
// the source of truth for ranges and patterns (port 1-65535, host names, HH:MM): its 400s land next to the field. Pure.
import { z } from 'zod';
import type { CheckInput, Probe, ProbeInput } from '../../api/types';

/** DESIGN.md: a probe's timeout defaults to 5000 ms; the gateway's `null` means "the server's connect timeout". */
export const DEFAULT_PROBE_TIMEOUT_MS = 5000;
/** DESIGN.md: repeat every 5 minutes unless told otherwise. */
export const DEFAULT_INTERVAL_SECONDS = 300;

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

const wholeNumber = (what: string) => z.number({ error: `Enter ${what} as a number` });

export const probeFormSchema = z.object({
  name: z.string().trim().min(1, 'Give the probe a name, e.g. the service it checks'),
  description: z.string(),
  owner: z.string().trim(),
  scheduleId: z.number().nullable(),
  windowBegin: z.string().trim(),
  windowEnd: z.string().trim(),
  intervalSeconds: wholeNumber('the interval in seconds'),
  host: z.string().trim().min(1, 'Enter the host name or IP address to connect to'),
  port: wholeNumber('the TCP port'),
  /** `inherit` sends timeoutMs null: the probe follows its server's connect timeout, also when that changes later. */
  timeoutMode: z.enum(['own', 'inherit']),
  timeoutMs: z.number(),
  enabled: z.boolean(),
});

export type ProbeFormValues = z.infer<typeof probeFormSchema>;

/** The form for a new probe (owner: the signed-in user) or for editing `probe`. */
export function toProbeFormValues(probe: Probe | undefined, owner = ''): ProbeFormValues {
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
      timeoutMode: 'own',
      timeoutMs: DEFAULT_PROBE_TIMEOUT_MS,
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
    timeoutMs: probe.timeoutMs ?? DEFAULT_PROBE_TIMEOUT_MS,
    enabled: probe.enabled,
  };
}

const orNull = (text: string) => (text.trim() === '' ? null : text.trim());

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
    timeoutMs: values.timeoutMode === 'inherit' ? null : values.timeoutMs,
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
