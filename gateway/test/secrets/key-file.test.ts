// The secret key file: generated 0600 beside the database and reused, GATEWAY_SECRET_KEY_FILE read as given, and a
// key that does not open the stored material stops the start with an error naming the file.
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadSecretKey } from '../../src/secrets/key-file.js';
import { readSettings } from '../../src/settings.js';
import { startGateway } from '../../src/start.js';
import { ApiClient } from '../helpers/gateway.js';

let dir: string;
beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'probekit-key-')); });
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const settingsIn = (folder: string, env: Record<string, string> = {}) => readSettings({
  GATEWAY_DB: join(folder, 'gateway.db'), GATEWAY_PORT: '0', GATEWAY_ID: 'key-gw', GATEWAY_API_TOKEN: 'key-test-token-0123456789', GATEWAY_TIME_ZONE: 'UTC', ...env,
}, []);

describe('loadSecretKey', () => {
  it('generates secret.key (0600) in the data folder once, then reuses it', () => {
    const first = loadSecretKey({ dataDir: join(dir, 'data') });
    const file = join(dir, 'data', 'secret.key');
    expect(first).toMatchObject({ file, source: 'generated' });
    expect(first.key).toHaveLength(32);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, 'utf8').trim()).toBe(first.key.toString('base64'));
    const again = loadSecretKey({ dataDir: join(dir, 'data') });
    expect(again.key.equals(first.key)).toBe(true);
  });

  it('narrows a generated key file that others can read back to 0600', () => {
    loadSecretKey({ dataDir: dir });
    chmodSync(join(dir, 'secret.key'), 0o644);
    loadSecretKey({ dataDir: dir });
    expect(statSync(join(dir, 'secret.key')).mode & 0o777).toBe(0o600);
  });

  it('reads GATEWAY_SECRET_KEY_FILE as base64 or hex, and names it when it is missing or wrong', () => {
    const key = randomBytes(32);
    writeFileSync(join(dir, 'b64'), `${key.toString('base64')}\n`);
    writeFileSync(join(dir, 'hex'), key.toString('hex'));
    writeFileSync(join(dir, 'short'), randomBytes(16).toString('base64'));
    expect(loadSecretKey({ dataDir: dir, secretKeyFile: join(dir, 'b64') })).toMatchObject({ source: 'file', file: join(dir, 'b64') });
    expect(loadSecretKey({ dataDir: dir, secretKeyFile: join(dir, 'b64') }).key.equals(key)).toBe(true);
    expect(loadSecretKey({ dataDir: dir, secretKeyFile: join(dir, 'hex') }).key.equals(key)).toBe(true);
    expect(() => loadSecretKey({ dataDir: dir, secretKeyFile: join(dir, 'absent') })).toThrow(`GATEWAY_SECRET_KEY_FILE ${join(dir, 'absent')} cannot be read`);
    expect(() => loadSecretKey({ dataDir: dir, secretKeyFile: join(dir, 'short') })).toThrow(`GATEWAY_SECRET_KEY_FILE ${join(dir, 'short')} must hold a 32-byte key`);
  });

  it('a damaged generated key is an error, not silently replaced', () => {
    writeFileSync(join(dir, 'secret.key'), 'not a key', { mode: 0o600 });
    expect(() => loadSecretKey({ dataDir: dir })).toThrow(`the secret key file ${join(dir, 'secret.key')} must hold`);
    expect(readFileSync(join(dir, 'secret.key'), 'utf8')).toBe('not a key');
  });
});

describe('settings', () => {
  it('take the key file from GATEWAY_SECRET_KEY_FILE or --secret-key-file, and leave it unset by default', () => {
    expect(readSettings({ GATEWAY_ID: 'k' }, []).secretKeyFile).toBeUndefined();
    expect(readSettings({ GATEWAY_ID: 'k', GATEWAY_SECRET_KEY_FILE: '/run/secrets/key' }, []).secretKeyFile).toBe('/run/secrets/key');
    expect(readSettings({ GATEWAY_ID: 'k', GATEWAY_SECRET_KEY_FILE: '/env/key' }, ['--secret-key-file', '/flag/key']).secretKeyFile).toBe('/flag/key');
  });
});

describe('a gateway with its key file', () => {
  it('creates secret.key beside the database, and refuses to start with a key that does not decrypt its accounts', async () => {
    const gateway = await startGateway(settingsIn(dir));
    expect(gateway.secretKey).toMatchObject({ file: join(dir, 'secret.key'), source: 'generated' });
    expect(statSync(join(dir, 'secret.key')).mode & 0o777).toBe(0o600);
    const api = new ApiClient(gateway.url, gateway.token.token);
    expect((await api.post('/api/v1/shared-accounts', { name: 'db', password: 'correct horse battery' })).status).toBe(201);
    await gateway.close();

    // Restarted with the same key: fine.
    const again = await startGateway(settingsIn(dir));
    await again.close();

    // Another key (a restored database without its key, or the wrong file): a clear start-up error naming the file.
    const other = join(dir, 'other.key');
    writeFileSync(other, randomBytes(32).toString('base64'), { mode: 0o600 });
    await expect(startGateway(settingsIn(dir, { GATEWAY_SECRET_KEY_FILE: other }))).rejects.toThrow(
      `the secret key in ${other} does not decrypt shared account "db"`,
    );
    writeFileSync(join(dir, 'secret.key'), randomBytes(32).toString('base64'));
    await expect(startGateway(settingsIn(dir))).rejects.toThrow(`the secret key in ${join(dir, 'secret.key')} does not decrypt shared account "db"`);
  });
});
