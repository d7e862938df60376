// Check results as the API shows them, and the unsaved "Test connection" request.
import { Type, type Static } from 'typebox';
import { CHECK_OUTCOMES, MISSED_SLOT_REASONS } from '../probing/types.js';
import { Id } from './common.js';

export const Outcome = Type.Enum(CHECK_OUTCOMES);

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
});
export type CheckResultView = Static<typeof CheckResultSchema>;

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
