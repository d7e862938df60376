// Every change to shared accounts: the write-only update rules, PEM checks, sealing, and renames servers follow.
import { createHash } from 'node:crypto';
import type { ConfigService } from '../domain/config-service.js';
import { ValidationError } from '../domain/errors.js';
import type { AccountMaterial } from '../probing/types.js';
import type { FieldProblem } from '../schemas/common.js';
import { SECRET_FIELDS, type Configured, type SharedAccount, type SharedAccountInput } from '../schemas/shared-account.js';
import type { SharedAccountValues } from '../store/index.js';
import { NO_MATERIAL, openMaterial, sealMaterial } from './account-material.js';
import { certificateSummaries, materialProblems } from './pem.js';

/** What an agent's snapshot carries of an account: its material sealed for that agent only. */
export interface AgentAccount {
  name: string;
  sealed: string;
}

/** A server (or an imported one) names an account that does not exist. */
export async function missingAccountProblem(
  name: string | null, exists: (name: string) => Promise<boolean>, field = 'sharedAccount',
): Promise<FieldProblem | null> {
  if (name === null || await exists(name)) return null;
  return { field, message: `names shared account "${name}", which does not exist; create it under /api/v1/shared-accounts first` };
}

/** An update's secrets: left out keeps the stored value, null clears it, a string replaces it. */
export function updatedMaterial(current: AccountMaterial, input: SharedAccountInput): AccountMaterial {
  const next = { ...current };
  for (const field of SECRET_FIELDS) {
    const value = input[field];
    if (value !== undefined) next[field] = value;
  }
  return next;
}

/** What the API shows of material: which secrets are set, and the certificates' summaries. */
export function materialSummary(material: AccountMaterial): Pick<SharedAccountValues, 'configured' | 'certificates'> {
  return {
    configured: Object.fromEntries(SECRET_FIELDS.map((field) => [field, material[field] !== null])) as Configured,
    certificates: certificateSummaries(material),
  };
}

/** The values to store for `input` with `material`, sealed under `key`; 400 naming the field when the PEM is wrong. */
export function accountValues(key: Buffer, input: SharedAccountInput, material: AccountMaterial): SharedAccountValues {
  const problems = materialProblems(material);
  if (problems.length > 0) throw new ValidationError(problems);
  return {
    name: input.name,
    description: input.description ?? null,
    materialSealed: sealMaterial(key, input.name, material),
    ...materialSummary(material),
  };
}

export class SharedAccountService {
  /** `key`: what the store's material is sealed with (the key file's). */
  constructor(private readonly service: ConfigService, private readonly key: Buffer) {}

  private get store() {
    return this.service.store;
  }

  create(input: SharedAccountInput, user: string): Promise<SharedAccount> {
    const values = accountValues(this.key, input, updatedMaterial(NO_MATERIAL, input));
    return this.service.commit((tx) => tx.sharedAccounts.create(values, user, this.service.timestamp()), () => ({}));
  }

  async replace(id: number, input: SharedAccountInput, user: string): Promise<SharedAccount> {
    const { account } = await this.service.commit(async (tx) => {
      const stored = await tx.sharedAccounts.sealedById(id);
      const values = accountValues(this.key, input, updatedMaterial(openMaterial(this.key, stored.name, stored.materialSealed), input));
      const now = this.service.timestamp();
      // Servers first, so the account read back lists them under its new name; a 409 below rolls both back.
      const renamed = stored.name === values.name ? [] : await tx.servers.renameSharedAccount(stored.name, values.name, user, now);
      return { account: await tx.sharedAccounts.update(id, values, input.version, user, now), renamed };
    }, ({ renamed }) => ({ serverIds: renamed }));
    return account;
  }

  delete(id: number): Promise<SharedAccount> {
    return this.service.commit((tx) => tx.sharedAccounts.delete(id), () => ({}));
  }

  /**
   * The accounts `names` refer to, their material re-sealed under `agentKey`, and a stamp that changes exactly when
   * one of them does (sealing draws a fresh IV each time, so the sealed text cannot serve as the snapshot's ETag).
   */
  async forAgent(names: Iterable<string>, agentKey: Buffer): Promise<{ accounts: AgentAccount[]; stamp: string }> {
    const accounts: AgentAccount[] = [];
    const stamp = createHash('sha256');
    for (const name of [...new Set(names)].sort()) {
      const stored = await this.store.sharedAccounts.sealed(name);
      if (!stored) continue;
      accounts.push({ name, sealed: sealMaterial(agentKey, name, openMaterial(this.key, name, stored.materialSealed)) });
      stamp.update(`${name}\n${stored.materialSealed}\n`);
    }
    return { accounts, stamp: stamp.digest('base64url') };
  }
}
