// Probe: one host:port checked on a schedule from its server's gateway.
import { Type, type Static } from 'typebox';
import { Audit, HhMm, Id, Name, OptionalText, PageQuery, RULE, Version, optionalFields } from './common.js';
import { Thresholds } from './threshold.js';
import { CheckResultSchema } from './check.js';

export const DEFAULT_INTERVAL_SECONDS = 300;

/** RFC 1123 host name or an IPv4/IPv6 literal; the literal forms are confirmed in code (net.isIP). */
export const Host = Type.String({
  minLength: 1,
  maxLength: 253,
  pattern: '^[A-Za-z0-9.:_%-]+$',
  [RULE]: 'be a DNS name (RFC 1123) or an IPv4/IPv6 address',
});
export const Port = Type.Integer({ minimum: 1, maximum: 65535 });
export const TimeoutMs = Type.Integer({ minimum: 100, maximum: 60000 });

const probeFields = {
  name: Name,
  description: OptionalText(1024),
  owner: OptionalText(128),
  scheduleId: Type.Union([Id, Type.Null()], { description: 'A schedule (weekly windows in a time zone); null runs always' }),
  windowBegin: Type.Union([HhMm, Type.Null()], { description: 'Daily window start HH:MM; with windowEnd, may wrap past midnight' }),
  windowEnd: Type.Union([HhMm, Type.Null()], { description: 'Daily window end HH:MM (exclusive)' }),
  intervalSeconds: Type.Integer({ minimum: 1, maximum: 86400, default: DEFAULT_INTERVAL_SECONDS }),
  host: Host,
  port: Port,
  timeoutMs: Type.Union([TimeoutMs, Type.Null()], { description: 'Check timeout; null uses the server\'s connectTimeoutMs' }),
  enabled: Type.Boolean({ default: true }),
  thresholds: Thresholds,
};

const { name, host, port, ...optionalProbeFields } = probeFields;

export const ProbeInput = Type.Object(
  {
    name,
    host,
    port,
    ...optionalFields(optionalProbeFields),
    version: Type.Optional(Version),
  },
  { additionalProperties: false },
);
export type ProbeInput = Static<typeof ProbeInput>;

export const ProbePatch = Type.Partial(ProbeInput, { additionalProperties: false });
export type ProbePatch = Static<typeof ProbePatch>;

export const Probe = Type.Object({
  id: Id,
  serverId: Id,
  ...probeFields,
  effectiveTimeoutMs: Type.Integer({ description: 'timeoutMs, or the server\'s connectTimeoutMs when timeoutMs is null' }),
  actualHost: Type.Union([Type.String(), Type.Null()], { description: 'Read-only: the name finally connected to, after CNAMEs' }),
  actualIpv4: Type.Union([Type.String(), Type.Null()], { description: 'Read-only: the IPv4 address used by the last check' }),
  lastResult: Type.Union([CheckResultSchema, Type.Null()], { description: 'Read-only: the latest check' }),
  ...Audit,
});
export type Probe = Static<typeof Probe>;

export const ProbeQuery = Type.Object(
  { ...PageQuery, enabled: Type.Optional(Type.Boolean()) },
  { additionalProperties: false },
);
export type ProbeQuery = Static<typeof ProbeQuery>;

export const ServerIdParams = Type.Object({ id: Id }, { additionalProperties: false });
