// Numbered schema migrations, applied in order at start-up; a migration, once released, never changes.

export interface Migration {
  version: number;
  description: string;
  sql: string;
  /**
   * The migration drops and recreates tables that others refer to (SQLite's 12-step ALTER TABLE): it runs with
   * foreign keys off, since dropping a parent table with them on would cascade-delete its children, and is checked
   * with foreign_key_check before it commits.
   */
  rebuildsTables?: boolean;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'gateways, schedules, probe servers and probes',
    sql: `
      CREATE TABLE gateways (
        id            TEXT PRIMARY KEY,
        version       TEXT NOT NULL,
        address       TEXT,
        registered_at TEXT NOT NULL,
        last_seen_at  TEXT NOT NULL
      );

      CREATE TABLE schedules (
        id              INTEGER PRIMARY KEY,
        name            TEXT NOT NULL UNIQUE,
        description     TEXT,
        time_zone       TEXT NOT NULL,
        windows_json    TEXT NOT NULL,
        exclusions_json TEXT NOT NULL,
        version         INTEGER NOT NULL,
        created_at      TEXT NOT NULL,
        created_by      TEXT NOT NULL,
        updated_at      TEXT NOT NULL,
        updated_by      TEXT NOT NULL
      );

      CREATE TABLE servers (
        id                 INTEGER PRIMARY KEY,
        name               TEXT NOT NULL UNIQUE,
        description        TEXT,
        organization       TEXT,
        owner              TEXT,
        role               TEXT,
        site               TEXT,
        gateway            TEXT NOT NULL,
        shared_account     TEXT,
        network_interface  TEXT,
        connect_timeout_ms INTEGER NOT NULL,
        enabled            INTEGER NOT NULL,
        thresholds_json    TEXT NOT NULL,
        version            INTEGER NOT NULL,
        created_at         TEXT NOT NULL,
        created_by         TEXT NOT NULL,
        updated_at         TEXT NOT NULL,
        updated_by         TEXT NOT NULL
      );
      CREATE INDEX servers_gateway ON servers (gateway);

      CREATE TABLE probes (
        id                INTEGER PRIMARY KEY,
        server_id         INTEGER NOT NULL REFERENCES servers (id) ON DELETE CASCADE,
        name              TEXT NOT NULL,
        description       TEXT,
        owner             TEXT,
        schedule_id       INTEGER REFERENCES schedules (id) ON DELETE RESTRICT,
        window_begin      TEXT,
        window_end        TEXT,
        interval_seconds  INTEGER NOT NULL,
        host              TEXT NOT NULL,
        port              INTEGER NOT NULL,
        timeout_ms        INTEGER,
        enabled           INTEGER NOT NULL,
        thresholds_json   TEXT NOT NULL,
        actual_host       TEXT,
        actual_ipv4       TEXT,
        last_result_json  TEXT,
        version           INTEGER NOT NULL,
        created_at        TEXT NOT NULL,
        created_by        TEXT NOT NULL,
        updated_at        TEXT NOT NULL,
        updated_by        TEXT NOT NULL,
        UNIQUE (server_id, name)
      );
      CREATE INDEX probes_schedule ON probes (schedule_id);
    `,
  },
  {
    version: 2,
    description: 'server moves between gateways, for handing probes over without gap or double run',
    sql: `
      CREATE TABLE server_moves (
        server_id    INTEGER NOT NULL REFERENCES servers (id) ON DELETE CASCADE,
        from_gateway TEXT NOT NULL,
        to_gateway   TEXT NOT NULL,
        moved_at     TEXT NOT NULL
      );
      CREATE INDEX server_moves_server ON server_moves (server_id, moved_at);
    `,
  },
  {
    version: 3,
    description: 'ids of schedules, servers and probes are never reused (AUTOINCREMENT)',
    rebuildsTables: true,
    // Metrics series, alert rule uids and alert instances are keyed by these ids: without AUTOINCREMENT SQLite hands
    // the id of a deleted highest row to the next insert, which then inherits the deleted object's history and alerts.
    // Copying the rows with their ids sets sqlite_sequence to the highest id present; higher ids deleted before this
    // migration are not recorded anywhere, so they cannot be reserved.
    sql: `
      CREATE TABLE new_schedules (
        id              INTEGER PRIMARY KEY AUTOINCREMENT,
        name            TEXT NOT NULL UNIQUE,
        description     TEXT,
        time_zone       TEXT NOT NULL,
        windows_json    TEXT NOT NULL,
        exclusions_json TEXT NOT NULL,
        version         INTEGER NOT NULL,
        created_at      TEXT NOT NULL,
        created_by      TEXT NOT NULL,
        updated_at      TEXT NOT NULL,
        updated_by      TEXT NOT NULL
      );
      INSERT INTO new_schedules SELECT * FROM schedules;
      DROP TABLE schedules;
      ALTER TABLE new_schedules RENAME TO schedules;

      CREATE TABLE new_servers (
        id                 INTEGER PRIMARY KEY AUTOINCREMENT,
        name               TEXT NOT NULL UNIQUE,
        description        TEXT,
        organization       TEXT,
        owner              TEXT,
        role               TEXT,
        site               TEXT,
        gateway            TEXT NOT NULL,
        shared_account     TEXT,
        network_interface  TEXT,
        connect_timeout_ms INTEGER NOT NULL,
        enabled            INTEGER NOT NULL,
        thresholds_json    TEXT NOT NULL,
        version            INTEGER NOT NULL,
        created_at         TEXT NOT NULL,
        created_by         TEXT NOT NULL,
        updated_at         TEXT NOT NULL,
        updated_by         TEXT NOT NULL
      );
      INSERT INTO new_servers SELECT * FROM servers;
      DROP TABLE servers;
      ALTER TABLE new_servers RENAME TO servers;
      CREATE INDEX servers_gateway ON servers (gateway);

      CREATE TABLE new_probes (
        id                INTEGER PRIMARY KEY AUTOINCREMENT,
        server_id         INTEGER NOT NULL REFERENCES servers (id) ON DELETE CASCADE,
        name              TEXT NOT NULL,
        description       TEXT,
        owner             TEXT,
        schedule_id       INTEGER REFERENCES schedules (id) ON DELETE RESTRICT,
        window_begin      TEXT,
        window_end        TEXT,
        interval_seconds  INTEGER NOT NULL,
        host              TEXT NOT NULL,
        port              INTEGER NOT NULL,
        timeout_ms        INTEGER,
        enabled           INTEGER NOT NULL,
        thresholds_json   TEXT NOT NULL,
        actual_host       TEXT,
        actual_ipv4       TEXT,
        last_result_json  TEXT,
        version           INTEGER NOT NULL,
        created_at        TEXT NOT NULL,
        created_by        TEXT NOT NULL,
        updated_at        TEXT NOT NULL,
        updated_by        TEXT NOT NULL,
        UNIQUE (server_id, name)
      );
      INSERT INTO new_probes SELECT * FROM probes;
      DROP TABLE probes;
      ALTER TABLE new_probes RENAME TO probes;
      CREATE INDEX probes_schedule ON probes (schedule_id);
    `,
  },
  {
    version: 4,
    description: 'a server runs from several gateways (locations), each at its own slot; latest results per probe and location; gateway teams',
    // Existing servers keep their one gateway at slot 0: the phase their probes always had. Their latest results become
    // that gateway's. probes.last_result_json stays: the newest result of any location, read without a join.
    sql: `
      CREATE TABLE server_gateways (
        server_id INTEGER NOT NULL REFERENCES servers (id) ON DELETE CASCADE,
        gateway   TEXT NOT NULL,
        position  INTEGER NOT NULL,
        slot      INTEGER NOT NULL,
        PRIMARY KEY (server_id, gateway)
      );
      CREATE INDEX server_gateways_gateway ON server_gateways (gateway);
      INSERT INTO server_gateways (server_id, gateway, position, slot) SELECT id, gateway, 0, 0 FROM servers;

      CREATE TABLE probe_results (
        probe_id    INTEGER NOT NULL REFERENCES probes (id) ON DELETE CASCADE,
        gateway     TEXT NOT NULL,
        result_json TEXT NOT NULL,
        PRIMARY KEY (probe_id, gateway)
      );
      INSERT INTO probe_results (probe_id, gateway, result_json)
        SELECT p.id, COALESCE(json_extract(p.last_result_json, '$.gateway'), s.gateway), p.last_result_json
        FROM probes p JOIN servers s ON s.id = p.server_id WHERE p.last_result_json IS NOT NULL;

      DROP INDEX servers_gateway;
      ALTER TABLE servers DROP COLUMN gateway;

      CREATE TABLE gateway_settings (
        id         TEXT PRIMARY KEY,
        team       TEXT,
        updated_at TEXT NOT NULL,
        updated_by TEXT NOT NULL
      );
    `,
  },
  {
    version: 5,
    description: 'deeper checks: a probe\'s TLS settings, send/expect dialogue and IP version',
    sql: `
      ALTER TABLE probes ADD COLUMN tls_json TEXT;
      ALTER TABLE probes ADD COLUMN dialogue_json TEXT;
      ALTER TABLE probes ADD COLUMN ip_version TEXT NOT NULL DEFAULT 'auto';
      -- The address the last check used whatever its family (actualIp); until a check runs, the IPv4 one known.
      ALTER TABLE probes ADD COLUMN actual_ip TEXT;
      UPDATE probes SET actual_ip = actual_ipv4;
    `,
  },
  {
    version: 6,
    description: 'shared accounts: credential sets servers name, their material encrypted (AES-256-GCM)',
    // The material (CA bundle, client certificate and key, username, password) is one encrypted JSON document;
    // the *_set flags say what is configured without decrypting, the certificate summaries what to show.
    sql: `
      CREATE TABLE shared_accounts (
        id             INTEGER PRIMARY KEY,
        name           TEXT NOT NULL UNIQUE,
        description    TEXT,
        material_enc   TEXT NOT NULL,
        configured_json TEXT NOT NULL,
        version        INTEGER NOT NULL,
        created_at     TEXT NOT NULL,
        created_by     TEXT NOT NULL,
        updated_at     TEXT NOT NULL,
        updated_by     TEXT NOT NULL
      );
    `,
  },
  {
    version: 7,
    description: 'nonces of signed agent requests, so that replicas sharing the database refuse each other\'s replays',
    sql: `
      CREATE TABLE agent_nonces (
        nonce      TEXT PRIMARY KEY,
        gateway    TEXT NOT NULL,
        seen_at_ms INTEGER NOT NULL
      );
      CREATE INDEX agent_nonces_seen ON agent_nonces (seen_at_ms);
    `,
  },
];
