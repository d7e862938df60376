// AES-256-GCM sealing of secret text in a versioned format, and the per-agent key derivation (HKDF-SHA256).
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

export const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const FORMAT = 'v1';

/** A sealed text that does not open under this key: another key, or changed bytes. */
export class UnsealError extends Error {}

/**
 * `v1:<iv b64>:<tag b64>:<ciphertext b64>`: a random 12-byte IV per seal, the 16-byte GCM tag. `context` is
 * authenticated, not stored (the account name), so a sealed value copied to another account does not open.
 */
export function seal(key: Buffer, plaintext: string, context: string): string {
  assertKey(key);
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(Buffer.from(context, 'utf8'));
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return [FORMAT, iv.toString('base64'), cipher.getAuthTag().toString('base64'), ciphertext.toString('base64')].join(':');
}

export function open(key: Buffer, sealed: string, context: string): string {
  assertKey(key);
  const parts = sealed.split(':');
  if (parts[0] !== FORMAT || parts.length !== 4) throw new UnsealError(`not a sealed value of format ${FORMAT}`);
  const [iv, tag, ciphertext] = parts.slice(1).map((part) => Buffer.from(part, 'base64'));
  if (iv!.length !== IV_BYTES || tag!.length !== TAG_BYTES) throw new UnsealError('the sealed value is damaged');
  const decipher = createDecipheriv('aes-256-gcm', key, iv!, { authTagLength: TAG_BYTES });
  decipher.setAAD(Buffer.from(context, 'utf8'));
  decipher.setAuthTag(tag!);
  try {
    return Buffer.concat([decipher.update(ciphertext!), decipher.final()]).toString('utf8');
  } catch {
    throw new UnsealError('the sealed value does not open with this key (another key, or changed bytes)');
  }
}

/**
 * The key material is sealed with for one agent: both sides derive it from the agent token they share, so it never
 * travels, and the gateway id as salt makes it differ per agent.
 */
export function agentKey(agentToken: string, gatewayId: string): Buffer {
  return Buffer.from(hkdfSync('sha256', agentToken, gatewayId, 'probekit shared-account material v1', KEY_BYTES));
}

function assertKey(key: Buffer): void {
  if (key.length !== KEY_BYTES) throw new Error(`an AES-256 key has ${KEY_BYTES} bytes, not ${key.length}`);
}
