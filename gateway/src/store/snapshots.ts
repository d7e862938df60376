// The part of the configuration one gateway runs, copied with its ids: what an agent pulls and keeps on disk.
import type { LocationSlot } from '../domain/location-slots.js';
import type { Probe } from '../schemas/probe.js';
import type { Schedule } from '../schemas/schedule.js';
import type { Server } from '../schemas/server.js';
import { ProbeRepository } from './probes.js';
import { ScheduleRepository } from './schedules.js';
import { ServerRepository, type ServerMove } from './servers.js';
import type { Sql } from './sql/types.js';

export interface GatewaySnapshot {
  gateway: string;
  servers: Server[];
  probes: Probe[];
  schedules: Schedule[];
  /** Recent moves to or from this gateway, for the hand-over of moved servers. */
  moves: ServerMove[];
  /** Every location of these servers with its slot: where in the interval each gateway runs their probes. */
  locations: (LocationSlot & { serverId: number })[];
}

export interface SnapshotDiff {
  serverIds: number[];
  removedProbeIds: number[];
}

const UPSERT_SCHEDULE = `
  INSERT INTO schedules (id, name, description, time_zone, windows_json, exclusions_json, version, created_at, created_by, updated_at, updated_by)
  VALUES (@id, @name, @description, @timeZone, @windows, @exclusions, @version, @createdAt, @createdBy, @updatedAt, @updatedBy)
  ON CONFLICT (id) DO UPDATE SET name = excluded.name, description = excluded.description, time_zone = excluded.time_zone,
    windows_json = excluded.windows_json, exclusions_json = excluded.exclusions_json, version = excluded.version,
    updated_at = excluded.updated_at, updated_by = excluded.updated_by`;

const UPSERT_SERVER = `
  INSERT INTO servers (id, name, description, organization, owner, role, site, shared_account, network_interface,
    connect_timeout_ms, enabled, thresholds_json, version, created_at, created_by, updated_at, updated_by)
  VALUES (@id, @name, @description, @organization, @owner, @role, @site, @sharedAccount, @networkInterface,
    @connectTimeoutMs, @enabled, @thresholds, @version, @createdAt, @createdBy, @updatedAt, @updatedBy)
  ON CONFLICT (id) DO UPDATE SET name = excluded.name, description = excluded.description, organization = excluded.organization,
    owner = excluded.owner, role = excluded.role, site = excluded.site,
    shared_account = excluded.shared_account, network_interface = excluded.network_interface,
    connect_timeout_ms = excluded.connect_timeout_ms, enabled = excluded.enabled, thresholds_json = excluded.thresholds_json,
    version = excluded.version, updated_at = excluded.updated_at, updated_by = excluded.updated_by`;

const UPSERT_PROBE = `
  INSERT INTO probes (id, server_id, name, description, owner, schedule_id, window_begin, window_end, interval_seconds, host, port,
    timeout_ms, enabled, thresholds_json, tls_json, dialogue_json, ip_version, version, created_at, created_by, updated_at, updated_by)
  VALUES (@id, @serverId, @name, @description, @owner, @scheduleId, @windowBegin, @windowEnd, @intervalSeconds, @host, @port,
    @timeoutMs, @enabled, @thresholds, @tls, @dialogue, @ipVersion, @version, @createdAt, @createdBy, @updatedAt, @updatedBy)
  ON CONFLICT (id) DO UPDATE SET server_id = excluded.server_id, name = excluded.name, description = excluded.description,
    owner = excluded.owner, schedule_id = excluded.schedule_id, window_begin = excluded.window_begin, window_end = excluded.window_end,
    interval_seconds = excluded.interval_seconds, host = excluded.host, port = excluded.port, timeout_ms = excluded.timeout_ms,
    enabled = excluded.enabled, thresholds_json = excluded.thresholds_json, tls_json = excluded.tls_json,
    dialogue_json = excluded.dialogue_json, ip_version = excluded.ip_version, version = excluded.version,
    updated_at = excluded.updated_at, updated_by = excluded.updated_by`;

const audit = (o: { version: number; createdAt: string; createdBy: string; updatedAt: string; updatedBy: string }) =>
  ({ version: o.version, createdAt: o.createdAt, createdBy: o.createdBy, updatedAt: o.updatedAt, updatedBy: o.updatedBy });

export class SnapshotRepository {
  /** Reads and writes go through repositories bound to each transaction, so this needs only the database. */
  constructor(private readonly sql: Sql) {}

  /**
   * Servers that run from `gateway`, and those that left it since `movesSinceIso` (still handing over), with their
   * probes: read in SQL, so the cost follows the gateway's share of the configuration rather than all of it.
   */
  snapshotFor(gateway: string, movesSinceIso: string): Promise<GatewaySnapshot> {
    // One view for all the reads, so a write committed between two of them cannot give a mixed snapshot.
    return this.sql.transaction(async (tx) => {
      const servers = new ServerRepository(tx);
      const serverList = await servers.inSnapshot(gateway, movesSinceIso);
      // Results are not configuration: leaving them out keeps the snapshot (and its ETag) still while probes run.
      const probes = (await new ProbeRepository(tx).inSnapshot(gateway, movesSinceIso))
        .map((p) => ({ ...p, actualHost: null, actualIpv4: null, actualIp: null, lastResult: null }));
      // Schedules are few whatever the number of servers: reading them all costs little.
      const scheduleIds = new Set(probes.map((p) => p.scheduleId).filter((id): id is number => id !== null));
      const schedules = (await new ScheduleRepository(tx).all()).filter((s) => scheduleIds.has(s.id));
      const moves = await servers.movesInSnapshot(gateway, movesSinceIso);
      const locations = await servers.locationsInSnapshot(gateway, movesSinceIso);
      return { gateway, servers: serverList, probes, schedules, moves, locations };
    }, { snapshot: true });
  }

  /**
   * Makes this store hold exactly the snapshot, ids kept, in one transaction. Latest results stay with probes that
   * remain. Returns what changed for the engine.
   */
  apply(snapshot: GatewaySnapshot): Promise<SnapshotDiff> {
    // Inside the transaction only `tx` may be used (on SQLite the outer handle would wait for the transaction to end).
    return this.sql.transaction(async (tx) => {
      const keepProbes = new Set(snapshot.probes.map((p) => p.id));
      const keepServers = new Set(snapshot.servers.map((s) => s.id));
      const keepSchedules = new Set(snapshot.schedules.map((s) => s.id));
      const previousServers = await tx.column<number>('SELECT id FROM servers ORDER BY id');
      const removedProbeIds = (await tx.column<number>('SELECT id FROM probes ORDER BY id')).filter((id) => !keepProbes.has(id));

      // Remove first, so a name freed by a deleted object can be taken by an upserted one.
      for (const id of removedProbeIds) await tx.run('DELETE FROM probes WHERE id = ?', [id]);
      for (const id of previousServers) if (!keepServers.has(id)) await tx.run('DELETE FROM servers WHERE id = ?', [id]);

      for (const s of snapshot.schedules) {
        await tx.run(UPSERT_SCHEDULE, {
          id: s.id, name: s.name, description: s.description, timeZone: s.timeZone,
          windows: JSON.stringify(s.windows), exclusions: JSON.stringify(s.exclusions), ...audit(s),
        });
      }

      // A control plane older than locations sends `gateway` and no `locations`: one location at slot 0.
      const locations = new Map<number, LocationSlot[]>();
      for (const l of snapshot.locations ?? []) locations.set(l.serverId, [...(locations.get(l.serverId) ?? []), { gateway: l.gateway, slot: l.slot }]);
      const servers = new ServerRepository(tx);
      for (const s of snapshot.servers) {
        await tx.run(UPSERT_SERVER, {
          id: s.id, name: s.name, description: s.description, organization: s.organization, owner: s.owner, role: s.role, site: s.site,
          sharedAccount: s.sharedAccount ?? null, networkInterface: s.networkInterface ?? null, connectTimeoutMs: s.connectTimeoutMs,
          enabled: s.enabled ? 1 : 0, thresholds: JSON.stringify(s.thresholds), ...audit(s),
        });
        const { gateways, gateway: oldGateway } = s as typeof s & { gateway?: string };
        const fallback = (gateways ?? [oldGateway!]).map((gateway, slot) => ({ gateway, slot }));
        await servers.writeLocations(s.id, locations.get(s.id) ?? fallback);
      }

      for (const p of snapshot.probes) {
        // A control plane older than deeper checks sends none of their fields: plain checks, any address family.
        const deep = p as Partial<Pick<Probe, 'tls' | 'dialogue' | 'ipVersion'>>;
        await tx.run(UPSERT_PROBE, {
          id: p.id, serverId: p.serverId, name: p.name, description: p.description, owner: p.owner, scheduleId: p.scheduleId,
          windowBegin: p.windowBegin, windowEnd: p.windowEnd, intervalSeconds: p.intervalSeconds, host: p.host, port: p.port,
          timeoutMs: p.timeoutMs, enabled: p.enabled ? 1 : 0, thresholds: JSON.stringify(p.thresholds),
          tls: deep.tls ? JSON.stringify(deep.tls) : null, dialogue: deep.dialogue ? JSON.stringify(deep.dialogue) : null,
          ipVersion: deep.ipVersion ?? 'auto', ...audit(p),
        });
      }
      for (const id of await tx.column<number>('SELECT id FROM schedules')) {
        if (!keepSchedules.has(id)) await tx.run('DELETE FROM schedules WHERE id = ?', [id]);
      }

      await tx.run('DELETE FROM server_moves');
      for (const m of snapshot.moves) {
        await tx.run('INSERT INTO server_moves (server_id, from_gateway, to_gateway, moved_at) VALUES (?, ?, ?, ?)', [m.serverId, m.fromGateway, m.toGateway, m.movedAt]);
      }
      await advanceIdsPastCopies(tx);

      return { serverIds: [...new Set([...previousServers, ...keepServers])], removedProbeIds };
    });
  }
}

/**
 * PostgreSQL's identity sequences do not notice rows inserted with explicit ids: moves each past the highest id, so a
 * later create gets a fresh one (never backwards, so ids of deleted rows stay unused). SQLite's AUTOINCREMENT does this
 * by itself.
 */
async function advanceIdsPastCopies(tx: Sql): Promise<void> {
  if (tx.dialect.name !== 'postgres') return;
  for (const table of ['schedules', 'servers', 'probes']) {
    const sequence = `pg_get_serial_sequence('${table}', 'id')`;
    await tx.value(`SELECT setval(${sequence}, MAX(id)) FROM ${table}
      HAVING MAX(id) > COALESCE(pg_sequence_last_value(${sequence}::regclass), 0)`);
  }
}
