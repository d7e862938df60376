// Gateway: a probing location, registered by the process that runs there.
import { Type, type Static } from 'typebox';

export const GatewayInfo = Type.Object({
  id: Type.String(),
  version: Type.String({ description: 'Software version the gateway runs' }),
  address: Type.Union([Type.String(), Type.Null()], { description: 'Where its HTTP API and /metrics listen' }),
  registeredAt: Type.String({ format: 'date-time' }),
  lastSeenAt: Type.String({ format: 'date-time' }),
  online: Type.Boolean(),
  self: Type.Boolean({ description: 'True for the gateway answering this request' }),
});
export type GatewayInfo = Static<typeof GatewayInfo>;
