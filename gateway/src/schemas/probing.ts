// Requests and answers of the probing endpoints: unsaved checks, status and result history.
import { Type, type Static } from 'typebox';
import { Id } from './common.js';
import { CheckResultSchema, ProbeStatus } from './check.js';
import { ProbeInput, Host, Port, TimeoutMs } from './probe.js';

export const CheckInput = Type.Object(
  {
    host: Host,
    port: Port,
    timeoutMs: Type.Optional(TimeoutMs),
    networkInterface: Type.Optional(Type.Union([Type.String({ minLength: 1, maxLength: 64 }), Type.Null()])),
    serverId: Type.Optional(Type.Union([Id], { description: "Take the connect timeout, network interface and shared account from this server" })),
    tls: ProbeInput.properties.tls,
    dialogue: ProbeInput.properties.dialogue,
    ipVersion: ProbeInput.properties.ipVersion,
  },
  { additionalProperties: false },
);
export type CheckInput = Static<typeof CheckInput>;

export const StatusQuery = Type.Object(
  {
    serverId: Type.Optional(Id),
    probeId: Type.Optional(Id),
    state: Type.Optional(Type.Union([Type.Literal('up'), Type.Literal('down'), Type.Literal('nodata'), Type.Literal('disabled')])),
    gateway: Type.Optional(Type.String({ maxLength: 64, description: 'Probes that run from this gateway, their state as this location sees it' })),
  },
  { additionalProperties: false },
);
export type StatusQuery = Static<typeof StatusQuery>;

export const StatusResponse = Type.Object({
  summary: Type.Object({ up: Type.Integer(), down: Type.Integer(), nodata: Type.Integer(), disabled: Type.Integer() }),
  items: Type.Array(ProbeStatus),
});

export const ResultsQuery = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
    gateway: Type.Optional(Type.String({ maxLength: 64, description: 'Only the results of this location' })),
  },
  { additionalProperties: false },
);

export const ResultsResponse = Type.Object({
  items: Type.Array(CheckResultSchema, {
    description: "Newest first: this gateway's recent results (if it runs the probe) and each other location's latest",
  }),
});
