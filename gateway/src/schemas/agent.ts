// What agents and the control plane exchange: heartbeats with results, and configuration snapshots.
import { Type, type Static } from 'typebox';
import { ReportedCheckResultSchema } from './check.js';
import { Id } from './common.js';

export const ProbeReportSchema = Type.Object(
  { probeId: Id, active: Type.Boolean(), result: Type.Union([ReportedCheckResultSchema, Type.Null()]) },
  { additionalProperties: false },
);

export const Heartbeat = Type.Object(
  {
    version: Type.String({ maxLength: 64 }),
    address: Type.Union([Type.String({ maxLength: 512 }), Type.Null()], { description: 'Where Prometheus reaches this agent, e.g. http://10.1.2.3:8080' }),
    reports: Type.Array(ProbeReportSchema, { maxItems: 200000 }),
  },
  { additionalProperties: false },
);
export type Heartbeat = Static<typeof Heartbeat>;

export const ConfigPollQuery = Type.Object(
  { wait: Type.Optional(Type.Integer({ minimum: 0, maximum: 60, description: 'Seconds to hold the request when nothing changed' })) },
  { additionalProperties: false },
);
