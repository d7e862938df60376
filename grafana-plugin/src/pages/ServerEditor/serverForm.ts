// The probe server form: its values, the gateway's field rules in the gateway's words (gateway/src/domain/field-rules.ts),
// and the conversions between a server, the form and the gateway's input. Pure.
import { z } from 'zod';
import type { ProbeServer, ServerInput } from '../../api/types';
import {
  DEFAULT_CONNECT_TIMEOUT_MS,
  DESCRIPTION_MAX_LENGTH,
  GATEWAY_NAME_RULE,
  GATEWAYS_RANGE,
  LABEL_RULE,
  NAME_RULE,
  NETWORK_INTERFACE_RULE,
  SHORT_TEXT_MAX_LENGTH,
  TIMEOUT_MS_RANGE,
} from '../../../../gateway/src/domain/field-rules.js';
import { integerWithin, textFollowing, uniqueListOf } from '../../forms/fieldRules';

const shortText = textFollowing({ maxLength: SHORT_TEXT_MAX_LENGTH });

export const serverFormSchema = z.object({
  name: textFollowing(NAME_RULE),
  description: textFollowing({ maxLength: DESCRIPTION_MAX_LENGTH }),
  organization: shortText,
  owner: shortText,
  role: textFollowing(LABEL_RULE),
  site: textFollowing(LABEL_RULE),
  /** The locations, in the order the user picked them; a new server starts with the gateway that answers. */
  gateways: uniqueListOf(GATEWAY_NAME_RULE, GATEWAYS_RANGE),
  sharedAccount: shortText,
  networkInterface: textFollowing(NETWORK_INTERFACE_RULE, { optional: true }),
  connectTimeoutMs: integerWithin(TIMEOUT_MS_RANGE),
  enabled: z.boolean(),
});

export type ServerFormValues = z.infer<typeof serverFormSchema>;

/** The form's fields: where gateway problems can be shown next to their input. */
export const SERVER_FORM_FIELDS = Object.keys(serverFormSchema.shape) as Array<keyof ServerFormValues>;

export function newServerFormValues(owner: string, gateways: string[]): ServerFormValues {
  return {
    name: '',
    description: '',
    organization: '',
    owner,
    role: '',
    site: '',
    gateways,
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
    gateways: [...server.gateways],
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
    gateways: values.gateways,
    sharedAccount: orNull(values.sharedAccount),
    networkInterface: orNull(values.networkInterface),
    connectTimeoutMs: values.connectTimeoutMs,
    enabled: values.enabled,
  };
}
