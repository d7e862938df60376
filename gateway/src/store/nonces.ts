// Nonces of signed agent requests, kept in the database so that a request seen by one replica is refused by another.
import type { Sql } from './sql/types.js';

export class NonceRepository {
  constructor(private readonly sql: Sql) {}

  /**
   * Remembers `nonce` (seen at `seenAtMs`); false when it was already remembered: the request is a replay. A nonce
   * lost in a power cut only reopens a replay window the signature's timestamp closes anyway, so the write does not
   * wait for the disk (on SQLite, an fsync on the event loop for every agent request otherwise; on PostgreSQL it
   * costs three short round trips more than a bare INSERT, next to an HTTP request).
   */
  async remember(nonce: string, gateway: string, seenAtMs: number): Promise<boolean> {
    const { changes } = await this.sql.transaction((tx) => tx.run(
      'INSERT INTO agent_nonces (nonce, gateway, seen_at_ms) VALUES (?, ?, ?) ON CONFLICT (nonce) DO NOTHING',
      [nonce, gateway, seenAtMs],
    ), { durable: false });
    return changes === 1;
  }

  /** Forgets nonces seen before `beforeMs`: their timestamps are refused as too old by then. */
  async forgetBefore(beforeMs: number): Promise<number> {
    return (await this.sql.run('DELETE FROM agent_nonces WHERE seen_at_ms < ?', [beforeMs])).changes;
  }
}
