// Registered gateways and when each was last seen.
import { statementCache, type Db, type Statement } from './database.js';

export interface GatewayRecord {
  id: string;
  version: string;
  address: string | null;
  registeredAt: string;
  lastSeenAt: string;
}

interface GatewayRow {
  id: string;
  version: string;
  address: string | null;
  registered_at: string;
  last_seen_at: string;
}

export class GatewayRepository {
  private readonly sql: (sql: string) => Statement;

  constructor(private readonly db: Db) {
    this.sql = statementCache(db);
  }

  /** Registers a gateway or refreshes its heartbeat, keeping the first registration time. */
  touch(gateway: { id: string; version: string; address: string | null }, now: string): void {
    this.sql(`
      INSERT INTO gateways (id, version, address, registered_at, last_seen_at) VALUES (@id, @version, @address, @now, @now)
      ON CONFLICT (id) DO UPDATE SET version = excluded.version, address = excluded.address, last_seen_at = excluded.last_seen_at`)
      .run({ ...gateway, now });
  }

  all(): GatewayRecord[] {
    return (this.sql('SELECT * FROM gateways ORDER BY id').all() as GatewayRow[]).map((row) => ({
      id: row.id,
      version: row.version,
      address: row.address,
      registeredAt: row.registered_at,
      lastSeenAt: row.last_seen_at,
    }));
  }
}
