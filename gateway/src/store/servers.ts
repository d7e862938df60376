// Probe servers in SQLite: the only place their SQL lives.
import { statementCache, type Db, type Statement } from './database.js';
import { assertVersion, auditView, likePattern, withUniqueName, pageOf, type AuditRow } from './rows.js';
import { NotFoundError } from '../domain/errors.js';
import { assignSlots, type LocationSlot } from '../domain/location-slots.js';
import type { Server, ServerQuery } from '../schemas/server.js';
import type { Threshold } from '../schemas/threshold.js';

/** Every field of a server, defaults applied: what create and update write. */
export type ServerValues = Omit<Server, 'id' | 'probeCount' | 'version' | 'createdAt' | 'createdBy' | 'updatedAt' | 'updatedBy'>;

interface ServerRow extends AuditRow {
  id: number;
  name: string;
  description: string | null;
  organization: string | null;
  owner: string | null;
  role: string | null;
  site: string | null;
  gateways_json: string;
  shared_account: string | null;
  network_interface: string | null;
  connect_timeout_ms: number;
  enabled: number;
  thresholds_json: string;
  probe_count: number;
}

/** A server's location replaced by another at `movedAt` (ISO time): the new gateway took the old one's slot. */
export interface ServerMove {
  serverId: number;
  fromGateway: string;
  toGateway: string;
  movedAt: string;
}

interface MoveRow {
  server_id: number;
  from_gateway: string;
  to_gateway: string;
  moved_at: string;
}

const toMove = (row: MoveRow): ServerMove => ({ serverId: row.server_id, fromGateway: row.from_gateway, toGateway: row.to_gateway, movedAt: row.moved_at });

const SELECT = `SELECT s.*, (SELECT COUNT(*) FROM probes p WHERE p.server_id = s.id) AS probe_count,
  (SELECT json_group_array(g.gateway ORDER BY g.position) FROM server_gateways g WHERE g.server_id = s.id) AS gateways_json
  FROM servers s`;

function toServer(row: ServerRow): Server {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    organization: row.organization,
    owner: row.owner,
    role: row.role,
    site: row.site,
    gateways: JSON.parse(row.gateways_json) as string[],
    sharedAccount: row.shared_account,
    networkInterface: row.network_interface,
    connectTimeoutMs: row.connect_timeout_ms,
    enabled: row.enabled === 1,
    thresholds: JSON.parse(row.thresholds_json) as Threshold[],
    probeCount: row.probe_count,
    ...auditView(row),
  };
}

function columns(values: ServerValues) {
  return {
    name: values.name,
    description: values.description,
    organization: values.organization,
    owner: values.owner,
    role: values.role,
    site: values.site,
    shared_account: values.sharedAccount,
    network_interface: values.networkInterface,
    connect_timeout_ms: values.connectTimeoutMs,
    enabled: values.enabled ? 1 : 0,
    thresholds_json: JSON.stringify(values.thresholds),
  };
}

export class ServerRepository {
  private readonly sql: (sql: string) => Statement;

  constructor(private readonly db: Db) {
    this.sql = statementCache(db);
  }

  list(query: ServerQuery) {
    const where: string[] = [];
    const params: Record<string, unknown> = {};
    if (query.gateway !== undefined) {
      where.push('EXISTS (SELECT 1 FROM server_gateways g WHERE g.server_id = s.id AND g.gateway = @gateway)');
      params.gateway = query.gateway;
    }
    if (query.site !== undefined) { where.push('s.site = @site'); params.site = query.site; }
    if (query.role !== undefined) { where.push('s.role = @role'); params.role = query.role; }
    if (query.q !== undefined && query.q !== '') {
      where.push(`(s.name LIKE @q ESCAPE '\\' OR s.description LIKE @q ESCAPE '\\' OR s.owner LIKE @q ESCAPE '\\' OR s.organization LIKE @q ESCAPE '\\')`);
      params.q = likePattern(query.q);
    }
    const filter = where.length > 0 ? ` WHERE ${where.join(' AND ')}` : '';
    const { limit, offset } = pageOf(query);
    const rows = this.sql(`${SELECT}${filter} ORDER BY s.name COLLATE NOCASE, s.id LIMIT @limit OFFSET @offset`).all({ ...params, limit, offset }) as ServerRow[];
    const total = this.sql(`SELECT COUNT(*) FROM servers s${filter}`).pluck().get(params) as number;
    return { items: rows.map(toServer), total, limit, offset };
  }

  all(): Server[] {
    return (this.sql(`${SELECT} ORDER BY s.name COLLATE NOCASE, s.id`).all() as ServerRow[]).map(toServer);
  }

  get(id: number): Server {
    const row = this.sql(`${SELECT} WHERE s.id = ?`).get(id) as ServerRow | undefined;
    if (!row) throw new NotFoundError('server', id);
    return toServer(row);
  }

  findByName(name: string): Server | undefined {
    const row = this.sql(`${SELECT} WHERE s.name = ?`).get(name) as ServerRow | undefined;
    return row && toServer(row);
  }

  create(values: ServerValues, user: string, now: string): Server {
    const result = withUniqueName(() =>
      this.sql(`
        INSERT INTO servers (name, description, organization, owner, role, site, shared_account, network_interface,
          connect_timeout_ms, enabled, thresholds_json, version, created_at, created_by, updated_at, updated_by)
        VALUES (@name, @description, @organization, @owner, @role, @site, @shared_account, @network_interface,
          @connect_timeout_ms, @enabled, @thresholds_json, 1, @now, @user, @now, @user)`).run({ ...columns(values), now, user }),
    values.name, 'another server');
    const id = Number(result.lastInsertRowid);
    this.writeLocations(id, assignSlots([], values.gateways).locations);
    return this.get(id);
  }

  update(id: number, values: ServerValues, expectedVersion: number | undefined, user: string, now: string): Server {
    assertVersion(this.db, 'servers', 'server', id, expectedVersion);
    const { locations, moves } = assignSlots(this.locationsOf(id), values.gateways);
    for (const move of moves) {
      this.sql('INSERT INTO server_moves (server_id, from_gateway, to_gateway, moved_at) VALUES (?, ?, ?, ?)').run(id, move.fromGateway, move.toGateway, now);
    }
    this.writeLocations(id, locations);
    withUniqueName(() =>
      this.sql(`
        UPDATE servers SET name = @name, description = @description, organization = @organization, owner = @owner, role = @role,
          site = @site, shared_account = @shared_account, network_interface = @network_interface,
          connect_timeout_ms = @connect_timeout_ms, enabled = @enabled, thresholds_json = @thresholds_json,
          version = version + 1, updated_at = @now, updated_by = @user
        WHERE id = @id`).run({ ...columns(values), id, now, user }),
    values.name, 'another server');
    return this.get(id);
  }

  /** The server's locations with their slots, in the server's order. */
  locationsOf(serverId: number): LocationSlot[] {
    return this.sql('SELECT gateway, slot FROM server_gateways WHERE server_id = ? ORDER BY position').all(serverId) as LocationSlot[];
  }

  /** The slot of the server's location at `gateway`; undefined when the server does not run from it. */
  slotOf(serverId: number, gateway: string): number | undefined {
    return this.sql('SELECT slot FROM server_gateways WHERE server_id = ? AND gateway = ?').pluck().get(serverId, gateway) as number | undefined;
  }

  /** Every server's locations, in each server's order. */
  locations(): Map<number, LocationSlot[]> {
    const byServer = new Map<number, LocationSlot[]>();
    const rows = this.sql('SELECT server_id, gateway, slot FROM server_gateways ORDER BY server_id, position').all() as (LocationSlot & { server_id: number })[];
    for (const { server_id: serverId, gateway, slot } of rows) {
      const list = byServer.get(serverId);
      if (list) list.push({ gateway, slot });
      else byServer.set(serverId, [{ gateway, slot }]);
    }
    return byServer;
  }

  /** How many servers run from each gateway named by any server. */
  gatewayUsage(): Map<string, number> {
    const rows = this.sql('SELECT gateway, COUNT(*) AS servers FROM server_gateways GROUP BY gateway').all() as { gateway: string; servers: number }[];
    return new Map(rows.map((row) => [row.gateway, row.servers]));
  }

  /** The latest move of a server from or to `gateway` (any gateway when left out), if any. */
  lastMove(serverId: number, gateway?: string): ServerMove | undefined {
    const row = (gateway === undefined
      ? this.sql('SELECT * FROM server_moves WHERE server_id = ? ORDER BY moved_at DESC, rowid DESC LIMIT 1').get(serverId)
      : this.sql('SELECT * FROM server_moves WHERE server_id = @serverId AND (from_gateway = @gateway OR to_gateway = @gateway) ORDER BY moved_at DESC, rowid DESC LIMIT 1')
        .get({ serverId, gateway })) as MoveRow | undefined;
    return row && toMove(row);
  }

  /** Moves since `sinceIso` of servers that left or joined `gateway`. */
  movesInvolving(gateway: string, sinceIso: string): ServerMove[] {
    return (this.sql('SELECT * FROM server_moves WHERE (from_gateway = @gateway OR to_gateway = @gateway) AND moved_at >= @since ORDER BY moved_at')
      .all({ gateway, since: sinceIso }) as MoveRow[]).map(toMove);
  }

  /** Points the servers that use shared account `from` at its new name `to`; returns their ids. */
  renameSharedAccount(from: string, to: string, user: string, now: string): number[] {
    const ids = this.sql('SELECT id FROM servers WHERE shared_account = ?').pluck().all(from) as number[];
    this.sql('UPDATE servers SET shared_account = @to, version = version + 1, updated_at = @now, updated_by = @user WHERE shared_account = @from')
      .run({ from, to, now, user });
    return ids;
  }

  /** Deletes the server; its probes go with it through ON DELETE CASCADE in the same statement. */
  delete(id: number): { probeIds: number[] } {
    const probeIds = this.sql('SELECT id FROM probes WHERE server_id = ?').pluck().all(id) as number[];
    const result = this.sql('DELETE FROM servers WHERE id = ?').run(id);
    if (result.changes === 0) throw new NotFoundError('server', id);
    return { probeIds };
  }

  /** Replaces the server's locations (the snapshot an agent applies writes them as the control plane sent them). */
  writeLocations(serverId: number, locations: readonly LocationSlot[]): void {
    this.sql('DELETE FROM server_gateways WHERE server_id = ?').run(serverId);
    const insert = this.sql('INSERT INTO server_gateways (server_id, gateway, position, slot) VALUES (?, ?, ?, ?)');
    locations.forEach(({ gateway, slot }, position) => insert.run(serverId, gateway, position, slot));
  }
}
