// Shared accounts: the only place their SQL lives. The material is stored sealed (secrets/cipher.ts);
// what the API shows of it (configured flags, certificate summaries) is kept beside it, so reads never decrypt.
import { assertVersion, auditView, likePattern, pageOf, withUniqueName, type AuditRow } from './rows.js';
import { ConflictError, NotFoundError } from '../domain/errors.js';
import type { CertificateSummaries, Configured, SharedAccount, SharedAccountQuery } from '../schemas/shared-account.js';
import type { Sql } from './sql/types.js';

/** What create and update write: the sealed material and its public summary. */
export interface SharedAccountValues {
  name: string;
  description: string | null;
  /** The material JSON sealed under the store's key, with the account name as context. */
  materialSealed: string;
  configured: Configured;
  certificates: CertificateSummaries;
}

interface SharedAccountRow extends AuditRow {
  id: number;
  name: string;
  description: string | null;
  material_enc: string;
  configured_json: string;
  used_by_json: string;
}

/** An account's sealed material by name: what the material source opens and an agent's snapshot re-seals. */
export interface SealedAccount {
  name: string;
  materialSealed: string;
}

function selectAccounts(sql: Sql): string {
  const usedBy = sql.dialect.jsonArray('s.name', 's.name', 'FROM servers s WHERE s.shared_account = a.name');
  return `SELECT a.*, ${usedBy} AS used_by_json FROM shared_accounts a`;
}

type SealedRow = Pick<SharedAccountRow, 'name' | 'material_enc'>;
const toSealed = (row: SealedRow): SealedAccount => ({ name: row.name, materialSealed: row.material_enc });

function toAccount(row: SharedAccountRow): SharedAccount {
  const { configured, certificates } = JSON.parse(row.configured_json) as Pick<SharedAccountValues, 'configured' | 'certificates'>;
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    configured,
    certificates,
    usedBy: JSON.parse(row.used_by_json) as string[],
    ...auditView(row),
  };
}

function columns(values: SharedAccountValues) {
  return {
    name: values.name,
    description: values.description,
    material_enc: values.materialSealed,
    configured_json: JSON.stringify({ configured: values.configured, certificates: values.certificates }),
  };
}

export class SharedAccountRepository {
  private readonly select: string;

  constructor(private readonly sql: Sql) {
    this.select = selectAccounts(sql);
  }

  async list(query: SharedAccountQuery) {
    const like = this.sql.dialect.like;
    const filter = query.q !== undefined && query.q !== '' ? ` WHERE (a.name ${like} @q ESCAPE '\\' OR a.description ${like} @q ESCAPE '\\')` : '';
    const params = filter === '' ? undefined : { q: likePattern(query.q!) };
    const { limit, offset } = pageOf(query);
    const rows = await this.sql.all<SharedAccountRow>(`${this.select}${filter} ORDER BY ${this.sql.dialect.nocase('a.name')}, a.id LIMIT @limit OFFSET @offset`,
      { ...params, limit, offset });
    const total = (await this.sql.value<number>(`SELECT COUNT(*) FROM shared_accounts a${filter}`, params))!;
    return { items: rows.map(toAccount), total, limit, offset };
  }

  async get(id: number): Promise<SharedAccount> {
    const row = await this.sql.get<SharedAccountRow>(`${this.select} WHERE a.id = ?`, [id]);
    if (!row) throw new NotFoundError('shared account', id);
    return toAccount(row);
  }

  async exists(name: string): Promise<boolean> {
    return (await this.sql.value('SELECT 1 FROM shared_accounts WHERE name = ?', [name])) !== undefined;
  }

  async sealed(name: string): Promise<SealedAccount | undefined> {
    const row = await this.sql.get<SealedRow>('SELECT name, material_enc FROM shared_accounts WHERE name = ?', [name]);
    return row && toSealed(row);
  }

  async sealedById(id: number): Promise<SealedAccount> {
    const row = await this.sql.get<SealedRow>('SELECT name, material_enc FROM shared_accounts WHERE id = ?', [id]);
    if (!row) throw new NotFoundError('shared account', id);
    return toSealed(row);
  }

  async allSealed(): Promise<SealedAccount[]> {
    return (await this.sql.all<SealedRow>('SELECT name, material_enc FROM shared_accounts ORDER BY name')).map(toSealed);
  }

  async create(values: SharedAccountValues, user: string, now: string): Promise<SharedAccount> {
    const id = (await withUniqueName(() =>
      this.sql.value<number>(`
        INSERT INTO shared_accounts (name, description, material_enc, configured_json, version, created_at, created_by, updated_at, updated_by)
        VALUES (@name, @description, @material_enc, @configured_json, 1, @now, @user, @now, @user)
        RETURNING id`, { ...columns(values), now, user }),
    values.name, 'another shared account'))!;
    return this.get(id);
  }

  /** Servers follow a rename (they refer to the account by name); the caller runs this in the transaction. */
  async update(id: number, values: SharedAccountValues, expectedVersion: number | undefined, user: string, now: string): Promise<SharedAccount> {
    await assertVersion(this.sql, 'shared_accounts', 'shared account', id, expectedVersion);
    await withUniqueName(() =>
      this.sql.run(`
        UPDATE shared_accounts SET name = @name, description = @description, material_enc = @material_enc, configured_json = @configured_json,
          version = version + 1, updated_at = @now, updated_by = @user
        WHERE id = @id`, { ...columns(values), id, now, user }),
    values.name, 'another shared account');
    return this.get(id);
  }

  /** Refused (409 naming them) while servers use the account. */
  async delete(id: number): Promise<SharedAccount> {
    const account = await this.get(id);
    if (account.usedBy.length > 0) {
      const names = account.usedBy.map((name) => `"${name}"`).join(', ');
      throw new ConflictError('id', `shared account "${account.name}" is used by server(s) ${names}; change their sharedAccount first`);
    }
    await this.sql.run('DELETE FROM shared_accounts WHERE id = ?', [id]);
    return account;
  }

  /**
   * An agent's copy: exactly the accounts its snapshot carries, sealed for this agent. Rows keep their id while the
   * name stays, so the audit fields say when the material last changed here.
   */
  async replaceAll(accounts: readonly SharedAccountValues[], user: string, now: string): Promise<void> {
    const keep = new Set(accounts.map((a) => a.name));
    for (const name of await this.sql.column<string>('SELECT name FROM shared_accounts')) {
      if (!keep.has(name)) await this.sql.run('DELETE FROM shared_accounts WHERE name = ?', [name]);
    }
    for (const account of accounts) {
      await this.sql.run(`
        INSERT INTO shared_accounts (name, description, material_enc, configured_json, version, created_at, created_by, updated_at, updated_by)
        VALUES (@name, @description, @material_enc, @configured_json, 1, @now, @user, @now, @user)
        ON CONFLICT (name) DO UPDATE SET material_enc = excluded.material_enc, configured_json = excluded.configured_json,
          version = shared_accounts.version + 1, updated_at = excluded.updated_at, updated_by = excluded.updated_by
        WHERE shared_accounts.material_enc IS DISTINCT FROM excluded.material_enc`, { ...columns(account), now, user });
    }
  }
}
