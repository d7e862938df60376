// The shared PostgreSQL stops: both replicas answer 503 quickly (writes with a message saying what is wrong, /readyz
// "not ready"), never hang; when it is back they carry on by themselves, without a restart.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConfigChange } from '../../src/domain/config-service.js';
import type { TestGateway } from '../helpers/gateway.js';
import { eventually, startTwoReplicas, type TwoReplicas } from './two-replicas.js';

let replicas: TwoReplicas;

beforeAll(async () => {
  replicas = await startTwoReplicas();
});

afterAll(async () => {
  await replicas?.dispose();
});

const both = () => [replicas.a, replicas.b];

async function timed<T>(work: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = performance.now();
  const value = await work();
  return { value, ms: performance.now() - started };
}

const readyz = async (gateway: TestGateway) => {
  const response = await fetch(`${gateway.url}/readyz`);
  return { status: response.status, body: await response.json() as unknown };
};

describe('the shared database stops and comes back', () => {
  it('answers 503 while PostgreSQL is down: writes with the reason and retry-after, reads, and /readyz, each within seconds', async () => {
    const { a, b, postgres } = replicas;
    const before = await a.api.post('/api/v1/servers', { name: 'before-outage' });
    expect(before.status).toBe(201);
    await postgres.stop();

    for (const gateway of both()) {
      const write = await timed(() => gateway.api.post('/api/v1/servers', { name: `during-outage-${gateway.service.gatewayId}` }));
      expect(write.value.status, JSON.stringify(write.value.body)).toBe(503);
      expect(write.value.body.message).toMatch(/^the configuration database is unavailable \(.+\); try again shortly$/);
      expect(write.value.headers.get('retry-after')).toBe('2');
      expect(write.ms).toBeLessThan(5000);

      const read = await timed(() => gateway.api.get(`/api/v1/servers/${before.body.id}`));
      expect(read.value.status).toBe(503);
      expect(read.ms).toBeLessThan(5000);

      const ready = await timed(() => readyz(gateway));
      expect(ready.value).toEqual({ status: 503, body: { status: 'not ready', store: 'unavailable' } });
      expect(ready.ms).toBeLessThan(1500);
    }
  }, 60_000);

  it('recovers on its own when PostgreSQL is back: ready again, writes land, and each replica sees the other\'s', async () => {
    const { a, b, postgres } = replicas;
    await postgres.start();
    for (const gateway of both()) {
      await eventually(async () => (await readyz(gateway)).status, (status) => status === 200, 30_000);
    }
    const onA = await eventually(() => a.api.post('/api/v1/servers', { name: 'after-outage-a' }), (r) => r.status !== 503, 30_000);
    const onB = await eventually(() => b.api.post('/api/v1/servers', { name: 'after-outage-b' }), (r) => r.status !== 503, 30_000);
    expect([onA.status, onB.status]).toEqual([201, 201]);
    expect((await b.api.get(`/api/v1/servers/${onA.body.id}`)).body.name).toBe('after-outage-a');
    expect((await a.api.get(`/api/v1/servers/${onB.body.id}`)).body.name).toBe('after-outage-b');
    // Nothing written before the outage was lost, and nothing the outage refused appeared.
    const names = (await a.api.get('/api/v1/servers?limit=100')).body.items.map((s: { name: string }) => s.name).sort();
    expect(names).toEqual(['after-outage-a', 'after-outage-b', 'before-outage']);
    // The change feed is back too: B hears of A's next write, or (when it was written before B listened again) B is
    // told to re-read everything.
    const heard: ConfigChange[] = [];
    const stop = b.service.onChange((change) => heard.push(change));
    try {
      const later = await a.api.post('/api/v1/servers', { name: 'heard-after-outage' });
      await eventually(() => heard, (changes) => changes.some((c) => c.full === true || c.serverIds.includes(later.body.id)), 10_000);
    } finally {
      stop();
    }
  }, 90_000);
});
