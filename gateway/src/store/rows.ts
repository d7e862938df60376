// Helpers shared by the repositories: audit stamps, paging and the versioned-update rule.
import type { Db } from './database.js';
import { ConflictError, NotFoundError, VersionConflictError } from '../domain/errors.js';

export interface AuditRow {
  version: number;
  created_at: string;
  created_by: string;
  updated_at: string;
  updated_by: string;
}

export function auditView(row: AuditRow) {
  return {
    version: row.version,
    createdAt: row.created_at,
    createdBy: row.created_by,
    updatedAt: row.updated_at,
    updatedBy: row.updated_by,
  };
}

export interface PageRequest {
  limit?: number | undefined;
  offset?: number | undefined;
}

export function pageOf(request: PageRequest) {
  return { limit: request.limit ?? 100, offset: request.offset ?? 0 };
}

/** Escapes LIKE wildcards so a search for "50%" finds that text. */
export function likePattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/**
 * Throws 404 when the row is gone, 409 when `expected` is given and is not the current version.
 * Called inside the transaction that then writes, so no other write slips in between.
 */
export function assertVersion(db: Db, table: string, kind: string, id: number, expected: number | undefined): number {
  const current = db.prepare(`SELECT version FROM ${table} WHERE id = ?`).pluck().get(id) as number | undefined;
  if (current === undefined) throw new NotFoundError(kind, id);
  if (expected !== undefined && expected !== current) throw new VersionConflictError(kind, id, expected, current);
  return current;
}

/** Runs a write; a UNIQUE failure (the only unique key besides ids is the name) becomes a 409 naming `name`. */
export function withUniqueName<T>(write: () => T, name: string, usedBy: string): T {
  try {
    return write();
  } catch (error) {
    if ((error as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE') throw new ConflictError('name', `"${name}" is already used by ${usedBy}`);
    throw error;
  }
}
