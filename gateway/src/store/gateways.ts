// Gateways (locations): those that announced themselves, when each was last seen, and the team each belongs to.
import type { Sql } from './sql/types.js';

export interface GatewayRecord {
  id: string;
  version: string;
  address: string | null;
  registeredAt: string;
  lastSeenAt: string;
  /** The team its path alerts go to; null: the team of the threshold that raised it. */
  team: string | null;
}

interface GatewayRow {
  id: string;
  version: string;
  address: string | null;
  registered_at: string;
  last_seen_at: string;
  team: string | null;
}

export class GatewayRepository {
  constructor(private readonly sql: Sql) {}

  /** Registers a gateway or refreshes its heartbeat, keeping the first registration time. */
  async touch(gateway: { id: string; version: string; address: string | null }, now: string): Promise<void> {
    await this.sql.run(`
      INSERT INTO gateways (id, version, address, registered_at, last_seen_at) VALUES (@id, @version, @address, @now, @now)
      ON CONFLICT (id) DO UPDATE SET version = excluded.version, address = excluded.address, last_seen_at = excluded.last_seen_at`,
    { id: gateway.id, version: gateway.version, address: gateway.address, now });
  }

  /** Gateways that announced themselves, with their teams. */
  async all(): Promise<GatewayRecord[]> {
    const rows = await this.sql.all<GatewayRow>('SELECT g.*, t.team FROM gateways g LEFT JOIN gateway_settings t ON t.id = g.id ORDER BY g.id');
    return rows.map((row) => ({
      id: row.id,
      version: row.version,
      address: row.address,
      registeredAt: row.registered_at,
      lastSeenAt: row.last_seen_at,
      team: row.team,
    }));
  }

  /** Teams set on gateways, also on those not seen yet. */
  async teams(): Promise<Map<string, string>> {
    const rows = await this.sql.all<{ id: string; team: string }>('SELECT id, team FROM gateway_settings WHERE team IS NOT NULL');
    return new Map(rows.map((row) => [row.id, row.team]));
  }

  /** Sets (or with null clears) the team of a gateway, which need not have announced itself yet. */
  async setTeam(id: string, team: string | null, user: string, now: string): Promise<void> {
    await this.sql.run(`
      INSERT INTO gateway_settings (id, team, updated_at, updated_by) VALUES (@id, @team, @now, @user)
      ON CONFLICT (id) DO UPDATE SET team = excluded.team, updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
    { id, team, now, user });
  }
}
