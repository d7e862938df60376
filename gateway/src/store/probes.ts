// Probes in SQLite: configuration, the latest results kept with it (per location, and the newest of all), and the joined view the engine runs from.
import { statementCache, type Db, type Statement } from './database.js';
import { assertVersion, auditView, likePattern, withUniqueName, pageOf, type AuditRow } from './rows.js';
import { NotFoundError } from '../domain/errors.js';
import { withDeepDefaults, type CheckResultView, type ReportedCheckResult } from '../schemas/check.js';
import type { Probe, ProbeQuery } from '../schemas/probe.js';
import type { Threshold } from '../schemas/threshold.js';

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
  private readonly sql: (sql: string) => Statement;

  constructor(private readonly db: Db) {
    this.sql = statementCache(db);
  }

  list(serverId: number, query: ProbeQuery) {
    const where = ['p.server_id = @serverId'];
    const params: Record<string, unknown> = { serverId };
    if (query.enabled !== undefined) { where.push('p.enabled = @enabled'); params.enabled = query.enabled ? 1 : 0; }
    if (query.q !== undefined && query.q !== '') {
      where.push(`(p.name LIKE @q ESCAPE '\\' OR p.host LIKE @q ESCAPE '\\' OR p.description LIKE @q ESCAPE '\\')`);
      params.q = likePattern(query.q);
    }
    const filter = ` WHERE ${where.join(' AND ')}`;
    const { limit, offset } = pageOf(query);
    const rows = this.sql(`${SELECT}${filter} ORDER BY p.name COLLATE NOCASE, p.id LIMIT @limit OFFSET @offset`).all({ ...params, limit, offset }) as ProbeRow[];
    const total = this.sql(`SELECT COUNT(*) FROM probes p${filter}`).pluck().get(params) as number;
    return { items: rows.map(toProbe), total, limit, offset };
  }

  /** Every probe, optionally only those run by one gateway (through their server's locations). */
  all(gateway?: string): Probe[] {
    const rows = gateway === undefined
      ? this.sql(`${SELECT} ORDER BY p.server_id, p.name COLLATE NOCASE`).all()
      : this.sql(`${SELECT} WHERE EXISTS (SELECT 1 FROM server_gateways g WHERE g.server_id = s.id AND g.gateway = ?)
          ORDER BY p.server_id, p.name COLLATE NOCASE`).all(gateway);
    return (rows as ProbeRow[]).map(toProbe);
  }

  get(id: number): Probe {
    const row = this.sql(`${SELECT} WHERE p.id = ?`).get(id) as ProbeRow | undefined;
    if (!row) throw new NotFoundError('probe', id);
    return toProbe(row);
  }

  ofServer(serverId: number): Probe[] {
    return (this.sql(`${SELECT} WHERE p.server_id = ? ORDER BY p.name COLLATE NOCASE`).all(serverId) as ProbeRow[]).map(toProbe);
  }

  /** Smallest interval among a server's probes that inherit its connect timeout (those the timeout must stay below). */
  shortestInheritingInterval(serverId: number): number | null {
    return this.sql('SELECT MIN(interval_seconds) FROM probes WHERE server_id = ? AND timeout_ms IS NULL').pluck().get(serverId) as number | null;
  }

  countUsingSchedule(scheduleId: number): number {
    return this.sql('SELECT COUNT(*) FROM probes WHERE schedule_id = ?').pluck().get(scheduleId) as number;
  }

  create(serverId: number, values: ProbeValues, user: string, now: string): Probe {
    const result = withUniqueName(() =>
      this.sql(`
        INSERT INTO probes (server_id, name, description, owner, schedule_id, window_begin, window_end, interval_seconds, host, port,
          timeout_ms, enabled, thresholds_json, tls_json, dialogue_json, ip_version, version, created_at, created_by, updated_at, updated_by)
        VALUES (@server_id, @name, @description, @owner, @schedule_id, @window_begin, @window_end, @interval_seconds, @host, @port,
          @timeout_ms, @enabled, @thresholds_json, @tls_json, @dialogue_json, @ip_version, 1, @now, @user, @now, @user)`).run({ ...columns(values), server_id: serverId, now, user }),
    values.name, 'another probe of this server');
    return this.get(Number(result.lastInsertRowid));
  }

  update(id: number, values: ProbeValues, expectedVersion: number | undefined, user: string, now: string): Probe {
    assertVersion(this.db, 'probes', 'probe', id, expectedVersion);
    withUniqueName(() =>
      this.sql(`
        UPDATE probes SET name = @name, description = @description, owner = @owner, schedule_id = @schedule_id,
          window_begin = @window_begin, window_end = @window_end, interval_seconds = @interval_seconds, host = @host, port = @port,
          timeout_ms = @timeout_ms, enabled = @enabled, thresholds_json = @thresholds_json,
          tls_json = @tls_json, dialogue_json = @dialogue_json, ip_version = @ip_version,
          version = version + 1, updated_at = @now, updated_by = @user
        WHERE id = @id`).run({ ...columns(values), id, now, user }),
    values.name, 'another probe of this server');
    return this.get(id);
  }

  delete(id: number): void {
    if (this.sql('DELETE FROM probes WHERE id = ?').run(id).changes === 0) throw new NotFoundError('probe', id);
  }

  /** The latest result of each location that reported one for the probe. */
  latestResults(probeId: number): CheckResultView[] {
    return (this.sql('SELECT result_json FROM probe_results WHERE probe_id = ?').pluck().all(probeId) as string[])
      .map(storedResult);
  }

  /**
   * Keeps each result as its location's latest (keyed by result.gateway), and with the probe when it is the newest
   * of any location; results do not bump the configuration version.
   */
  saveResults(results: Iterable<{ probeId: number; result: CheckResultView }>): void {
    // A probe deleted since its check has no row: the INSERT's foreign key would fail, so it selects the probe first.
    const perLocation = this.sql(`
      INSERT INTO probe_results (probe_id, gateway, result_json) SELECT id, @gateway, @json FROM probes WHERE id = @probeId
      ON CONFLICT (probe_id, gateway) DO UPDATE SET result_json = excluded.result_json`);
    // ISO times of one format compare as text.
    const newest = this.sql(`
      UPDATE probes SET last_result_json = @json,
        actual_host = COALESCE(@actualHost, actual_host), actual_ipv4 = COALESCE(@actualIpv4, actual_ipv4),
        actual_ip = COALESCE(@actualIp, actual_ip)
      WHERE id = @probeId AND (last_result_json IS NULL OR json_extract(last_result_json, '$.checkedAt') <= @checkedAt)`);
    // Results are rewritten by the next check, so they need not reach the disk before the transaction returns:
    // NORMAL spares an fsync per batch. Configuration writes keep FULL.
    this.db.pragma('synchronous = NORMAL');
    try {
      this.db.transaction(() => {
        for (const { probeId, result } of results) {
          // A transcript is for the one who ran the check on demand, not for keeping.
          const json = JSON.stringify(result.transcript === undefined ? result : { ...result, transcript: undefined });
          perLocation.run({ probeId, gateway: result.gateway, json });
          newest.run({
            probeId, json, checkedAt: result.checkedAt, actualHost: result.actualHost, actualIpv4: result.actualIpv4,
            actualIp: result.actualIp ?? result.actualAddress,
          });
        }
      })();
    } finally {
      this.db.pragma('synchronous = FULL');
    }
  }

}
