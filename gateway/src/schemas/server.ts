// Probe server: a group of probes run from one gateway, sharing role, site and connection settings.
import { Type, type Static } from 'typebox';
import { Audit, Id, Name, OptionalText, PageQuery, RULE, Version, optionalFields } from './common.js';
import { Thresholds } from './threshold.js';

export const DEFAULT_CONNECT_TIMEOUT_MS = 2000;

const Label = (description: string) =>
  Type.Union([Type.String({ maxLength: 64, pattern: '^[A-Za-z0-9_.:/ -]*$', [RULE]: 'be at most 64 letters, digits, spaces or _ . : / -' }), Type.Null()], { description });

export const GatewayName = Type.String({
  minLength: 1,
  maxLength: 64,
  pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]*$',
  [RULE]: 'start with a letter or digit and contain only letters, digits, _ . or -',
});

const serverFields = {
  name: Name,
  description: OptionalText(1024),
  organization: OptionalText(128),
  owner: OptionalText(128),
  role: Label('The environment: production, quality, development, ...'),
  site: Label('Where the server stands, for grouping and alert routing'),
  gateway: Type.Union([GatewayName, Type.Null()], { description: 'The gateway whose network the probes start from; defaults to this gateway' }),
  sharedAccount: OptionalText(128),
  networkInterface: Type.Union(
    [Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_.:%@-]+$', [RULE]: 'be an interface name such as eth0 or a local IP address' }), Type.Null()],
    { description: 'Local adapter (name) or local IP the connections start from' },
  ),
  connectTimeoutMs: Type.Integer({ minimum: 100, maximum: 60000, default: DEFAULT_CONNECT_TIMEOUT_MS, description: 'TCP connect timeout for probes without their own' }),
  enabled: Type.Boolean({ default: true }),
  thresholds: Thresholds,
};

const { name, ...optionalServerFields } = serverFields;

export const ServerInput = Type.Object(
  {
    name,
    ...optionalFields(optionalServerFields),
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
  gateway: GatewayName,
  probeCount: Type.Integer({ description: 'How many probes the server has' }),
  ...Audit,
});
export type Server = Static<typeof Server>;

export const ServerQuery = Type.Object(
  {
    ...PageQuery,
    gateway: Type.Optional(Type.String({ maxLength: 64 })),
    site: Type.Optional(Type.String({ maxLength: 64 })),
    role: Type.Optional(Type.String({ maxLength: 64 })),
  },
  { additionalProperties: false },
);
export type ServerQuery = Static<typeof ServerQuery>;
