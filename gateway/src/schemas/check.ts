// Check results as the API shows them, and the unsaved "Test connection" request.
import { Type, type Static } from 'typebox';
import { CHECK_OUTCOMES, MISSED_SLOT_REASONS } from '../probing/types.js';
import { Id } from './common.js';

export const Outcome = Type.Enum(CHECK_OUTCOMES);

const DateTime = Type.String({ format: 'date-time' });

/** What a TLS handshake showed; also on cert_* failures, where the certificate was seen but did not pass. */
export const TlsDetailsView = Type.Object({
  handshakeMs: Type.Number(),
  protocol: Type.String({ description: 'e.g. TLSv1.3' }),
  cipher: Type.String({ description: 'e.g. TLS_AES_256_GCM_SHA384' }),
  subject: Type.String({ description: 'Of the leaf certificate, e.g. "CN=db.example.com, O=Example"' }),
  issuer: Type.String(),
  fingerprintSha256: Type.String({ description: 'Of the leaf, lower-case hex without colons' }),
  notBefore: DateTime,
  notAfter: DateTime,
  chainExpiresAt: Type.String({ format: 'date-time', description: 'The earliest notAfter in the chain the target presented' }),
  expiresInDays: Type.Number({ description: 'Days from the check to chainExpiresAt, one decimal; negative once expired' }),
});
export type TlsDetailsView = Static<typeof TlsDetailsView>;

export const TranscriptEntryView = Type.Object({
  atMs: Type.Number({ description: 'Milliseconds since connected' }),
  direction: Type.Union([Type.Literal('sent'), Type.Literal('received'), Type.Literal('tls')]),
  text: Type.String({ description: 'Printable, truncated' }),
});

const deepResultFields = {
  actualIp: Type.Union([Type.String(), Type.Null()], { description: 'The address used, IPv4 or IPv6 (= actualAddress)' }),
  tls: Type.Union([TlsDetailsView, Type.Null()], { description: 'The TLS handshake; null without one (plain TCP, or failed before it)' }),
  responseMs: Type.Union([Type.Number(), Type.Null()], { description: 'From connected to the last expect matched; null when none matched or none was asked' }),
  transcript: Type.Optional(Type.Union([Type.Array(TranscriptEntryView), Type.Null()], {
    description: 'The dialogue as it went (null: no dialogue); only in the answer of a check run on demand, never kept with stored results',
  })),
};

export const CheckResultSchema = Type.Object({
  outcome: Outcome,
  available: Type.Boolean(),
  error: Type.Union([Type.String(), Type.Null()]),
  checkedAt: Type.String({ format: 'date-time' }),
  dnsMs: Type.Union([Type.Number(), Type.Null()]),
  connectMs: Type.Union([Type.Number(), Type.Null()]),
  actualHost: Type.Union([Type.String(), Type.Null()]),
  actualIpv4: Type.Union([Type.String(), Type.Null()]),
  actualAddress: Type.Union([Type.String(), Type.Null()]),
  gateway: Type.String(),
  ...deepResultFields,
});
export type CheckResultView = Static<typeof CheckResultSchema>;

/**
 * A result as an agent reports it: one from before deeper checks lacks their keys (they read as null), so an agent
 * not yet upgraded keeps reporting.
 */
export const ReportedCheckResultSchema = Type.Object({
  ...CheckResultSchema.properties,
  actualIp: Type.Optional(deepResultFields.actualIp),
  tls: Type.Optional(deepResultFields.tls),
  responseMs: Type.Optional(deepResultFields.responseMs),
});
export type ReportedCheckResult = Static<typeof ReportedCheckResultSchema>;

/** A result from before deeper checks (an older agent's report, a stored row) with their keys as none. */
export function withDeepDefaults(result: ReportedCheckResult): CheckResultView {
  return { ...result, actualIp: result.actualIp ?? result.actualAddress ?? null, tls: result.tls ?? null, responseMs: result.responseMs ?? null };
}

/** Why a probe has no up or down state; the UI words each one. */
export const NoDataReason = Type.Union(
  [
    Type.Literal('disabled'),
    Type.Literal('server_disabled'),
    Type.Literal('outside_window'),
    Type.Literal('not_checked_yet'),
    Type.Literal('gateway_offline'),
  ],
  {
    description:
      'disabled: the probe is disabled; server_disabled: its server is; outside_window: its time window or schedule is ' +
      'closed now (see windowOpensAt); not_checked_yet: no result yet (see nextCheckAt); gateway_offline: the gateway ' +
      'of the location has not been seen for a minute, so its last result is stale',
  },
);

/** up, down, nodata or disabled; the description says over what. */
const ProbeState = (description: string) =>
  Type.Union([Type.Literal('up'), Type.Literal('down'), Type.Literal('nodata'), Type.Literal('disabled')], { description });

/** A probe as seen from one of its locations (one gateway of its server). */
export const LocationStatus = Type.Object({
  gateway: Type.String({ description: 'The gateway this location is' }),
  state: ProbeState('As this location sees it; nodata: outside its window or schedule, not checked yet, or this gateway is offline (see reason)'),
  reason: Type.Union([NoDataReason, Type.Null()], { description: 'Null when up or down; else why this location has no state' }),
  inWindow: Type.Boolean({ description: 'Whether this location may run the probe now (window open, no hand-over holding it back), as it reported' }),
  lastResult: Type.Union([CheckResultSchema, Type.Null()], { description: 'The latest result of this location' }),
  self: Type.Boolean({ description: 'Whether this location is the gateway that answers' }),
});
export type LocationStatus = Static<typeof LocationStatus>;

export const ProbeStatus = Type.Object({
  probeId: Id,
  serverId: Id,
  probe: Type.String(),
  server: Type.String(),
  target: Type.String({ description: 'host:port' }),
  enabled: Type.Boolean(),
  state: ProbeState(
    'Over its locations (those of the `gateway` filter when given): down if any location that reports sees it down; ' +
      'up if at least one reports and all that report see it up; nodata if none reports (see reason); disabled if the probe or its server is',
  ),
  reason: Type.Union([NoDataReason, Type.Null()], { description: 'Null when up or down; else why there is no state (that of its first location)' }),
  inWindow: Type.Boolean({ description: 'Whether any of its locations may run it now' }),
  nextCheckAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()], {
    description: 'When this gateway checks the probe next; null when it is not scheduled here (disabled, or this gateway is not one of its locations)',
  }),
  windowOpensAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()], {
    description: 'With reason outside_window: when its window or schedule opens next (null if never within a year); else null',
  }),
  lastResult: Type.Union([CheckResultSchema, Type.Null()], { description: 'The newest result among its locations' }),
  locations: Type.Array(LocationStatus, { description: "Each location of the probe, in its server's gateway order (all of them, whatever the filter)" }),
  locationsDown: Type.Integer({ minimum: 0, description: 'Locations that see it down' }),
  locationsUp: Type.Integer({ minimum: 0, description: 'Locations that see it up' }),
  locationsTotal: Type.Integer({ minimum: 1, description: "Its server's gateways" }),
  timeliness: Type.Union([Type.Literal('on_time'), Type.Literal('late'), Type.Literal('skipped'), Type.Null()], {
    description: 'Whether this gateway kept the latest slot of the probe: on_time; late (its check started more than max(1 s, a tenth of ' +
      'the interval) after it was due); skipped (its previous check still ran or still waited for an in-flight slot, so lastResult is ' +
      'older than the interval). null for a probe this gateway does not run.',
  }),
  missedSlotAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()], { description: 'Due time of the latest slot that was late or skipped' }),
  missedSlotReason: Type.Union([Type.Enum(MISSED_SLOT_REASONS), Type.Null()], {
    description: 'Why that slot was missed: overlap (the previous check still ran), queued (it still waited for a slot), late',
  }),
});
export type ProbeStatus = Static<typeof ProbeStatus>;
