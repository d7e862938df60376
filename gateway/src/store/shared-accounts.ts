// Shared accounts in SQLite: the only place their SQL lives. The material is stored sealed (secrets/cipher.ts);
// what the API shows of it (configured flags, certificate summaries) is kept beside it, so reads never decrypt.
import { statementCache, type Db, type Statement } from './database.js';
import { assertVersion, auditView, likePattern, pageOf, withUniqueName, type AuditRow } from './rows.js';
import { ConflictError, NotFoundError } from '../domain/errors.js';
import type { CertificateSummaries, Configured, SharedAccount, SharedAccountQuery } from '../schemas/shared-account.js';

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

const SELECT = `SELECT a.*, (SELECT json_group_array(s.name ORDER BY s.name) FROM servers s WHERE s.shared_account = a.name) AS used_by_json
  FROM shared_accounts a`;

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
  private readonly sql: (sql: string) => Statement;

  constructor(private readonly db: Db) {
    this.sql = statementCache(db);
  }

  list(query: SharedAccountQuery) {
    const filter = query.q !== undefined && query.q !== '' ? ` WHERE (a.name LIKE @q ESCAPE '\\' OR a.description LIKE @q ESCAPE '\\')` : '';
    const params = filter === '' ? {} : { q: likePattern(query.q!) };
    const { limit, offset } = pageOf(query);
    const rows = this.sql(`${SELECT}${filter} ORDER BY a.name COLLATE NOCASE, a.id LIMIT @limit OFFSET @offset`).all({ ...params, limit, offset }) as SharedAccountRow[];
    const total = this.sql(`SELECT COUNT(*) FROM shared_accounts a${filter}`).pluck().get(params) as number;
    return { items: rows.map(toAccount), total, limit, offset };
  }

  get(id: number): SharedAccount {
    const row = this.sql(`${SELECT} WHERE a.id = ?`).get(id) as SharedAccountRow | undefined;
    if (!row) throw new NotFoundError('shared account', id);
    return toAccount(row);
  }

  exists(name: string): boolean {
    return this.sql('SELECT 1 FROM shared_accounts WHERE name = ?').get(name) !== undefined;
  }

  sealed(name: string): SealedAccount | undefined {
    const row = this.sql('SELECT name, material_enc FROM shared_accounts WHERE name = ?').get(name) as Pick<SharedAccountRow, 'name' | 'material_enc'> | undefined;
    return row && { name: row.name, materialSealed: row.material_enc };
  }

  sealedById(id: number): SealedAccount {
    const row = this.sql('SELECT name, material_enc FROM shared_accounts WHERE id = ?').get(id) as Pick<SharedAccountRow, 'name' | 'material_enc'> | undefined;
    if (!row) throw new NotFoundError('shared account', id);
    return { name: row.name, materialSealed: row.material_enc };
  }

  allSealed(): SealedAccount[] {
    return (this.sql('SELECT name, material_enc FROM shared_accounts ORDER BY name').all() as Pick<SharedAccountRow, 'name' | 'material_enc'>[])
      .map((row) => ({ name: row.name, materialSealed: row.material_enc }));
  }

  create(values: SharedAccountValues, user: string, now: string): SharedAccount {
    const result = withUniqueName(() =>
      this.sql(`
        INSERT INTO shared_accounts (name, description, material_enc, configured_json, version, created_at, created_by, updated_at, updated_by)
        VALUES (@name, @description, @material_enc, @configured_json, 1, @now, @user, @now, @user)`).run({ ...columns(values), now, user }),
    values.name, 'another shared account');
    return this.get(Number(result.lastInsertRowid));
  }

  /** Servers follow a rename (they refer to the account by name); the caller runs this in the transaction. */
  update(id: number, values: SharedAccountValues, expectedVersion: number | undefined, user: string, now: string): SharedAccount {
    assertVersion(this.db, 'shared_accounts', 'shared account', id, expectedVersion);
    withUniqueName(() =>
      this.sql(`
        UPDATE shared_accounts SET name = @name, description = @description, material_enc = @material_enc, configured_json = @configured_json,
          version = version + 1, updated_at = @now, updated_by = @user
        WHERE id = @id`).run({ ...columns(values), id, now, user }),
    values.name, 'another shared account');
    return this.get(id);
  }

  /** Refused (409 naming them) while servers use the account. */
  delete(id: number): SharedAccount {
    const account = this.get(id);
    if (account.usedBy.length > 0) {
      const names = account.usedBy.map((name) => `"${name}"`).join(', ');
      throw new ConflictError('id', `shared account "${account.name}" is used by server(s) ${names}; change their sharedAccount first`);
    }
    this.sql('DELETE FROM shared_accounts WHERE id = ?').run(id);
    return account;
  }

  /**
   * An agent's copy: exactly the accounts its snapshot carries, sealed for this agent. Rows keep their id while the
   * name stays, so the audit fields say when the material last changed here.
   */
  replaceAll(accounts: readonly SharedAccountValues[], user: string, now: string): void {
    const keep = new Set(accounts.map((a) => a.name));
    const remove = this.sql('DELETE FROM shared_accounts WHERE name = ?');
    for (const name of this.sql('SELECT name FROM shared_accounts').pluck().all() as string[]) if (!keep.has(name)) remove.run(name);
    const upsert = this.sql(`
      INSERT INTO shared_accounts (name, description, material_enc, configured_json, version, created_at, created_by, updated_at, updated_by)
      VALUES (@name, @description, @material_enc, @configured_json, 1, @now, @user, @now, @user)
      ON CONFLICT (name) DO UPDATE SET material_enc = excluded.material_enc, configured_json = excluded.configured_json,
        version = version + 1, updated_at = excluded.updated_at, updated_by = excluded.updated_by
      WHERE material_enc IS NOT excluded.material_enc`);
    for (const account of accounts) upsert.run({ ...columns(account), now, user });
  }
}
