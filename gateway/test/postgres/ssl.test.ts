// PostgreSQL over TLS: the URL's sslmode is honoured, and a cluster that accepts only TLS refuses sslmode=disable.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPostgres } from '../../src/store/sql/postgres.js';
import type { SqlDatabase } from '../../src/store/sql/types.js';
import { startPostgres, type TestPostgres } from '../helpers/postgres.js';

let cluster: TestPostgres;
let database: string;
const opened: SqlDatabase[] = [];

beforeAll(async () => {
  cluster = await startPostgres({ ssl: true });
  database = new URL(await cluster.createDatabase()).pathname.slice(1);
});
afterAll(async () => {
  await Promise.all(opened.map((db) => db.close()));
  await cluster?.dispose();
});

const urlWith = (query: string) => `${cluster.urlFor(database)}?${query}`;

async function encrypted(query: string): Promise<unknown> {
  const db = await openPostgres({ url: urlWith(query), replicaId: 'a' });
  opened.push(db);
  return db.value('SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()');
}

describe('sslmode in the URL', () => {
  it('connects over TLS, verifying the server against sslrootcert', async () => {
    expect(await encrypted(`sslmode=verify-full&sslrootcert=${cluster.certFile}`)).toBe(1);
    expect(await encrypted(`sslmode=require&sslrootcert=${cluster.certFile}`)).toBe(1);
  });

  it('connects over TLS without verifying with sslmode=no-verify', async () => {
    expect(await encrypted('sslmode=no-verify')).toBe(1);
  });

  it('refuses a server certificate it cannot verify', async () => {
    await expect(openPostgres({ url: urlWith('sslmode=verify-full'), replicaId: 'a' }))
      .rejects.toThrow(`cannot connect to PostgreSQL at 127.0.0.1:${cluster.port}: self-signed certificate`);
  });

  it('is refused in clear text by a cluster that accepts only TLS', async () => {
    await expect(openPostgres({ url: urlWith('sslmode=disable'), replicaId: 'a' }))
      .rejects.toThrow(/cannot connect to PostgreSQL at 127\.0\.0\.1:\d+: no pg_hba\.conf entry .* no encryption/);
  });
});
