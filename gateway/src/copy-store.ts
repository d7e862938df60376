#!/usr/bin/env node
// Command line: copy a SQLite gateway's store into an empty PostgreSQL database, then print what was copied.
//   npm run copy-store -w @probekit/gateway -- --from ./data/gateway.db --to 'postgres://probekit@db:5432/probekit?sslmode=require'
// The password comes from the file GATEWAY_DATABASE_PASSWORD_FILE names (or from the URL).
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { copyStore } from './store/copy.js';
import { ConfigStore } from './store/index.js';

const USAGE = 'usage: copy-store --from <SQLite file> --to postgres://user@host:5432/database[?sslmode=...]\n'
  + '  (password: the file GATEWAY_DATABASE_PASSWORD_FILE names, or in the URL)';

class UsageError extends Error {}

function readOptions(argv: string[], env: NodeJS.ProcessEnv): { from: string; to: string; password: string | undefined } {
  let values;
  try {
    ({ values } = parseArgs({ args: argv, options: { from: { type: 'string' }, to: { type: 'string' } }, strict: true }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (!values.from || !values.to) throw new UsageError('both --from and --to are needed');
  const from = resolve(values.from);
  // Opening a missing file would create an empty store and copy nothing.
  if (!existsSync(from)) throw new UsageError(`--from ${from}: no such file`);
  if (!/^postgres(ql)?:\/\//.test(values.to)) throw new UsageError('--to must be a postgres:// or postgresql:// URL'); // not echoed: it may hold a password
  const passwordFile = env.GATEWAY_DATABASE_PASSWORD_FILE?.trim();
  let password: string | undefined;
  if (passwordFile) {
    try {
      password = readFileSync(passwordFile, 'utf8').trim();
    } catch (error) {
      throw new UsageError(`GATEWAY_DATABASE_PASSWORD_FILE ${passwordFile} cannot be read: ${(error as Error).message}`);
    }
  }
  return { from, to: values.to, password };
}

/** The URL without its password, for messages. */
function shown(url: string): string {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = '***';
  return parsed.toString();
}

async function main(): Promise<void> {
  let options;
  try {
    options = readOptions(process.argv.slice(2), process.env);
  } catch (error) {
    process.stderr.write(`copy-store: ${(error as Error).message}\n${USAGE}\n`);
    process.exit(2);
  }
  let source: ConfigStore | undefined;
  let target: ConfigStore | undefined;
  try {
    // Opening migrates each store to this code's schema, so both have the same tables.
    source = await ConfigStore.open({ kind: 'sqlite', file: options.from });
    target = await ConfigStore.open({ kind: 'postgres', url: options.to, password: options.password, replicaId: 'copy-store' });
    const counts = await copyStore(source, target);
    const width = Math.max(...counts.map((count) => count.table.length));
    process.stdout.write(`copied ${options.from} to ${shown(options.to)}:\n`);
    for (const { table, rows } of counts) process.stdout.write(`  ${table.padEnd(width)}  ${rows}\n`);
  } catch (error) {
    process.stderr.write(`copy-store: ${(error as Error).message}\nnothing was copied\n`);
    process.exitCode = 1;
  } finally {
    await target?.close();
    await source?.close();
  }
}

await main();
