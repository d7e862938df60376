// The probe server form: its values, the gateway's field rules in the gateway's words (gateway/src/schemas/server.ts),
// and the conversions between a server, the form and the gateway's input. Pure.
import { z } from 'zod';
import type { ProbeServer, ServerInput } from '../../api/types';

export const DEFAULT_CONNECT_TIMEOUT_MS = 2000;

const text = (max: number) => z.string().trim().max(max, `Must be at most ${max} characters`);
const label = text(64).regex(/^[A-Za-z0-9_.:/ -]*$/, 'Must be at most 64 letters, digits, spaces or _ . : / -');

export const serverFormSchema = z.object({
  name: z
    .string()
    .trim()
    .min(1, 'Must not be empty')
    .max(128, 'Must be at most 128 characters'),
  description: text(1024),
  organization: text(128),
  owner: text(128),
  role: label,
  site: label,
  /** Empty: the gateway that answers (the gateway's default). */
  gateway: text(64).regex(/^([A-Za-z0-9][A-Za-z0-9_.-]*)?$/, 'Must start with a letter or digit and contain only letters, digits, _ . or -'),
  sharedAccount: text(128),
  networkInterface: text(64).regex(/^[A-Za-z0-9_.:%@-]*$/, 'Must be an interface name such as eth0 or a local IP address'),
  connectTimeoutMs: z
    .number({ error: 'Must be a whole number of milliseconds' })
    .int('Must be a whole number of milliseconds')
    .min(100, 'Must be between 100 and 60000')
    .max(60000, 'Must be between 100 and 60000'),
  enabled: z.boolean(),
});

export type ServerFormValues = z.infer<typeof serverFormSchema>;

/** The form's fields: where gateway problems can be shown next to their input. */
export const SERVER_FORM_FIELDS = Object.keys(serverFormSchema.shape) as Array<keyof ServerFormValues>;

export function newServerFormValues(owner: string, gateway: string): ServerFormValues {
  return {
    name: '',
    description: '',
    organization: '',
    owner,
    role: '',
    site: '',
    gateway,
    sharedAccount: '',
    networkInterface: '',
    connectTimeoutMs: DEFAULT_CONNECT_TIMEOUT_MS,
    enabled: true,
  };
}

export function serverFormValues(server: ProbeServer): ServerFormValues {
  return {
    name: server.name,
    description: server.description ?? '',
    organization: server.organization ?? '',
    owner: server.owner ?? '',
    role: server.role ?? '',
    site: server.site ?? '',
    gateway: server.gateway,
    sharedAccount: server.sharedAccount ?? '',
    networkInterface: server.networkInterface ?? '',
    connectTimeoutMs: server.connectTimeoutMs,
    enabled: server.enabled,
  };
}

const orNull = (value: string) => (value === '' ? null : value);

/** The gateway's input: empty texts are null ("not set"). Thresholds are not the form's: left out, they stay. */
export function toServerInput(values: ServerFormValues): ServerInput {
  return {
    name: values.name,
    description: orNull(values.description),
    organization: orNull(values.organization),
    owner: orNull(values.owner),
    role: orNull(values.role),
    site: orNull(values.site),
    gateway: orNull(values.gateway),
    sharedAccount: orNull(values.sharedAccount),
    networkInterface: orNull(values.networkInterface),
    connectTimeoutMs: values.connectTimeoutMs,
    enabled: values.enabled,
  };
}
