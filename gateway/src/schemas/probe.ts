// Probe: one host:port checked on a schedule from its server's gateway.
import { Type, type Static } from 'typebox';
import { Audit, HhMm, Id, Name, OptionalText, PageQuery, RuleString, Version, optionalFields } from './common.js';
import { Thresholds } from './threshold.js';
import { CheckResultSchema } from './check.js';
import {
  DEFAULT_INTERVAL_SECONDS, DESCRIPTION_MAX_LENGTH, DIALOGUE_MAX_STEPS, EXPECT_MAX_LENGTH, HOST_RULE, INTERVAL_SECONDS_RANGE, PORT_RANGE,
  SEND_MAX_BYTES, SERVER_NAME_RULE, SHORT_TEXT_MAX_LENGTH, TIMEOUT_MS_RANGE,
} from '../domain/field-rules.js';
import { IP_VERSIONS, TLS_VERSIONS } from '../probing/types.js';

export { DEFAULT_INTERVAL_SECONDS };

export const Host = RuleString(HOST_RULE);
export const Port = Type.Integer({ ...PORT_RANGE });
export const TimeoutMs = Type.Integer({ ...TIMEOUT_MS_RANGE });

const tlsFields = {
  serverName: Type.Union([RuleString(SERVER_NAME_RULE), Type.Null()], {
    description: "SNI and the name the certificate must carry; null: the probe's host when it is a name, else no SNI",
  }),
  verify: Type.Boolean({ default: true, description: 'Verify the chain and the name; false still records the certificate and its expiry' }),
  minVersion: Type.Union([Type.Enum(TLS_VERSIONS), Type.Null()], { description: "Lowest TLS version accepted; null: Node's default" }),
};

/** A probe's TLS settings as stored and read: every field present. */
export const TlsSettingsSchema = Type.Object(tlsFields, { additionalProperties: false });
export const TlsSettingsInput = Type.Object(optionalFields(tlsFields), { additionalProperties: false });
export type TlsSettingsInput = Static<typeof TlsSettingsInput>;

const TlsField = <T extends typeof TlsSettingsSchema | typeof TlsSettingsInput>(schema: T) => Type.Union([schema, Type.Null()], {
  description: 'A TLS handshake after the connect (or at the startTls step of the dialogue); null: plain TCP',
});

/**
 * One step as a body sends it: exactly one of send, expect and startTls, which the gateway checks in code (a union
 * here would answer a typo with an error for every kind of step).
 */
export const DialogueStepInput = Type.Object(
  {
    // Its bound is in bytes once encoded, which the gateway checks in code (and says so); the body limit bounds the text.
    send: Type.Optional(Type.String({ description: `Bytes to send, at most ${SEND_MAX_BYTES} once encoded` })),
    encoding: Type.Optional(Type.Union([Type.Literal('utf8'), Type.Literal('hex')], { description: 'Of send: utf8 (default) or hex digits' })),
    expect: Type.Optional(Type.String({ maxLength: EXPECT_MAX_LENGTH, description: 'A regular expression a received line must match' })),
    startTls: Type.Optional(Type.Literal(true, { description: 'Upgrade the connection to TLS here (SMTP, IMAP, LDAP, PostgreSQL)' })),
  },
  { additionalProperties: false },
);
export type DialogueStepInput = Static<typeof DialogueStepInput>;

/** A step as stored and read. */
export const DialogueStepSchema = Type.Union([
  Type.Object({ send: Type.String(), encoding: Type.Union([Type.Literal('utf8'), Type.Literal('hex')]) }, { additionalProperties: false }),
  Type.Object({ expect: Type.String() }, { additionalProperties: false }),
  Type.Object({ startTls: Type.Literal(true) }, { additionalProperties: false }),
]);

const DialogueField = <T extends typeof DialogueStepSchema | typeof DialogueStepInput>(step: T) => Type.Union(
  [Type.Array(step, { maxItems: DIALOGUE_MAX_STEPS }), Type.Null()],
  { description: `Send/expect steps after the connect (at most ${DIALOGUE_MAX_STEPS}, one startTls); null: none` },
);

export const IpVersion = Type.Enum(IP_VERSIONS, {
  default: 'auto',
  description: "Address family: auto takes the resolver's first answer; 4 or 6 only that family",
});

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
  tls: TlsField(TlsSettingsSchema),
  dialogue: DialogueField(DialogueStepSchema),
  ipVersion: IpVersion,
};

const { name, host, port, tls: _tls, dialogue: _dialogue, ...optionalProbeFields } = probeFields;

export const ProbeInput = Type.Object(
  {
    name,
    host,
    port,
    ...optionalFields(optionalProbeFields),
    tls: Type.Optional(TlsField(TlsSettingsInput)),
    dialogue: Type.Optional(DialogueField(DialogueStepInput)),
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
  actualIp: Type.Union([Type.String(), Type.Null()], { description: 'Read-only: the address (IPv4 or IPv6) used by the last check' }),
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
