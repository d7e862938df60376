import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FALLBACK_AUTOCHECKPOINT_PAGES, startCheckpointer } from '../../src/store/checkpointer.js';
import { openDatabase, type Db } from '../../src/store/database.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function database(): { db: Db; file: string } {
  const dir = mkdtempSync(join(tmpdir(), 'probekit-checkpoint-'));
  dirs.push(dir);
  const file = join(dir, 'gateway.db');
  return { db: openDatabase(file), file };
}

/** Rows of ~1 KiB, enough to fill hundreds of WAL pages. */
function writeRows(db: Db, rows: number): void {
  db.exec('CREATE TABLE IF NOT EXISTS filler (id INTEGER PRIMARY KEY, body TEXT NOT NULL)');
  const insert = db.prepare('INSERT INTO filler (body) VALUES (?)');
  db.transaction(() => {
    for (let i = 0; i < rows; i++) insert.run('x'.repeat(1000));
  })();
}

describe('WAL checkpoints on a worker thread', () => {
  it('copies committed pages into the database file without a checkpoint on the writing connection', async () => {
    const { db, file } = database();
    const checkpointer = startCheckpointer(db, file, { intervalMs: 100 });
    try {
      expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(FALLBACK_AUTOCHECKPOINT_PAGES);
      const before = statSync(file).size;
      writeRows(db, 2000); // ~500 pages: below the fallback, so only the worker can move them
      expect(statSync(file).size).toBe(before);
      const deadline = Date.now() + 5000;
      while (statSync(file).size === before && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      expect(statSync(file).size).toBeGreaterThan(before + 1_000_000);
      // Everything is readable as before, from this connection.
      expect(db.prepare('SELECT count(*) FROM filler').pluck().get()).toBe(2000);
    } finally {
      await checkpointer.stop();
      db.close();
    }
  });

  it('stops cleanly, twice, after a last checkpoint', async () => {
    const { db, file } = database();
    const checkpointer = startCheckpointer(db, file, { intervalMs: 60_000 });
    writeRows(db, 500);
    const before = statSync(file).size;
    await checkpointer.stop();
    await checkpointer.stop();
    expect(statSync(file).size).toBeGreaterThan(before);
    db.close();
  });

  it('reports a database it cannot open instead of throwing', async () => {
    const { db } = database();
    const errors: string[] = [];
    const checkpointer = startCheckpointer(db, '/nonexistent-dir/gateway.db', { intervalMs: 50, onError: (m) => errors.push(m) });
    await checkpointer.stop();
    expect(errors.join(' ')).toMatch(/directory|unable|open/i);
    db.close();
  });
});
