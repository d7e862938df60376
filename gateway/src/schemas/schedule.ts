// Schedule: named weekly windows in an IANA time zone, with whole-day exclusions (maintenance dates).
import { Type, type Static } from 'typebox';
import { Audit, HhMm, Id, Name, OptionalText, PageQuery, RULE, Version } from './common.js';

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;

export const WeeklyWindow = Type.Object(
  {
    days: Type.Array(Type.Enum(WEEKDAYS), { minItems: 1, maxItems: 7, uniqueItems: true }),
    begin: HhMm,
    end: Type.Union([HhMm], { description: 'Exclusive; an end before begin runs past midnight into the next day' }),
  },
  { additionalProperties: false },
);

const IsoDate = Type.String({ pattern: '^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$', [RULE]: 'be a date YYYY-MM-DD' });

const scheduleFields = {
  name: Name,
  description: OptionalText(1024),
  timeZone: Type.String({ minLength: 1, maxLength: 64, description: 'IANA time zone, e.g. Europe/Berlin' }),
  windows: Type.Array(WeeklyWindow, { maxItems: 64, description: 'When probes may run; empty means always' }),
  exclusions: Type.Array(IsoDate, { maxItems: 366, uniqueItems: true, description: 'Whole days (in timeZone) when probes do not run' }),
};

export const ScheduleInput = Type.Object(
  {
    name: scheduleFields.name,
    timeZone: scheduleFields.timeZone,
    description: Type.Optional(scheduleFields.description),
    windows: Type.Optional(scheduleFields.windows),
    exclusions: Type.Optional(scheduleFields.exclusions),
    version: Type.Optional(Version),
  },
  { additionalProperties: false },
);
export type ScheduleInput = Static<typeof ScheduleInput>;

export const Schedule = Type.Object({ id: Id, ...scheduleFields, ...Audit });
export type Schedule = Static<typeof Schedule>;

export const ScheduleQuery = Type.Object({ ...PageQuery }, { additionalProperties: false });
export type ScheduleQuery = Static<typeof ScheduleQuery>;
