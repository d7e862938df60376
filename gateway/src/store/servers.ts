// Probe servers: the only place their SQL lives.
import { assertVersion, auditView, likePattern, withUniqueName, pageOf, type AuditRow } from './rows.js';
import { NotFoundError } from '../domain/errors.js';
import { assignSlots, type LocationSlot } from '../domain/location-slots.js';
import type { Server, ServerQuery } from '../schemas/server.js';
import type { Threshold } from '../schemas/threshold.js';
import type { Sql } from './sql/types.js';

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

/**
 * SQL condition on a server id expression, with named parameters @gateway and @since: the server runs from @gateway,
 * or left it by a move since @since (still handing over). Exactly the servers of @gateway's snapshot.
 */
export function inSnapshotOf(serverId: string): string {
  return `${serverId} IN (SELECT server_id FROM server_gateways WHERE gateway = @gateway
    UNION SELECT server_id FROM server_moves WHERE from_gateway = @gateway AND moved_at >= @since)`;
}

function selectServers(sql: Sql): string {
  const gateways = sql.dialect.jsonArray('g.gateway', 'g.position', 'FROM server_gateways g WHERE g.server_id = s.id');
  return `SELECT s.*, (SELECT COUNT(*) FROM probes p WHERE p.server_id = s.id) AS probe_count, ${gateways} AS gateways_json
  FROM servers s`;
}

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
  private readonly select: string;
  private readonly byName: string;

  constructor(private readonly sql: Sql) {
    this.select = selectServers(sql);
    this.byName = `ORDER BY ${sql.dialect.nocase('s.name')}, s.id`;
  }

  async list(query: ServerQuery) {
    const where: string[] = [];
    const params: Record<string, unknown> = {};
    if (query.gateway !== undefined) {
      where.push('EXISTS (SELECT 1 FROM server_gateways g WHERE g.server_id = s.id AND g.gateway = @gateway)');
      params.gateway = query.gateway;
    }
    if (query.site !== undefined) { where.push('s.site = @site'); params.site = query.site; }
    if (query.role !== undefined) { where.push('s.role = @role'); params.role = query.role; }
    if (query.q !== undefined && query.q !== '') {
      const like = this.sql.dialect.like;
      where.push(`(s.name ${like} @q ESCAPE '\\' OR s.description ${like} @q ESCAPE '\\' OR s.owner ${like} @q ESCAPE '\\' OR s.organization ${like} @q ESCAPE '\\')`);
      params.q = likePattern(query.q);
    }
    const filter = where.length > 0 ? ` WHERE ${where.join(' AND ')}` : '';
    const { limit, offset } = pageOf(query);
    const rows = await this.sql.all<ServerRow>(`${this.select}${filter} ${this.byName} LIMIT @limit OFFSET @offset`, { ...params, limit, offset });
    const total = (await this.sql.value<number>(`SELECT COUNT(*) FROM servers s${filter}`, filter === '' ? undefined : params))!;
    return { items: rows.map(toServer), total, limit, offset };
  }

  async all(): Promise<Server[]> {
    return (await this.sql.all<ServerRow>(`${this.select} ${this.byName}`)).map(toServer);
  }

  async get(id: number): Promise<Server> {
    const row = await this.sql.get<ServerRow>(`${this.select} WHERE s.id = ?`, [id]);
    if (!row) throw new NotFoundError('server', id);
    return toServer(row);
  }

  async findByName(name: string): Promise<Server | undefined> {
    const row = await this.sql.get<ServerRow>(`${this.select} WHERE s.name = ?`, [name]);
    return row && toServer(row);
  }

  async create(values: ServerValues, user: string, now: string): Promise<Server> {
    const id = (await withUniqueName(() =>
      this.sql.value<number>(`
        INSERT INTO servers (name, description, organization, owner, role, site, shared_account, network_interface,
          connect_timeout_ms, enabled, thresholds_json, version, created_at, created_by, updated_at, updated_by)
        VALUES (@name, @description, @organization, @owner, @role, @site, @shared_account, @network_interface,
          @connect_timeout_ms, @enabled, @thresholds_json, 1, @now, @user, @now, @user)
        RETURNING id`, { ...columns(values), now, user }),
    values.name, 'another server'))!;
    await this.writeLocations(id, assignSlots([], values.gateways).locations);
    return this.get(id);
  }

  async update(id: number, values: ServerValues, expectedVersion: number | undefined, user: string, now: string): Promise<Server> {
    await assertVersion(this.sql, 'servers', 'server', id, expectedVersion);
    const { locations, moves } = assignSlots(await this.locationsOf(id), values.gateways);
    for (const move of moves) {
      await this.sql.run('INSERT INTO server_moves (server_id, from_gateway, to_gateway, moved_at) VALUES (?, ?, ?, ?)', [id, move.fromGateway, move.toGateway, now]);
    }
    await this.writeLocations(id, locations);
    await withUniqueName(() =>
      this.sql.run(`
        UPDATE servers SET name = @name, description = @description, organization = @organization, owner = @owner, role = @role,
          site = @site, shared_account = @shared_account, network_interface = @network_interface,
          connect_timeout_ms = @connect_timeout_ms, enabled = @enabled, thresholds_json = @thresholds_json,
          version = version + 1, updated_at = @now, updated_by = @user
        WHERE id = @id`, { ...columns(values), id, now, user }),
    values.name, 'another server');
    return this.get(id);
  }

  /** The server's locations with their slots, in the server's order. */
  locationsOf(serverId: number): Promise<LocationSlot[]> {
    return this.sql.all<LocationSlot>('SELECT gateway, slot FROM server_gateways WHERE server_id = ? ORDER BY position', [serverId]);
  }

  /** The slot of the server's location at `gateway`; undefined when the server does not run from it. */
  slotOf(serverId: number, gateway: string): Promise<number | undefined> {
    return this.sql.value<number>('SELECT slot FROM server_gateways WHERE server_id = ? AND gateway = ?', [serverId, gateway]);
  }

  /** Every server's locations, in each server's order. */
  async locations(): Promise<Map<number, LocationSlot[]>> {
    const byServer = new Map<number, LocationSlot[]>();
    const rows = await this.sql.all<LocationSlot & { server_id: number }>('SELECT server_id, gateway, slot FROM server_gateways ORDER BY server_id, position');
    for (const { server_id: serverId, gateway, slot } of rows) {
      const list = byServer.get(serverId);
      if (list) list.push({ gateway, slot });
      else byServer.set(serverId, [{ gateway, slot }]);
    }
    return byServer;
  }

  /** How many servers run from each gateway named by any server. */
  async gatewayUsage(): Promise<Map<string, number>> {
    const rows = await this.sql.all<{ gateway: string; servers: number }>('SELECT gateway, COUNT(*) AS servers FROM server_gateways GROUP BY gateway');
    return new Map(rows.map((row) => [row.gateway, row.servers]));
  }

  /** The latest move of a server from or to `gateway` (any gateway when left out), if any. */
  async lastMove(serverId: number, gateway?: string): Promise<ServerMove | undefined> {
    const latest = `ORDER BY moved_at DESC, ${this.sql.dialect.insertionOrder} DESC LIMIT 1`;
    const row = gateway === undefined
      ? await this.sql.get<MoveRow>(`SELECT * FROM server_moves WHERE server_id = ? ${latest}`, [serverId])
      : await this.sql.get<MoveRow>(`SELECT * FROM server_moves WHERE server_id = @serverId AND (from_gateway = @gateway OR to_gateway = @gateway) ${latest}`,
        { serverId, gateway });
    return row && toMove(row);
  }

  /** Moves since `sinceIso` of servers that left or joined `gateway`. */
  async movesInvolving(gateway: string, sinceIso: string): Promise<ServerMove[]> {
    const rows = await this.sql.all<MoveRow>(
      `SELECT * FROM server_moves WHERE (from_gateway = @gateway OR to_gateway = @gateway) AND moved_at >= @since ORDER BY moved_at, ${this.sql.dialect.insertionOrder}`,
      { gateway, since: sinceIso });
    return rows.map(toMove);
  }

  /** The servers of `gateway`'s snapshot (see inSnapshotOf), in the order of all(). */
  async inSnapshot(gateway: string, sinceIso: string): Promise<Server[]> {
    const rows = await this.sql.all<ServerRow>(`${this.select} WHERE ${inSnapshotOf('s.id')} ${this.byName}`, { gateway, since: sinceIso });
    return rows.map(toServer);
  }

  /** The locations of those servers: server by server in the order of all(), each in the server's order. */
  locationsInSnapshot(gateway: string, sinceIso: string): Promise<(LocationSlot & { serverId: number })[]> {
    return this.sql.all(`SELECT g.server_id AS "serverId", g.gateway, g.slot FROM server_gateways g JOIN servers s ON s.id = g.server_id
      WHERE ${inSnapshotOf('s.id')} ${this.byName}, g.position`, { gateway, since: sinceIso });
  }

  /** Moves since `sinceIso` that left or joined `gateway`, of the servers of its snapshot, in the order of movesInvolving(). */
  async movesInSnapshot(gateway: string, sinceIso: string): Promise<ServerMove[]> {
    const rows = await this.sql.all<MoveRow>(
      `SELECT m.* FROM server_moves m WHERE (m.from_gateway = @gateway OR m.to_gateway = @gateway) AND m.moved_at >= @since
        AND ${inSnapshotOf('m.server_id')} ORDER BY m.moved_at, m.${this.sql.dialect.insertionOrder}`,
      { gateway, since: sinceIso });
    return rows.map(toMove);
  }

  /** Points the servers that use shared account `from` at its new name `to`; returns their ids. */
  async renameSharedAccount(from: string, to: string, user: string, now: string): Promise<number[]> {
    const ids = await this.sql.column<number>('SELECT id FROM servers WHERE shared_account = ? ORDER BY id', [from]);
    await this.sql.run('UPDATE servers SET shared_account = @to, version = version + 1, updated_at = @now, updated_by = @user WHERE shared_account = @from',
      { from, to, now, user });
    return ids;
  }

  /** Deletes the server; its probes go with it through ON DELETE CASCADE in the same statement. */
  async delete(id: number): Promise<{ probeIds: number[] }> {
    const probeIds = await this.sql.column<number>('SELECT id FROM probes WHERE server_id = ? ORDER BY id', [id]);
    const result = await this.sql.run('DELETE FROM servers WHERE id = ?', [id]);
    if (result.changes === 0) throw new NotFoundError('server', id);
    return { probeIds };
  }

  /** Replaces the server's locations (the snapshot an agent applies writes them as the control plane sent them). */
  async writeLocations(serverId: number, locations: readonly LocationSlot[]): Promise<void> {
    await this.sql.run('DELETE FROM server_gateways WHERE server_id = ?', [serverId]);
    for (const [position, { gateway, slot }] of locations.entries()) {
      await this.sql.run('INSERT INTO server_gateways (server_id, gateway, position, slot) VALUES (?, ?, ?, ?)', [serverId, gateway, position, slot]);
    }
  }
}
