// The key shared-account material is encrypted with at rest: GATEWAY_SECRET_KEY_FILE, else generated beside the database.
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { KEY_BYTES } from './cipher.js';

export interface SecretKey {
  key: Buffer;
  /** The file it came from (for errors and the start-up log; never the key itself). */
  file: string;
  source: 'file' | 'generated';
}

export const GENERATED_KEY_FILE = 'secret.key';

/**
 * Like the API token: GATEWAY_SECRET_KEY_FILE must be readable and hold the key; without it, `secret.key` in the data
 * folder is read, or generated once (mode 0600). The file holds 32 random bytes as base64 (or 64 hex digits).
 */
export function loadSecretKey(settings: { secretKeyFile?: string | undefined; dataDir: string }): SecretKey {
  if (settings.secretKeyFile) {
    let text: string;
    try {
      text = readFileSync(settings.secretKeyFile, 'utf8');
    } catch (error) {
      throw new Error(`GATEWAY_SECRET_KEY_FILE ${settings.secretKeyFile} cannot be read: ${(error as Error).message}`);
    }
    return { key: parseKey(text, `GATEWAY_SECRET_KEY_FILE ${settings.secretKeyFile}`), file: settings.secretKeyFile, source: 'file' };
  }
  const file = join(settings.dataDir, GENERATED_KEY_FILE);
  let text: string | null = null;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw new Error(`the secret key file ${file} cannot be read: ${(error as Error).message}`);
  }
  if (text !== null) {
    if ((statSync(file).mode & 0o077) !== 0) chmodSync(file, 0o600);
    // A damaged generated key is not replaced: material sealed with it would be lost for good.
    return { key: parseKey(text, `the secret key file ${file}`), file, source: 'generated' };
  }
  mkdirSync(settings.dataDir, { recursive: true });
  const key = randomBytes(KEY_BYTES);
  // 'wx': never overwrite a key another process wrote in between.
  writeFileSync(file, `${key.toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
  chmodSync(file, 0o600); // the umask may have narrowed it differently; be exact
  return { key, file, source: 'generated' };
}

function parseKey(text: string, where: string): Buffer {
  const trimmed = text.trim();
  const key = /^[0-9a-fA-F]{64}$/.test(trimmed) ? Buffer.from(trimmed, 'hex') : Buffer.from(trimmed, 'base64');
  if (key.length !== KEY_BYTES || (!/^[0-9a-fA-F]{64}$/.test(trimmed) && key.toString('base64') !== trimmed)) {
    throw new Error(`${where} must hold a ${KEY_BYTES}-byte key as base64 (44 characters) or 64 hex digits, e.g. from: openssl rand -base64 32`);
  }
  return key;
}
