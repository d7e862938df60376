// Two control-plane replicas in this process on one real PostgreSQL cluster, as an operator runs them: different
// GATEWAY_ID, the same GATEWAY_DATABASE_URL, the same API token and secret key file.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { startPostgres, type TestPostgres } from '../helpers/postgres.js';

export const API_TOKEN = 'replica-api-token-0123456789abcdef';

export interface TwoReplicas {
  postgres: TestPostgres;
  databaseUrl: string;
  /** The variables every replica gets: the database, the token and the key file. */
  env: Record<string, string>;
  a: TestGateway;
  b: TestGateway;
  dispose(): Promise<void>;
}

export async function startTwoReplicas(): Promise<TwoReplicas> {
  const postgres = await startPostgres();
  const dir = mkdtempSync(join(tmpdir(), 'probekit-replicas-'));
  const secretKeyFile = join(dir, 'secret.key');
  writeFileSync(secretKeyFile, `${randomBytes(32).toString('base64')}\n`, { mode: 0o600 });
  const databaseUrl = await postgres.createDatabase();
  const env = { GATEWAY_DATABASE_URL: databaseUrl, GATEWAY_API_TOKEN: API_TOKEN, GATEWAY_SECRET_KEY_FILE: secretKeyFile };
  // Started together: the migrations run once, under the advisory lock.
  const [a, b] = await Promise.all([
    startTestGateway({ ...env, GATEWAY_ID: 'replica-a' }),
    startTestGateway({ ...env, GATEWAY_ID: 'replica-b' }),
  ]);
  return {
    postgres, databaseUrl, env, a, b,
    async dispose() {
      await Promise.all([a.dispose(), b.dispose()]);
      await postgres.dispose();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Polls `read` every 50 ms until `accept` holds; fails with the last value after `timeoutMs`. */
export async function eventually<T>(read: () => T | Promise<T>, accept: (value: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (accept(value)) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms; last value: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
