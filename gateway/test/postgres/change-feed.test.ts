// PostgresChangeFeed on a real cluster: a change committed on one replica reaches the others, and only once committed;
// after the database comes back, listeners get a `full` change and keep receiving.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConfigChange } from '../../src/domain/config-service.js';
import { PostgresChangeFeed } from '../../src/store/change-feed.js';
import { openPostgres } from '../../src/store/sql/postgres.js';
import type { SqlDatabase } from '../../src/store/sql/types.js';
import { startPostgres, type TestPostgres } from '../helpers/postgres.js';

let cluster: TestPostgres;
let db: SqlDatabase;
let feedA: PostgresChangeFeed;
let feedB: PostgresChangeFeed;
const heardByA: ConfigChange[] = [];
const heardByB: ConfigChange[] = [];

beforeAll(async () => {
  cluster = await startPostgres();
  const url = await cluster.createDatabase();
  db = await openPostgres({ url, replicaId: 'a' });
  feedA = new PostgresChangeFeed({ url, replicaId: 'a' });
  feedB = new PostgresChangeFeed({ url, replicaId: 'b' });
  await Promise.all([feedA.start(), feedB.start()]);
  feedA.onChange((change) => heardByA.push(change));
  feedB.onChange((change) => heardByB.push(change));
});

afterAll(async () => {
  await feedA?.stop();
  await feedB?.stop();
  await db?.close();
  await cluster?.dispose();
});

const change = (probeIds: number[]): ConfigChange => ({ probeIds, removedProbeIds: [], serverIds: [], scheduleIds: [] });

async function until(condition: () => boolean, timeoutMs: number): Promise<number> {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > timeoutMs) throw new Error(`not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return Date.now() - started;
}

describe('PostgresChangeFeed', () => {
  it('delivers a committed change to the other replica within a second, not to the one that made it', async () => {
    heardByA.length = heardByB.length = 0;
    await db.transaction((tx) => feedA.publish(tx, change([1, 2])));
    expect(await until(() => heardByB.length > 0, 1000)).toBeLessThan(1000);
    expect(heardByB).toEqual([change([1, 2])]);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(heardByA).toEqual([]);
  });

  it('sends nothing for a transaction that rolls back, and only on commit for one that does not', async () => {
    heardByB.length = 0;
    await expect(db.transaction(async (tx) => {
      await feedA.publish(tx, change([66]));
      throw new Error('rolled back');
    })).rejects.toThrow('rolled back');

    let release!: () => void;
    const gate = new Promise<void>((resolve) => { release = resolve; });
    const committing = db.transaction(async (tx) => {
      await feedA.publish(tx, change([7]));
      await gate;
    });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(heardByB).toEqual([]);
    release();
    await committing;
    await until(() => heardByB.length > 0, 1000);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(heardByB).toEqual([change([7])]);
  });

  it('turns a change too big for a notification into "re-read everything"', async () => {
    heardByB.length = 0;
    const ids = Array.from({ length: 3000 }, (_, i) => i + 1);
    await db.transaction((tx) => feedA.publish(tx, change(ids)));
    await until(() => heardByB.length > 0, 1000);
    expect(heardByB).toEqual([{ full: true, probeIds: [], removedProbeIds: [], serverIds: [], scheduleIds: [] }]);
  });

  it('survives a listener that throws', async () => {
    heardByB.length = 0;
    const off = feedB.onChange(() => { throw new Error('listener bug'); });
    await db.transaction((tx) => feedA.publish(tx, change([9])));
    await until(() => heardByB.length > 0, 1000);
    off();
    expect(heardByB).toEqual([change([9])]);
  });

  it('after the database restarts, says "re-read everything" and keeps receiving', async () => {
    heardByB.length = 0;
    await cluster.stop();
    await new Promise((resolve) => setTimeout(resolve, 500));
    await cluster.start();
    await until(() => heardByB.some((c) => c.full === true), 5000);
    expect(heardByB).toEqual([{ full: true, probeIds: [], removedProbeIds: [], serverIds: [], scheduleIds: [] }]);
    heardByB.length = 0;
    await db.transaction((tx) => feedA.publish(tx, change([11])));
    await until(() => heardByB.length > 0, 1000);
    expect(heardByB).toEqual([change([11])]);
    // A (which reconnected as well) still does not hear itself, apart from its own `full` after the gap.
    expect(heardByA.filter((c) => !c.full)).toEqual([]);
  });
});
