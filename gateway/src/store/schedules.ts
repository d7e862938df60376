// Schedules: the only place their SQL lives.
import { assertVersion, auditView, likePattern, withUniqueName, pageOf, type AuditRow } from './rows.js';
import { ConflictError, NotFoundError } from '../domain/errors.js';
import type { Schedule, ScheduleQuery } from '../schemas/schedule.js';
import type { Sql } from './sql/types.js';

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
  private readonly byName: string;

  constructor(private readonly sql: Sql) {
    this.byName = `ORDER BY ${sql.dialect.nocase('name')}, id`;
  }

  async list(query: ScheduleQuery) {
    const hasText = query.q !== undefined && query.q !== '';
    const like = this.sql.dialect.like;
    const filter = hasText ? ` WHERE name ${like} @q ESCAPE '\\' OR description ${like} @q ESCAPE '\\'` : '';
    const params = hasText ? { q: likePattern(query.q!) } : undefined;
    const { limit, offset } = pageOf(query);
    const rows = await this.sql.all<ScheduleRow>(`SELECT * FROM schedules${filter} ${this.byName} LIMIT @limit OFFSET @offset`, { ...params, limit, offset });
    const total = (await this.sql.value<number>(`SELECT COUNT(*) FROM schedules${filter}`, params))!;
    return { items: rows.map(toSchedule), total, limit, offset };
  }

  async all(): Promise<Schedule[]> {
    return (await this.sql.all<ScheduleRow>(`SELECT * FROM schedules ${this.byName}`)).map(toSchedule);
  }

  async get(id: number): Promise<Schedule> {
    const row = await this.sql.get<ScheduleRow>('SELECT * FROM schedules WHERE id = ?', [id]);
    if (!row) throw new NotFoundError('schedule', id);
    return toSchedule(row);
  }

  async exists(id: number): Promise<boolean> {
    return (await this.sql.value('SELECT 1 FROM schedules WHERE id = ?', [id])) !== undefined;
  }

  async findByName(name: string): Promise<Schedule | undefined> {
    const row = await this.sql.get<ScheduleRow>('SELECT * FROM schedules WHERE name = ?', [name]);
    return row && toSchedule(row);
  }

  async create(values: ScheduleValues, user: string, now: string): Promise<Schedule> {
    const id = (await withUniqueName(() =>
      this.sql.value<number>(`
        INSERT INTO schedules (name, description, time_zone, windows_json, exclusions_json, version, created_at, created_by, updated_at, updated_by)
        VALUES (@name, @description, @time_zone, @windows_json, @exclusions_json, 1, @now, @user, @now, @user)
        RETURNING id`, { ...columns(values), now, user }),
    values.name, 'another schedule'))!;
    return this.get(id);
  }

  async update(id: number, values: ScheduleValues, expectedVersion: number | undefined, user: string, now: string): Promise<Schedule> {
    await assertVersion(this.sql, 'schedules', 'schedule', id, expectedVersion);
    await withUniqueName(() =>
      this.sql.run(`
        UPDATE schedules SET name = @name, description = @description, time_zone = @time_zone, windows_json = @windows_json,
          exclusions_json = @exclusions_json, version = version + 1, updated_at = @now, updated_by = @user
        WHERE id = @id`, { ...columns(values), id, now, user }),
    values.name, 'another schedule');
    return this.get(id);
  }

  async delete(id: number): Promise<void> {
    const users = (await this.sql.value<number>('SELECT COUNT(*) FROM probes WHERE schedule_id = ?', [id]))!;
    if (users > 0) throw new ConflictError('id', `schedule ${id} is used by ${users} probe(s); move them to another schedule first`);
    if ((await this.sql.run('DELETE FROM schedules WHERE id = ?', [id])).changes === 0) throw new NotFoundError('schedule', id);
  }
}
