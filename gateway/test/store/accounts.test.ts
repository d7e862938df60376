// Shared accounts, gateways and agent nonces, on SQLite and on PostgreSQL alike.
import { describe, expect, it } from 'vitest';
import { ConfigStore, type SharedAccountValues } from '../../src/store/index.js';
import { DIALECTS, LATER, NOW, freshLocation, openTestStore, server, track } from '../helpers/stores.js';

const account = (name: string, materialSealed = `sealed-${name}`, description: string | null = null): SharedAccountValues => ({
  name, description, materialSealed,
  configured: { caBundle: true, clientCert: false, clientKey: false, username: false, password: false },
  certificates: { caBundle: [{ subject: 'CN=Root', issuer: 'CN=Root', notAfter: '2030-01-01T00:00:00.000Z' }], clientCert: null },
});

describe.each(DIALECTS)('shared accounts on %s', (dialect) => {
  it('creates, reads, lists and searches, and names the servers that use one', async () => {
    const store = await openTestStore(dialect);
    const svc = await store.sharedAccounts.create(account('svc', 'sealed-1', 'for 50% of servers'), 'alice', NOW);
    await store.sharedAccounts.create(account('Backup', 'sealed-2', 'for 500 servers'), 'alice', NOW);
    await store.servers.create(server('hr', { sharedAccount: 'svc' }), 'alice', NOW);
    await store.servers.create(server('erp', { sharedAccount: 'svc' }), 'alice', NOW);
    expect(svc).toMatchObject({ name: 'svc', usedBy: [], version: 1, configured: { caBundle: true }, certificates: { clientCert: null } });
    expect((await store.sharedAccounts.get(svc.id)).usedBy).toEqual(['erp', 'hr']);
    await expect(store.sharedAccounts.get(svc.id + 100)).rejects.toMatchObject({ statusCode: 404 });

    const names = async (q?: string) => (await store.sharedAccounts.list({ q })).items.map((a) => a.name);
    expect(await names()).toEqual(['Backup', 'svc']);
    expect(await names('50%')).toEqual(['svc']);
    expect(await names('BACK')).toEqual(['Backup']);
    expect(await store.sharedAccounts.list({ limit: 1, offset: 1 })).toMatchObject({ total: 2, items: [{ name: 'svc' }] });

    expect(await store.sharedAccounts.exists('svc')).toBe(true);
    expect(await store.sharedAccounts.exists('SVC')).toBe(false);
    expect(await store.sharedAccounts.sealed('svc')).toEqual({ name: 'svc', materialSealed: 'sealed-1' });
    expect(await store.sharedAccounts.sealed('nope')).toBeUndefined();
    expect(await store.sharedAccounts.sealedById(svc.id)).toEqual({ name: 'svc', materialSealed: 'sealed-1' });
    await expect(store.sharedAccounts.sealedById(svc.id + 100)).rejects.toMatchObject({ statusCode: 404 });
    expect((await store.sharedAccounts.allSealed()).map((a) => a.name)).toEqual(['Backup', 'svc']);
  });

  it('refuses duplicate names and stale versions; renames with its servers; refuses a delete while used', async () => {
    const store = await openTestStore(dialect);
    const svc = await store.sharedAccounts.create(account('svc'), 'alice', NOW);
    const other = await store.sharedAccounts.create(account('other'), 'alice', NOW);
    await expect(store.sharedAccounts.create(account('svc'), 'alice', NOW)).rejects.toMatchObject({ statusCode: 409, problems: [{ field: 'name' }] });
    await expect(store.sharedAccounts.update(other.id, account('svc'), undefined, 'alice', NOW)).rejects.toMatchObject({ statusCode: 409, problems: [{ field: 'name' }] });
    const erp = await store.servers.create(server('erp', { sharedAccount: 'svc' }), 'alice', NOW);

    // A rename runs with the servers' rename in one transaction, as the service does it.
    const renamed = await store.transaction(async (tx) => {
      const updated = await tx.sharedAccounts.update(svc.id, account('service', 'sealed-new'), 1, 'bob', LATER);
      await tx.servers.renameSharedAccount('svc', 'service', 'bob', LATER);
      return tx.sharedAccounts.get(updated.id);
    });
    expect(renamed).toMatchObject({ name: 'service', version: 2, usedBy: ['erp'], updatedBy: 'bob' });
    expect((await store.servers.get(erp.id)).sharedAccount).toBe('service');
    await expect(store.sharedAccounts.update(svc.id, account('service'), 1, 'bob', LATER)).rejects.toMatchObject({ statusCode: 409, problems: [{ field: 'version' }] });
    await expect(store.sharedAccounts.update(svc.id + 100, account('x'), undefined, 'bob', LATER)).rejects.toMatchObject({ statusCode: 404 });

    await expect(store.sharedAccounts.delete(svc.id)).rejects.toMatchObject({ statusCode: 409, message: expect.stringContaining('"erp"') });
    expect(await store.sharedAccounts.delete(other.id)).toMatchObject({ name: 'other' });
    await expect(store.sharedAccounts.delete(other.id)).rejects.toMatchObject({ statusCode: 404 });
  });

  it("replaces all accounts with an agent's copy, keeping ids and versions of unchanged ones", async () => {
    const store = await openTestStore(dialect);
    const same = await store.sharedAccounts.create(account('same'), 'control-plane', NOW);
    const changed = await store.sharedAccounts.create(account('changed'), 'control-plane', NOW);
    await store.sharedAccounts.create(account('dropped'), 'control-plane', NOW);
    await store.sharedAccounts.replaceAll([account('same'), account('changed', 'sealed-again'), account('added')], 'agent', LATER);

    const all = (await store.sharedAccounts.list({})).items;
    expect(all.map((a) => a.name)).toEqual(['added', 'changed', 'same']);
    expect(all.find((a) => a.name === 'same')).toMatchObject({ id: same.id, version: 1, updatedAt: NOW });
    expect(all.find((a) => a.name === 'changed')).toMatchObject({ id: changed.id, version: 2, updatedAt: LATER, updatedBy: 'agent' });
    expect(await store.sharedAccounts.sealed('changed')).toEqual({ name: 'changed', materialSealed: 'sealed-again' });
    await store.sharedAccounts.replaceAll([], 'agent', LATER);
    expect(await store.sharedAccounts.allSealed()).toEqual([]);
  });
});

describe.each(DIALECTS)('gateways on %s', (dialect) => {
  it('registers once and refreshes on each touch; keeps teams, also of gateways not seen yet', async () => {
    const store = await openTestStore(dialect);
    await store.gateways.touch({ id: 'edge-2', version: '1.0.0', address: null }, NOW);
    await store.gateways.touch({ id: 'edge-1', version: '1.0.0', address: '10.0.0.1' }, NOW);
    await store.gateways.touch({ id: 'edge-1', version: '1.1.0', address: '10.0.0.9' }, LATER);
    await store.gateways.setTeam('edge-1', 'network', 'alice', NOW);
    await store.gateways.setTeam('edge-9', 'dc-ops', 'alice', NOW);
    expect(await store.gateways.all()).toEqual([
      { id: 'edge-1', version: '1.1.0', address: '10.0.0.9', registeredAt: NOW, lastSeenAt: LATER, team: 'network' },
      { id: 'edge-2', version: '1.0.0', address: null, registeredAt: NOW, lastSeenAt: NOW, team: null },
    ]);
    expect(await store.gateways.teams()).toEqual(new Map([['edge-1', 'network'], ['edge-9', 'dc-ops']]));
    await store.gateways.setTeam('edge-1', null, 'bob', LATER);
    await store.gateways.setTeam('edge-9', 'facilities', 'bob', LATER);
    expect(await store.gateways.teams()).toEqual(new Map([['edge-9', 'facilities']]));
  });
});

describe.each(DIALECTS)('agent nonces on %s', (dialect) => {
  it('remembers a nonce once, also across two stores on one database, and forgets old ones', async () => {
    const location = await freshLocation(dialect);
    const one = track(await ConfigStore.open(location));
    const other = track(await ConfigStore.open(location));
    expect(await one.nonces.remember('n-1', 'edge-1', 1000)).toBe(true);
    expect(await one.nonces.remember('n-1', 'edge-1', 1001)).toBe(false);
    // A request replayed against another replica is refused there too.
    expect(await other.nonces.remember('n-1', 'edge-2', 1002)).toBe(false);
    expect(await other.nonces.remember('n-2', 'edge-1', 2000)).toBe(true);
    expect(await one.nonces.remember('n-3', 'edge-1', 3000)).toBe(true);

    expect(await one.nonces.forgetBefore(2500)).toBe(2);
    expect(await one.nonces.forgetBefore(2500)).toBe(0);
    expect(await other.nonces.remember('n-1', 'edge-1', 4000)).toBe(true);
    expect(await other.nonces.remember('n-3', 'edge-1', 4000)).toBe(false);
  });
});
