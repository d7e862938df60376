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

export interface StoredAccountMaterialEvents {
  /** An account's material does not open with the key (reported once per load). */
  onOpenError?: (name: string, message: string) => void;
  /** The store could not be read; the material loaded before stays in use until the next change. */
  onLoadError?: (message: string) => void;
}

/**
 * The store's accounts opened with `key` (the key file's, or on an agent the one derived for it). Checks must never
 * wait for the database, so the sealed material of every account is loaded up front (`load()` at start) and again
 * after each change; each account is opened on first use, and again only after its material changed.
 */
export class StoredAccountMaterial implements AccountMaterialSource {
  private sealed = new Map<string, string>();
  private readonly opened = new Map<string, AccountMaterial | null>();
  /** Counts loads started: of loads that overlap, only the latest started may install what it read. */
  private generation = 0;
  private readonly unsubscribe: () => void;

  constructor(
    private readonly service: ConfigService,
    private readonly key: Buffer,
    private readonly events: StoredAccountMaterialEvents = {},
  ) {
    // Any committed change may have edited, renamed or removed an account (another replica's, an agent's new snapshot).
    this.unsubscribe = service.onChange(() => {
      this.load().catch((error: unknown) => this.events.onLoadError?.((error as Error).message));
    });
  }

  /** Reads every account's sealed material from the store; resolves once checks see it. */
  async load(): Promise<void> {
    const generation = ++this.generation;
    const accounts = await this.service.store.sharedAccounts.allSealed();
    if (generation !== this.generation) return;
    const previous = this.sealed;
    this.sealed = new Map(accounts.map((account) => [account.name, account.materialSealed]));
    // Most changes do not touch an account: keep what is opened (and the TLS contexts built on it) unless its
    // sealed text changed or it is gone.
    for (const name of [...this.opened.keys()]) if (previous.get(name) !== this.sealed.get(name)) this.opened.delete(name);
  }

  materialFor(name: string | null): AccountMaterial | null {
    if (name === null) return null;
    const cached = this.opened.get(name);
    if (cached !== undefined) return cached;
    const material = this.open(name);
    this.opened.set(name, material);
    return material;
  }

  close(): void {
    this.unsubscribe();
    this.generation++;
    this.sealed.clear();
    this.opened.clear();
  }

  private open(name: string): AccountMaterial | null {
    const sealed = this.sealed.get(name);
    if (sealed === undefined) return null;
    try {
      return openMaterial(this.key, name, sealed);
    } catch (error) {
      this.events.onOpenError?.(name, (error as Error).message);
      return null;
    }
  }
}
