// Probe: one host:port checked on a schedule from its server's gateway.
import { Type, type Static } from 'typebox';
import { Audit, HhMm, Id, Name, OptionalText, PageQuery, RuleString, Version, optionalFields } from './common.js';
import { Thresholds } from './threshold.js';
import { CheckResultSchema } from './check.js';
import {
  DEFAULT_INTERVAL_SECONDS, DESCRIPTION_MAX_LENGTH, HOST_RULE, INTERVAL_SECONDS_RANGE, PORT_RANGE, SHORT_TEXT_MAX_LENGTH, TIMEOUT_MS_RANGE,
} from '../domain/field-rules.js';

export { DEFAULT_INTERVAL_SECONDS };

export const Host = RuleString(HOST_RULE);
export const Port = Type.Integer({ ...PORT_RANGE });
export const TimeoutMs = Type.Integer({ ...TIMEOUT_MS_RANGE });

const probeFields = {
  name: Name,
  description: OptionalText(DESCRIPTION_MAX_LENGTH),
  owner: OptionalText(SHORT_TEXT_MAX_LENGTH),
  scheduleId: Type.Union([Id, Type.Null()], { description: 'A schedule (weekly windows in a time zone); null runs always' }),
  windowBegin: Type.Union([HhMm, Type.Null()], { description: 'Daily window start HH:MM; with windowEnd, may wrap past midnight' }),
  windowEnd: Type.Union([HhMm, Type.Null()], { description: 'Daily window end HH:MM (exclusive)' }),
  intervalSeconds: Type.Integer({ ...INTERVAL_SECONDS_RANGE, default: DEFAULT_INTERVAL_SECONDS }),
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
