// The SQL fragments that differ between SQLite and PostgreSQL.
import type { Dialect } from './types.js';

export const SQLITE: Dialect = {
  name: 'sqlite',
  like: 'LIKE',
  nocase: (expr) => `${expr} COLLATE NOCASE`,
  jsonArray: (expr, orderBy, from) => `(SELECT json_group_array(${expr} ORDER BY ${orderBy}) ${from})`,
  jsonText: (column, key) => `json_extract(${column}, '$.${key}')`,
  insertionOrder: 'rowid',
  forUpdate: '',
};

export const POSTGRES: Dialect = {
  name: 'postgres',
  like: 'ILIKE',
  nocase: (expr) => `lower(${expr})`,
  jsonArray: (expr, orderBy, from) => `(SELECT COALESCE(json_agg(${expr} ORDER BY ${orderBy}), '[]'::json)::text ${from})`,
  jsonText: (column, key) => `(${column}::json ->> '${key}')`,
  insertionOrder: 'seq',
  forUpdate: ' FOR UPDATE',
};
