// Two replicas on one PostgreSQL database serve one configuration: what A writes B reads at once, a version both
// are sent wins once, B's engine and long polls hear of A's writes, and an account A seals opens on B.
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConfigChange } from '../../src/domain/config-service.js';
import { startTestGateway } from '../helpers/gateway.js';
import { spawnGateway } from '../helpers/gateway-process.js';
import { eventually, startTwoReplicas, type TwoReplicas } from './two-replicas.js';

let replicas: TwoReplicas;

beforeAll(async () => {
  replicas = await startTwoReplicas();
});

afterAll(async () => {
  await replicas?.dispose();
});

describe('two replicas on one PostgreSQL database', () => {
  it('reads on B, at once, the server A created', async () => {
    const { a, b } = replicas;
    const created = await a.api.post('/api/v1/servers', { name: 'shared-web', gateways: ['replica-a'] });
    expect(created.status).toBe(201);
    const read = await b.api.get(`/api/v1/servers/${created.body.id}`);
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({ name: 'shared-web', version: 1, gateways: ['replica-a'] });
    expect((await b.api.get('/api/v1/servers?q=shared-web')).body.total).toBe(1);
  });

  it('tells B\'s listeners (its engine, its agents\' long polls) of a change A committed', async () => {
    const { a, b } = replicas;
    const heard: ConfigChange[] = [];
    const stop = b.service.onChange((change) => heard.push(change));
    try {
      const created = await a.api.post('/api/v1/servers', { name: 'heard-on-b' });
      const probe = await a.api.post(`/api/v1/servers/${created.body.id}/probes`, { name: 'p', host: '127.0.0.1', port: 9 });
      expect(probe.status).toBe(201);
      await eventually(() => heard.flatMap((change) => change.probeIds), (ids) => ids.includes(probe.body.id), 2000);
      expect(heard.flatMap((change) => change.serverIds)).toContain(created.body.id);
    } finally {
      stop();
    }
  });

  it('lets exactly one of two PUTs carrying the same version win, when A and B get them at once', async () => {
    const { a, b } = replicas;
    const server = (await a.api.post('/api/v1/servers', { name: 'contended' })).body;
    let version = server.version as number;
    for (let round = 0; round < 8; round++) {
      const [onA, onB] = await Promise.all([
        a.api.put(`/api/v1/servers/${server.id}`, { name: 'contended', description: `A ${round}`, version }),
        b.api.put(`/api/v1/servers/${server.id}`, { name: 'contended', description: `B ${round}`, version }),
      ]);
      expect([onA.status, onB.status].sort(), `round ${round}: ${JSON.stringify([onA.body, onB.body])}`).toEqual([200, 409]);
      const winner = onA.status === 200 ? onA : onB;
      const loser = onA.status === 200 ? onB : onA;
      expect(loser.body.message).toContain(`you sent version ${version}, current is ${version + 1}`);
      version = winner.body.version;
      expect(version).toBe(server.version + round + 1);
      // Whichever replica is asked, the winner's write is what is stored.
      expect((await b.api.get(`/api/v1/servers/${server.id}`)).body.description).toBe(winner.body.description);
    }
  });

  it('opens on B the shared account A sealed, and follows A\'s edits of it', async () => {
    const { a, b } = replicas;
    const created = await a.api.post('/api/v1/shared-accounts', { name: 'db-login', username: 'probe', password: 'first-secret' });
    expect(created.status).toBe(201);
    const expected = { caBundle: null, clientCert: null, clientKey: null, username: 'probe', password: 'first-secret' };
    await eventually(() => b.accounts.materialFor('db-login'), (material) => material !== null, 2000);
    expect(b.accounts.materialFor('db-login')).toEqual(expected);

    const edited = await a.api.put(`/api/v1/shared-accounts/${created.body.id}`, { name: 'db-login', password: 'second-secret', version: 1 });
    expect(edited.status).toBe(200);
    await eventually(() => b.accounts.materialFor('db-login')?.password, (password) => password === 'second-secret', 2000);
    // B edits it too: its key is A's, so what it seals A opens.
    expect((await b.api.put(`/api/v1/shared-accounts/${created.body.id}`, { name: 'db-login', username: 'probe-2', version: 2 })).status).toBe(200);
    await eventually(() => a.accounts.materialFor('db-login'), (material) => material?.username === 'probe-2' && material.password === 'second-secret', 2000);
  });

  it('refuses to start a replica on PostgreSQL without the shared secret key file or API token, naming the variable', async () => {
    const { env } = replicas;
    await expect(startTestGateway({ GATEWAY_DATABASE_URL: env.GATEWAY_DATABASE_URL!, GATEWAY_API_TOKEN: env.GATEWAY_API_TOKEN!, GATEWAY_ID: 'replica-c' }))
      .rejects.toThrow(/set GATEWAY_SECRET_KEY_FILE .*every replica sharing the PostgreSQL database needs the same one/);
    await expect(startTestGateway({ ...env, GATEWAY_API_TOKEN: '', GATEWAY_ID: 'replica-c' }))
      .rejects.toThrow(/set GATEWAY_API_TOKEN or GATEWAY_API_TOKEN_FILE/);
    // The real program says it in one line and exits: no stack, no key file generated beside it.
    const { GATEWAY_SECRET_KEY_FILE: _key, ...withoutKey } = env;
    await expect(spawnGateway({ ...withoutKey, GATEWAY_ID: 'replica-c', GATEWAY_DB: join(tmpdir(), 'probekit-unused', 'gateway.db') }, 20_000))
      .rejects.toThrow(/exited before it was ready:\nprobekit-gateway: set GATEWAY_SECRET_KEY_FILE /);
  });

  it('closes what it opened on the database when a later start-up step fails', async () => {
    // Each replica's connections carry its id as their application_name.
    const connections = async () => {
      const client = new pg.Client({ connectionString: replicas.databaseUrl });
      await client.connect();
      try {
        const { rows } = await client.query("SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'probekit-gateway replica-d'");
        return rows[0].n as number;
      } finally {
        await client.end();
      }
    };
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    try {
      // The store, its change feed and the accounts are open by the time the port turns out to be taken.
      await expect(startTestGateway({ ...replicas.env, GATEWAY_ID: 'replica-d', GATEWAY_PORT: String((taken.address() as AddressInfo).port) }))
        .rejects.toThrow(/EADDRINUSE/);
      expect(await eventually(connections, (n) => n === 0, 5_000)).toBe(0);
    } finally {
      await new Promise<void>((resolve) => taken.close(() => resolve()));
    }
  });
});
