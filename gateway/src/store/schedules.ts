// Schedules in SQLite.
import { statementCache, type Db, type Statement } from './database.js';
import { assertVersion, auditView, likePattern, withUniqueName, pageOf, type AuditRow } from './rows.js';
import { ConflictError, NotFoundError } from '../domain/errors.js';
import type { Schedule, ScheduleQuery } from '../schemas/schedule.js';

export type ScheduleValues = Omit<Schedule, 'id' | 'version' | 'createdAt' | 'createdBy' | 'updatedAt' | 'updatedBy'>;

interface ScheduleRow extends AuditRow {
  id: number;
  name: string;
  description: string | null;
  time_zone: string;
  windows_json: string;
  exclusions_json: string;
}

function toSchedule(row: ScheduleRow): Schedule {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    timeZone: row.time_zone,
    windows: JSON.parse(row.windows_json) as Schedule['windows'],
    exclusions: JSON.parse(row.exclusions_json) as string[],
    ...auditView(row),
  };
}

function columns(values: ScheduleValues) {
  return {
    name: values.name,
    description: values.description,
    time_zone: values.timeZone,
    windows_json: JSON.stringify(values.windows),
    exclusions_json: JSON.stringify(values.exclusions),
  };
}

export class ScheduleRepository {
  private readonly sql: (sql: string) => Statement;

  constructor(private readonly db: Db) {
    this.sql = statementCache(db);
  }

  list(query: ScheduleQuery) {
    const hasText = query.q !== undefined && query.q !== '';
    const filter = hasText ? ` WHERE name LIKE @q ESCAPE '\\' OR description LIKE @q ESCAPE '\\'` : '';
    const params = hasText ? { q: likePattern(query.q!) } : {};
    const { limit, offset } = pageOf(query);
    const rows = this.sql(`SELECT * FROM schedules${filter} ORDER BY name COLLATE NOCASE, id LIMIT @limit OFFSET @offset`).all({ ...params, limit, offset }) as ScheduleRow[];
    const total = this.sql(`SELECT COUNT(*) FROM schedules${filter}`).pluck().get(params) as number;
    return { items: rows.map(toSchedule), total, limit, offset };
  }

  all(): Schedule[] {
    return (this.sql('SELECT * FROM schedules ORDER BY name COLLATE NOCASE, id').all() as ScheduleRow[]).map(toSchedule);
  }

  get(id: number): Schedule {
    const row = this.sql('SELECT * FROM schedules WHERE id = ?').get(id) as ScheduleRow | undefined;
    if (!row) throw new NotFoundError('schedule', id);
    return toSchedule(row);
  }

  exists(id: number): boolean {
    return this.sql('SELECT 1 FROM schedules WHERE id = ?').get(id) !== undefined;
  }

  findByName(name: string): Schedule | undefined {
    const row = this.sql('SELECT * FROM schedules WHERE name = ?').get(name) as ScheduleRow | undefined;
    return row && toSchedule(row);
  }

  create(values: ScheduleValues, user: string, now: string): Schedule {
    const result = withUniqueName(() =>
      this.sql(`
        INSERT INTO schedules (name, description, time_zone, windows_json, exclusions_json, version, created_at, created_by, updated_at, updated_by)
        VALUES (@name, @description, @time_zone, @windows_json, @exclusions_json, 1, @now, @user, @now, @user)`).run({ ...columns(values), now, user }),
    values.name, 'another schedule');
    return this.get(Number(result.lastInsertRowid));
  }

  update(id: number, values: ScheduleValues, expectedVersion: number | undefined, user: string, now: string): Schedule {
    assertVersion(this.db, 'schedules', 'schedule', id, expectedVersion);
    withUniqueName(() =>
      this.sql(`
        UPDATE schedules SET name = @name, description = @description, time_zone = @time_zone, windows_json = @windows_json,
          exclusions_json = @exclusions_json, version = version + 1, updated_at = @now, updated_by = @user
        WHERE id = @id`).run({ ...columns(values), id, now, user }),
    values.name, 'another schedule');
    return this.get(id);
  }

  delete(id: number): void {
    const users = this.sql('SELECT COUNT(*) FROM probes WHERE schedule_id = ?').pluck().get(id) as number;
    if (users > 0) throw new ConflictError('id', `schedule ${id} is used by ${users} probe(s); move them to another schedule first`);
    if (this.sql('DELETE FROM schedules WHERE id = ?').run(id).changes === 0) throw new NotFoundError('schedule', id);
  }

}
