// Tells replicas sharing a PostgreSQL database what the others changed: NOTIFY in the writing transaction, LISTEN here.
import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import { FULL_CHANGE } from '../domain/config-change.js';
import type { ConfigChange } from '../domain/config-service.js';
import { connectClient, type PostgresOptions } from './sql/postgres.js';
import type { Sql } from './sql/types.js';

export const CHANGE_CHANNEL = 'probekit_config';

/** PostgreSQL refuses NOTIFY payloads of 8000 bytes or more; a change that big becomes "re-read everything". */
const MAX_PAYLOAD_BYTES = 7000;
const MAX_RECONNECT_DELAY_MS = 2000;
/** A connection can die silently (a cut network): the listener checks it this often. */
const HEARTBEAT_MS = 5000;
const HEARTBEAT_TIMEOUT_MS = 3000;


type Listener = (change: ConfigChange) => void;

interface Notice {
  origin: string;
  change: ConfigChange;
}

export class PostgresChangeFeed {
  /**
   * The replica id plus a per-process suffix: two processes misconfigured with one GATEWAY_ID still hear each other,
   * and a replica restarted under its old id is not taken for itself.
   */
  private readonly origin: string;
  private readonly listeners = new Set<Listener>();
  private client: pg.Client | null = null;
  private stopped = false;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private heartbeatTimer: NodeJS.Timeout | undefined;

  constructor(private readonly options: PostgresOptions) {
    this.origin = `${options.replicaId}#${randomBytes(6).toString('hex')}`;
  }

  /** Connects and listens; throws when the database cannot be reached now. Later losses are repaired on their own. */
  async start(): Promise<void> {
    await this.listen();
  }

  /** Queues `change` for the other replicas; `tx` is the transaction that made it, which delivers it when it commits. */
  async publish(tx: Sql, change: ConfigChange): Promise<void> {
    let payload = JSON.stringify({ origin: this.origin, change } satisfies Notice);
    if (Buffer.byteLength(payload) > MAX_PAYLOAD_BYTES) payload = JSON.stringify({ origin: this.origin, change: FULL_CHANGE } satisfies Notice);
    await tx.run('SELECT pg_notify(?, ?)', [CHANGE_CHANNEL, payload]);
  }

  /** False while the listening connection is down: this replica would not hear other replicas' writes. */
  get listening(): boolean {
    return this.client !== null;
  }

  /** Changes other replicas committed; `{ full: true }` after a gap in which some may have been missed. */
  onChange(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => { this.listeners.delete(listener); };
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.reconnectTimer);
    const client = this.drop();
    await client?.end().catch(() => {});
  }

  private async listen(): Promise<void> {
    const client = await connectClient(this.options, { query_timeout: HEARTBEAT_TIMEOUT_MS });
    try {
      client.on('notification', (message) => this.receive(message));
      client.on('error', () => this.lost(client));
      client.on('end', () => this.lost(client));
      await client.query(`LISTEN ${CHANGE_CHANNEL}`);
    } catch (error) {
      await client.end().catch(() => {});
      throw error;
    }
    if (this.stopped) {
      await client.end().catch(() => {});
      return;
    }
    this.client = client;
    this.heartbeatTimer = setInterval(() => {
      client.query('SELECT 1').catch(() => this.lost(client));
    }, HEARTBEAT_MS);
    this.heartbeatTimer.unref();
  }

  private receive(message: pg.Notification): void {
    if (message.channel !== CHANGE_CHANNEL || !message.payload) return;
    let notice: Notice;
    try {
      notice = JSON.parse(message.payload) as Notice;
    } catch {
      return;
    }
    if (notice.origin === this.origin || !notice.change) return;
    this.emit(notice.change);
  }

  private emit(change: ConfigChange): void {
    for (const listener of this.listeners) {
      try {
        listener(change);
      } catch (error) {
        process.emitWarning(`a configuration change listener failed: ${(error as Error).message}`);
      }
    }
  }

  /** The listening connection is gone: notifications may be missed until a new one listens, then all is re-read. */
  private lost(client: pg.Client): void {
    if (this.client !== client) return;
    this.drop();
    client.end().catch(() => {});
    if (!this.stopped) this.reconnect(0);
  }

  private drop(): pg.Client | null {
    const client = this.client;
    this.client = null;
    clearInterval(this.heartbeatTimer);
    return client;
  }

  private reconnect(attempt: number): void {
    const delayMs = Math.min(MAX_RECONNECT_DELAY_MS, 100 * 2 ** attempt);
    this.reconnectTimer = setTimeout(() => {
      this.listen().then(
        () => { if (!this.stopped) this.emit(FULL_CHANGE); },
        () => { if (!this.stopped) this.reconnect(attempt + 1); },
      );
    }, delayMs);
    this.reconnectTimer.unref();
  }
}
