// Probe server: a group of probes run from one or more gateways (locations), sharing role, site and connection settings.
import { Type, type Static } from 'typebox';
import { Audit, Id, Name, OptionalText, PageQuery, RuleString, Version, optionalFields } from './common.js';
import { Thresholds } from './threshold.js';
import {
  DEFAULT_CONNECT_TIMEOUT_MS, DESCRIPTION_MAX_LENGTH, GATEWAY_NAME_RULE, GATEWAYS_RANGE, LABEL_RULE, NETWORK_INTERFACE_RULE, SHORT_TEXT_MAX_LENGTH, TIMEOUT_MS_RANGE,
} from '../domain/field-rules.js';

export { DEFAULT_CONNECT_TIMEOUT_MS };

const Label = (description: string) => Type.Union([RuleString(LABEL_RULE), Type.Null()], { description });

export const GatewayName = RuleString(GATEWAY_NAME_RULE);

const serverFields = {
  name: Name,
  description: OptionalText(DESCRIPTION_MAX_LENGTH),
  organization: OptionalText(SHORT_TEXT_MAX_LENGTH),
  owner: OptionalText(SHORT_TEXT_MAX_LENGTH),
  role: Label('The environment, e.g. production, quality or development'),
  site: Label('Where the server stands, for grouping and alert routing'),
  gateways: Type.Array(GatewayName, {
    minItems: GATEWAYS_RANGE.minimum,
    maxItems: GATEWAYS_RANGE.maximum,
    uniqueItems: true,
    description: 'The gateways (locations) that run every probe of the server, each at its own point in the interval; defaults to this gateway. A name no gateway has announced yet is allowed.',
  }),
  sharedAccount: OptionalText(SHORT_TEXT_MAX_LENGTH),
  networkInterface: Type.Union(
    [RuleString(NETWORK_INTERFACE_RULE), Type.Null()],
    { description: 'Local adapter (name) or local IP the connections start from' },
  ),
  connectTimeoutMs: Type.Integer({ ...TIMEOUT_MS_RANGE, default: DEFAULT_CONNECT_TIMEOUT_MS, description: 'TCP connect timeout for probes without their own' }),
  enabled: Type.Boolean({ default: true }),
  thresholds: Thresholds,
};

const { name, ...optionalServerFields } = serverFields;

export const ServerInput = Type.Object(
  {
    name,
    ...optionalFields(optionalServerFields),
    gateway: Type.Optional(Type.Union([GatewayName], { description: 'Shorthand for `gateways: [gateway]` (one location), for bodies without `gateways`' })),
    version: Type.Optional(Version),
  },
  { additionalProperties: false },
);
export type ServerInput = Static<typeof ServerInput>;

export const ServerPatch = Type.Partial(ServerInput, { additionalProperties: false });
export type ServerPatch = Static<typeof ServerPatch>;

export const Server = Type.Object({
  id: Id,
  ...serverFields,
  probeCount: Type.Integer({ description: 'How many probes the server has' }),
  ...Audit,
});
export type Server = Static<typeof Server>;

export const ServerQuery = Type.Object(
  {
    ...PageQuery,
    gateway: Type.Optional(Type.String({ maxLength: 64, description: 'Servers that run from this gateway' })),
    site: Type.Optional(Type.String({ maxLength: 64 })),
    role: Type.Optional(Type.String({ maxLength: 64 })),
  },
  { additionalProperties: false },
);
export type ServerQuery = Static<typeof ServerQuery>;
