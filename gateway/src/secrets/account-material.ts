// Shared-account material for checks: sealed JSON in the store, opened once per account and cached until the next change.
import type { ConfigService } from '../domain/config-service.js';
import type { AccountMaterial } from '../probing/types.js';
import type { SealedAccount } from '../store/index.js';
import { SECRET_FIELDS } from '../schemas/shared-account.js';
import { open, seal } from './cipher.js';

/** What the probe engine asks at check time: synchronous, a cache read after the first time. */
export interface AccountMaterialSource {
  materialFor(name: string | null): AccountMaterial | null;
}

export const NO_MATERIAL: AccountMaterial = { caBundle: null, clientCert: null, clientKey: null, username: null, password: null };

/** The account name is the sealing context: material copied under another account's name does not open. */
const contextOf = (name: string) => `shared-account:${name}`;

export function sealMaterial(key: Buffer, name: string, material: AccountMaterial): string {
  return seal(key, JSON.stringify(material), contextOf(name));
}

export function openMaterial(key: Buffer, name: string, sealed: string): AccountMaterial {
  const parsed = JSON.parse(open(key, sealed, contextOf(name))) as Partial<Record<keyof AccountMaterial, unknown>>;
  const material = { ...NO_MATERIAL };
  for (const field of SECRET_FIELDS) {
    const value = parsed[field];
    if (typeof value === 'string') material[field] = value;
  }
  return material;
}

/**
 * Throws, naming the key file, when some stored material does not open with the key: started with another key file,
 * the material would be unusable and every edit would lose it.
 */
export function assertMaterialOpens(accounts: readonly SealedAccount[], key: Buffer, keyFile: string): void {
  for (const account of accounts) {
    try {
      openMaterial(key, account.name, account.materialSealed);
    } catch (error) {
      throw new Error(`the secret key in ${keyFile} does not decrypt shared account "${account.name}" (${(error as Error).message}); `
        + 'start with the key file the accounts were saved with (GATEWAY_SECRET_KEY_FILE)');
    }
  }
}

/** The store's accounts opened with `key` (the key file's, or on an agent the one derived for it). */
export class StoredAccountMaterial implements AccountMaterialSource {
  private readonly cache = new Map<string, AccountMaterial | null>();
  private readonly unsubscribe: () => void;

  constructor(
    private readonly service: ConfigService,
    private readonly key: Buffer,
    private readonly onError: (name: string, message: string) => void = () => {},
  ) {
    // Any committed change may have edited, renamed or removed an account (an agent's new snapshot too).
    this.unsubscribe = service.onChange(() => this.cache.clear());
  }

  materialFor(name: string | null): AccountMaterial | null {
    if (name === null) return null;
    const cached = this.cache.get(name);
    if (cached !== undefined) return cached;
    const material = this.read(name);
    this.cache.set(name, material);
    return material;
  }

  close(): void {
    this.unsubscribe();
    this.cache.clear();
  }

  private read(name: string): AccountMaterial | null {
    const sealed = this.service.store.sharedAccounts.sealed(name);
    if (!sealed) return null;
    try {
      return openMaterial(this.key, name, sealed.materialSealed);
    } catch (error) {
      this.onError(name, (error as Error).message);
      return null;
    }
  }
}
