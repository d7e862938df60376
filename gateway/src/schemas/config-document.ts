// The whole configuration as one document (export/import), keyed by names so it moves between gateways.
import { Type, type Static } from 'typebox';
import { Name } from './common.js';
import { ProbeInput } from './probe.js';
import { ScheduleInput } from './schedule.js';
import { ServerInput } from './server.js';

export const CONFIG_API_VERSION = 'probekit/v1';

const { version: _pv, scheduleId: _ps, ...probeDocFields } = ProbeInput.properties;
export const ProbeDocument = Type.Object(
  { ...probeDocFields, schedule: Type.Optional(Type.Union([Name, Type.Null()], { description: 'Schedule name' })) },
  { additionalProperties: false },
);
export type ProbeDocument = Static<typeof ProbeDocument>;

const { version: _sv, ...serverDocFields } = ServerInput.properties;
export const ServerDocument = Type.Object(
  { ...serverDocFields, probes: Type.Optional(Type.Array(ProbeDocument, { maxItems: 100000 })) },
  { additionalProperties: false },
);
export type ServerDocument = Static<typeof ServerDocument>;

const { version: _schv, ...scheduleDocFields } = ScheduleInput.properties;
export const ScheduleDocument = Type.Object(scheduleDocFields, { additionalProperties: false });
export type ScheduleDocument = Static<typeof ScheduleDocument>;

export const ConfigDocument = Type.Object(
  {
    apiVersion: Type.Literal(CONFIG_API_VERSION),
    kind: Type.Literal('Configuration'),
    schedules: Type.Optional(Type.Array(ScheduleDocument, { maxItems: 10000 })),
    servers: Type.Optional(Type.Array(ServerDocument, { maxItems: 10000 })),
  },
  { additionalProperties: false },
);
export type ConfigDocument = Static<typeof ConfigDocument>;

export const ImportQuery = Type.Object(
  {
    mode: Type.Optional(Type.Union([Type.Literal('merge'), Type.Literal('replace')], {
      default: 'merge',
      description: 'merge: create and update what the document names; replace: also delete what it does not name',
    })),
    dryRun: Type.Optional(Type.Boolean({ default: false, description: 'Report what would change, change nothing' })),
  },
  { additionalProperties: false },
);
export type ImportQuery = Static<typeof ImportQuery>;

const Counts = Type.Object({ created: Type.Integer(), updated: Type.Integer(), unchanged: Type.Integer(), deleted: Type.Integer() });
export const ImportSummary = Type.Object({
  dryRun: Type.Boolean(),
  mode: Type.String(),
  schedules: Counts,
  servers: Counts,
  probes: Counts,
});
export type ImportSummary = Static<typeof ImportSummary>;

export const ExportQuery = Type.Object(
  { format: Type.Optional(Type.Union([Type.Literal('json'), Type.Literal('yaml')], { default: 'json' })) },
  { additionalProperties: false },
);

