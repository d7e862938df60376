// Transactions and optimistic concurrency, on SQLite and on PostgreSQL alike.
import { describe, expect, it } from 'vitest';
import type { ConfigStore } from '../../src/store/index.js';
import { DIALECTS, LATER, NOW, openTestStore, probe, server } from '../helpers/stores.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Outcome of a write: its status code, or 'ok'. */
async function outcome(write: Promise<unknown>): Promise<number | 'ok'> {
  try {
    await write;
    return 'ok';
  } catch (error) {
    const { statusCode } = error as { statusCode?: number };
    if (statusCode === undefined) throw error;
    return statusCode;
  }
}

describe.each(DIALECTS)('transactions on %s', (dialect) => {
  it('keeps nothing of a transaction that fails', async () => {
    const store = await openTestStore(dialect);
    const erp = await store.servers.create(server('erp'), 'tester', NOW);
    await expect(store.transaction(async (tx) => {
      await tx.servers.update(erp.id, server('erp', { description: 'changed' }), 1, 'tester', LATER);
      const crm = await tx.servers.create(server('crm'), 'tester', NOW);
      await tx.probes.create(crm.id, probe('portal'), 'tester', NOW);
      expect((await tx.servers.all()).map((s) => s.name)).toEqual(['crm', 'erp']);
      throw new Error('changed my mind');
    })).rejects.toThrow('changed my mind');
    expect(await store.servers.all()).toEqual([erp]);
    expect(await store.probes.all()).toEqual([]);
  });

  it('joins a nested transaction to the open one', async () => {
    const store = await openTestStore(dialect);
    await expect(store.transaction(async (tx) => {
      const erp = await tx.servers.create(server('erp'), 'tester', NOW);
      await tx.transaction(async (inner) => {
        // The inner one sees the outer one's writes: one transaction.
        await inner.probes.create(erp.id, probe('dispatcher'), 'tester', NOW);
      });
      expect(await tx.probes.ofServer(erp.id)).toHaveLength(1);
      throw new Error('roll back both');
    })).rejects.toThrow('roll back both');
    expect(await store.servers.all()).toEqual([]);

    const kept = await store.transaction((tx) => tx.transaction((inner) => inner.servers.create(server('crm'), 'tester', NOW)));
    expect((await store.servers.get(kept.id)).name).toBe('crm');
  });

  it('results written with durable: false land like any other', async () => {
    const store = await openTestStore(dialect);
    const erp = await store.sql.transaction((tx) => tx.value<number>(
      `INSERT INTO servers (name, connect_timeout_ms, enabled, thresholds_json, version, created_at, created_by, updated_at, updated_by)
       VALUES (?, 2000, 1, '[]', 1, ?, 'tester', ?, 'tester') RETURNING id`, ['erp', NOW, NOW]), { durable: false });
    expect((await store.servers.get(erp!)).name).toBe('erp');
  });

  it('of two updates with the same version, exactly one wins while the other is still open', async () => {
    const store = await openTestStore(dialect);
    const erp = await store.servers.create(server('erp'), 'tester', NOW);
    // Both clients read version 1. The first updates and holds its transaction open; the second starts meanwhile.
    let firstUpdated!: () => void;
    const updated = new Promise<void>((resolve) => { firstUpdated = resolve; });
    const first = store.transaction(async (tx) => {
      await tx.servers.update(erp.id, server('erp', { description: 'first' }), 1, 'alice', LATER);
      firstUpdated();
      await sleep(300);
    });
    const second = (async () => {
      await updated;
      return store.transaction((tx) => tx.servers.update(erp.id, server('erp', { description: 'second' }), 1, 'bob', LATER));
    })();
    expect(await Promise.all([outcome(first), outcome(second)])).toEqual(['ok', 409]);
    expect(await store.servers.get(erp.id)).toMatchObject({ version: 2, description: 'first' });
  });

  it('of many concurrent updates with the same version, exactly one wins', async () => {
    const store = await openTestStore(dialect);
    const erp = await store.servers.create(server('erp'), 'tester', NOW);
    const writers = Array.from({ length: 6 }, (_, i) => outcome(update(store, erp.id, `writer ${i}`)));
    const outcomes = await Promise.all(writers);
    expect(outcomes.filter((o) => o === 'ok')).toHaveLength(1);
    expect(outcomes.filter((o) => o === 409)).toHaveLength(5);
    expect((await store.servers.get(erp.id)).version).toBe(2);
  });
});

/** A PUT as the service runs it: check-and-write in one transaction, which stays open a moment before it commits. */
function update(store: ConfigStore, id: number, description: string) {
  return store.transaction(async (tx) => {
    const updated = await tx.servers.update(id, server('erp', { description }), 1, 'tester', LATER);
    await sleep(50);
    return updated;
  });
}
