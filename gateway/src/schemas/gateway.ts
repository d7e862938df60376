// Gateway: a probing location. Those that run register themselves; a name servers use before it ever ran is listed too.
import { Type, type Static } from 'typebox';
import { RuleString } from './common.js';
import { Team } from './threshold.js';
import { GATEWAY_NAME_RULE } from '../domain/field-rules.js';

const orNull = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T, description: string) => Type.Union([schema, Type.Null()], { description });

export const GatewayInfo = Type.Object({
  id: Type.String(),
  version: orNull(Type.String(), 'Software version the gateway runs; null when it never announced itself'),
  address: orNull(Type.String(), 'Where its HTTP API and /metrics listen'),
  registeredAt: orNull(Type.String({ format: 'date-time' }), 'When it first announced itself'),
  lastSeenAt: orNull(Type.String({ format: 'date-time' }), 'Its latest heartbeat'),
  online: Type.Boolean(),
  state: Type.Union([Type.Literal('online'), Type.Literal('offline'), Type.Literal('never_seen')], {
    description: 'never_seen: named by servers (or given a team) but it has not announced itself yet',
  }),
  self: Type.Boolean({ description: 'True for the gateway answering this request' }),
  team: orNull(Team, 'The team its path alerts (TcpProbePathDown) go to; null: the team of the threshold that raised it'),
  serverCount: Type.Integer({ description: 'How many probe servers run from it' }),
});
export type GatewayInfo = Static<typeof GatewayInfo>;

export const GatewayParams = Type.Object({ id: RuleString(GATEWAY_NAME_RULE) });

export const GatewayPatch = Type.Object(
  { team: Type.Union([Team, Type.Null()], { description: 'The team of its path alerts; null clears it' }) },
  { additionalProperties: false },
);
export type GatewayPatch = Static<typeof GatewayPatch>;
