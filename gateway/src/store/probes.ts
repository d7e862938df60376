// Probes: configuration, the latest results kept with it (per location, and the newest of all), and the joined view the engine runs from.
import { assertVersion, auditView, likePattern, withUniqueName, pageOf, type AuditRow } from './rows.js';
import { NotFoundError } from '../domain/errors.js';
import { withDeepDefaults, type CheckResultView, type ReportedCheckResult } from '../schemas/check.js';
import type { Probe, ProbeQuery } from '../schemas/probe.js';
import type { Threshold } from '../schemas/threshold.js';
import { saveResultsInBulk, type KeptResult } from './postgres-results.js';
import { inSnapshotOf } from './servers.js';
import type { Sql } from './sql/types.js';

/** Every configurable field of a probe, defaults applied. */
export type ProbeValues = Omit<Probe,
  'id' | 'serverId' | 'effectiveTimeoutMs' | 'actualHost' | 'actualIpv4' | 'actualIp' | 'lastResult' | 'version' | 'createdAt' | 'createdBy' | 'updatedAt' | 'updatedBy'>;

interface ProbeRow extends AuditRow {
  id: number;
  server_id: number;
  name: string;
  description: string | null;
  owner: string | null;
  schedule_id: number | null;
  window_begin: string | null;
  window_end: string | null;
  interval_seconds: number;
  host: string;
  port: number;
  timeout_ms: number | null;
  enabled: number;
  thresholds_json: string;
  tls_json: string | null;
  dialogue_json: string | null;
  ip_version: string;
  actual_host: string | null;
  actual_ipv4: string | null;
  actual_ip: string | null;
  last_result_json: string | null;
  server_connect_timeout_ms: number;
}

const SELECT = `SELECT p.*, s.connect_timeout_ms AS server_connect_timeout_ms FROM probes p JOIN servers s ON s.id = p.server_id`;

function toProbe(row: ProbeRow): Probe {
  return {
    id: row.id,
    serverId: row.server_id,
    name: row.name,
    description: row.description,
    owner: row.owner,
    scheduleId: row.schedule_id,
    windowBegin: row.window_begin,
    windowEnd: row.window_end,
    intervalSeconds: row.interval_seconds,
    host: row.host,
    port: row.port,
    timeoutMs: row.timeout_ms,
    effectiveTimeoutMs: row.timeout_ms ?? row.server_connect_timeout_ms,
    enabled: row.enabled === 1,
    thresholds: JSON.parse(row.thresholds_json) as Threshold[],
    tls: row.tls_json === null ? null : (JSON.parse(row.tls_json) as Probe['tls']),
    dialogue: row.dialogue_json === null ? null : (JSON.parse(row.dialogue_json) as Probe['dialogue']),
    ipVersion: row.ip_version as Probe['ipVersion'],
    actualHost: row.actual_host,
    actualIpv4: row.actual_ipv4,
    actualIp: row.actual_ip,
    lastResult: row.last_result_json === null ? null : storedResult(row.last_result_json),
    ...auditView(row),
  };
}

function columns(values: ProbeValues) {
  return {
    name: values.name,
    description: values.description,
    owner: values.owner,
    schedule_id: values.scheduleId,
    window_begin: values.windowBegin,
    window_end: values.windowEnd,
    interval_seconds: values.intervalSeconds,
    host: values.host,
    port: values.port,
    timeout_ms: values.timeoutMs,
    enabled: values.enabled ? 1 : 0,
    thresholds_json: JSON.stringify(values.thresholds),
    tls_json: values.tls === null ? null : JSON.stringify(values.tls),
    dialogue_json: values.dialogue === null ? null : JSON.stringify(values.dialogue),
    ip_version: values.ipVersion,
  };
}

/** A stored result; one written before deeper checks lacks their keys, which read as none. */
function storedResult(json: string): CheckResultView {
  return withDeepDefaults(JSON.parse(json) as ReportedCheckResult);
}

export class ProbeRepository {
  private readonly byName: string;

  constructor(private readonly sql: Sql) {
    this.byName = sql.dialect.nocase('p.name');
  }

  async list(serverId: number, query: ProbeQuery) {
    const where = ['p.server_id = @serverId'];
    const params: Record<string, unknown> = { serverId };
    if (query.enabled !== undefined) { where.push('p.enabled = @enabled'); params.enabled = query.enabled ? 1 : 0; }
    if (query.q !== undefined && query.q !== '') {
      const like = this.sql.dialect.like;
      where.push(`(p.name ${like} @q ESCAPE '\\' OR p.host ${like} @q ESCAPE '\\' OR p.description ${like} @q ESCAPE '\\')`);
      params.q = likePattern(query.q);
    }
    const filter = ` WHERE ${where.join(' AND ')}`;
    const { limit, offset } = pageOf(query);
    const rows = await this.sql.all<ProbeRow>(`${SELECT}${filter} ORDER BY ${this.byName}, p.id LIMIT @limit OFFSET @offset`, { ...params, limit, offset });
    const total = (await this.sql.value<number>(`SELECT COUNT(*) FROM probes p${filter}`, params))!;
    return { items: rows.map(toProbe), total, limit, offset };
  }

  /** Every probe, optionally only those run by one gateway (through their server's locations). */
  async all(gateway?: string): Promise<Probe[]> {
    const rows = gateway === undefined
      ? await this.sql.all<ProbeRow>(`${SELECT} ORDER BY p.server_id, ${this.byName}, p.id`)
      : await this.sql.all<ProbeRow>(`${SELECT} WHERE EXISTS (SELECT 1 FROM server_gateways g WHERE g.server_id = s.id AND g.gateway = ?)
          ORDER BY p.server_id, ${this.byName}, p.id`, [gateway]);
    return rows.map(toProbe);
  }

  /** The probes of the servers of `gateway`'s snapshot (see inSnapshotOf), in the order of all(). */
  async inSnapshot(gateway: string, sinceIso: string): Promise<Probe[]> {
    const rows = await this.sql.all<ProbeRow>(`${SELECT} WHERE ${inSnapshotOf('s.id')} ORDER BY p.server_id, ${this.byName}, p.id`,
      { gateway, since: sinceIso });
    return rows.map(toProbe);
  }

  async get(id: number): Promise<Probe> {
    const row = await this.sql.get<ProbeRow>(`${SELECT} WHERE p.id = ?`, [id]);
    if (!row) throw new NotFoundError('probe', id);
    return toProbe(row);
  }

  /** The probes of `ids` that exist, by id (unknown ids are left out): one query per IDS_PER_QUERY ids. */
  async byIds(ids: readonly number[]): Promise<Map<number, Probe>> {
    const found = new Map<number, Probe>();
    for (const chunk of chunksOf(ids)) {
      for (const row of await this.sql.all<ProbeRow>(`${SELECT} WHERE p.id IN ${idsIn(this.sql)}`, [idsParam(this.sql, chunk)])) {
        found.set(row.id, toProbe(row));
      }
    }
    return found;
  }

  async ofServer(serverId: number): Promise<Probe[]> {
    return (await this.sql.all<ProbeRow>(`${SELECT} WHERE p.server_id = ? ORDER BY ${this.byName}, p.id`, [serverId])).map(toProbe);
  }

  /** Smallest interval among a server's probes that inherit its connect timeout (those the timeout must stay below). */
  async shortestInheritingInterval(serverId: number): Promise<number | null> {
    return (await this.sql.value<number | null>('SELECT MIN(interval_seconds) FROM probes WHERE server_id = ? AND timeout_ms IS NULL', [serverId])) ?? null;
  }

  async countUsingSchedule(scheduleId: number): Promise<number> {
    return (await this.sql.value<number>('SELECT COUNT(*) FROM probes WHERE schedule_id = ?', [scheduleId]))!;
  }

  async create(serverId: number, values: ProbeValues, user: string, now: string): Promise<Probe> {
    const id = (await withUniqueName(() =>
      this.sql.value<number>(`
        INSERT INTO probes (server_id, name, description, owner, schedule_id, window_begin, window_end, interval_seconds, host, port,
          timeout_ms, enabled, thresholds_json, tls_json, dialogue_json, ip_version, version, created_at, created_by, updated_at, updated_by)
        VALUES (@server_id, @name, @description, @owner, @schedule_id, @window_begin, @window_end, @interval_seconds, @host, @port,
          @timeout_ms, @enabled, @thresholds_json, @tls_json, @dialogue_json, @ip_version, 1, @now, @user, @now, @user)
        RETURNING id`, { ...columns(values), server_id: serverId, now, user }),
    values.name, 'another probe of this server'))!;
    return this.get(id);
  }

  async update(id: number, values: ProbeValues, expectedVersion: number | undefined, user: string, now: string): Promise<Probe> {
    await assertVersion(this.sql, 'probes', 'probe', id, expectedVersion);
    await withUniqueName(() =>
      this.sql.run(`
        UPDATE probes SET name = @name, description = @description, owner = @owner, schedule_id = @schedule_id,
          window_begin = @window_begin, window_end = @window_end, interval_seconds = @interval_seconds, host = @host, port = @port,
          timeout_ms = @timeout_ms, enabled = @enabled, thresholds_json = @thresholds_json,
          tls_json = @tls_json, dialogue_json = @dialogue_json, ip_version = @ip_version,
          version = version + 1, updated_at = @now, updated_by = @user
        WHERE id = @id`, { ...columns(values), id, now, user }),
    values.name, 'another probe of this server');
    return this.get(id);
  }

  async delete(id: number): Promise<void> {
    if ((await this.sql.run('DELETE FROM probes WHERE id = ?', [id])).changes === 0) throw new NotFoundError('probe', id);
  }

  /** The latest result of each location that reported one for the probe. */
  async latestResults(probeId: number): Promise<CheckResultView[]> {
    return (await this.sql.column<string>('SELECT result_json FROM probe_results WHERE probe_id = ? ORDER BY gateway', [probeId]))
      .map(storedResult);
  }

  /**
   * latestResults of each of `probeIds` (each in the same order, by gateway; [] for one without results) in one query
   * per IDS_PER_QUERY ids rather than one per probe.
   */
  async latestResultsOf(probeIds: readonly number[]): Promise<Map<number, CheckResultView[]>> {
    const results = new Map<number, CheckResultView[]>(probeIds.map((id) => [id, []]));
    for (const chunk of chunksOf(probeIds)) {
      const rows = await this.sql.all<{ probe_id: number; result_json: string }>(
        `SELECT probe_id, result_json FROM probe_results WHERE probe_id IN ${idsIn(this.sql)} ORDER BY probe_id, gateway`, [idsParam(this.sql, chunk)]);
      for (const row of rows) results.get(row.probe_id)!.push(storedResult(row.result_json));
    }
    return results;
  }

  /**
   * Keeps each result as its location's latest (keyed by result.gateway), and with the probe when it is the newest
   * of any location; results do not bump the configuration version.
   */
  async saveResults(results: Iterable<{ probeId: number; result: CheckResultView }>): Promise<void> {
    const batch = [...results];
    if (batch.length === 0) return;
    // Results are rewritten by the next check, so they need not reach the disk before the transaction returns.
    await this.sql.transaction(async (tx) => {
      // Each statement is a round trip to PostgreSQL: there the batch goes in a few statements, not two per result.
      if (tx.dialect.name === 'postgres') await saveResultsInBulk(tx, batch.map(keptResult));
      else await saveResultsRowByRow(tx, batch);
    }, { durable: false });
  }
}

/** Ids per query of byIds and latestResultsOf: bounds one statement's parameter for very long lists. */
const IDS_PER_QUERY = 10_000;

/** `ids` without repeats, in slices of IDS_PER_QUERY. */
function chunksOf(ids: readonly number[]): number[][] {
  const distinct = [...new Set(ids)];
  const chunks: number[][] = [];
  for (let start = 0; start < distinct.length; start += IDS_PER_QUERY) chunks.push(distinct.slice(start, start + IDS_PER_QUERY));
  return chunks;
}

/**
 * The right-hand side of `IN` for a list of ids given as one parameter (see idsParam): one statement text for any
 * number of ids, so neither dialect's statement cache fills with a text per list length.
 */
function idsIn(sql: Sql): string {
  return sql.dialect.name === 'postgres' ? '(SELECT unnest(?::integer[]))' : '(SELECT value FROM json_each(?))';
}

function idsParam(sql: Sql, ids: readonly number[]): unknown {
  return sql.dialect.name === 'postgres' ? ids : JSON.stringify(ids);
}

// A probe deleted since its check has no row: the INSERT's foreign key would fail, so it selects the probe first.
const PER_LOCATION = `
  INSERT INTO probe_results (probe_id, gateway, result_json) SELECT id, CAST(@gateway AS TEXT), CAST(@json AS TEXT) FROM probes WHERE id = @probeId
  ON CONFLICT (probe_id, gateway) DO UPDATE SET result_json = excluded.result_json`;

/** In-process SQLite writes a statement in microseconds: two per result is fastest there. */
async function saveResultsRowByRow(tx: Sql, batch: readonly { probeId: number; result: CheckResultView }[]): Promise<void> {
  // ISO times of one format compare as text.
  const newest = `
    UPDATE probes SET last_result_json = @json,
      actual_host = COALESCE(@actualHost, actual_host), actual_ipv4 = COALESCE(@actualIpv4, actual_ipv4),
      actual_ip = COALESCE(@actualIp, actual_ip)
    WHERE id = @probeId AND (last_result_json IS NULL OR ${tx.dialect.jsonText('last_result_json', 'checkedAt')} <= @checkedAt)`;
  for (const { probeId, result } of batch) {
    const json = keptJson(result);
    await tx.run(PER_LOCATION, { probeId, gateway: result.gateway, json });
    await tx.run(newest, {
      probeId, json, checkedAt: result.checkedAt, actualHost: result.actualHost ?? null, actualIpv4: result.actualIpv4 ?? null,
      actualIp: result.actualIp ?? result.actualAddress ?? null,
    });
  }
}

/** A transcript is for the one who ran the check on demand, not for keeping. */
function keptJson(result: CheckResultView): string {
  return JSON.stringify(result.transcript === undefined ? result : { ...result, transcript: undefined });
}

function keptResult({ probeId, result }: { probeId: number; result: CheckResultView }): KeptResult {
  return {
    probeId, gateway: result.gateway, json: keptJson(result), checkedAt: result.checkedAt,
    actualHost: result.actualHost ?? null, actualIpv4: result.actualIpv4 ?? null, actualIp: result.actualIp ?? result.actualAddress ?? null,
  };
}
