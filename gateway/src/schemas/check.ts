// Check results as the API shows them, and the unsaved "Test connection" request.
import { Type, type Static } from 'typebox';
import { CHECK_OUTCOMES } from '../probing/types.js';
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

export const ProbeStatus = Type.Object({
  probeId: Id,
  serverId: Id,
  probe: Type.String(),
  server: Type.String(),
  target: Type.String({ description: 'host:port' }),
  enabled: Type.Boolean(),
  state: Type.Union([Type.Literal('up'), Type.Literal('down'), Type.Literal('nodata'), Type.Literal('disabled')], {
    description: 'nodata: outside its window or schedule, or not checked yet',
  }),
  inWindow: Type.Boolean(),
  lastResult: Type.Union([CheckResultSchema, Type.Null()]),
});
export type ProbeStatus = Static<typeof ProbeStatus>;
