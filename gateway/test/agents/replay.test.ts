// Replay protection across replicas: a signed agent request is accepted once by whichever replica sees it first and
// refused by every other sharing the database; forged requests cost no database work; without a database, no request
// is accepted unchecked.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_CLOCK_SKEW_MS, NONCE_MEMORY_MS, SignatureVerifier, signedHeaders, type NonceStore } from '../../src/agents/signature.js';
import { ConfigStore, StoreUnavailableError } from '../../src/store/index.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { startPostgres } from '../helpers/postgres.js';

const TOKEN = 'replay-agent-token-0123456789';
const PATH = '/api/v1/agent/config?wait=0';
const dir = mkdtempSync(join(tmpdir(), 'probekit-replay-'));
const file = join(dir, 'gateway.db');
/** Two replicas' stores: two connections to one database. */
let replicas: [ConfigStore, ConfigStore];

beforeAll(async () => {
  replicas = [await ConfigStore.open({ kind: 'sqlite', file }), await ConfigStore.open({ kind: 'sqlite', file })];
});

afterAll(async () => {
  for (const store of replicas ?? []) await store.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The store's nonces, counting the calls that reach it. */
function counted(nonces: NonceStore): NonceStore & { calls: number } {
  const wrapper = {
    calls: 0,
    remember: (nonce: string, gateway: string, seenAtMs: number) => { wrapper.calls++; return nonces.remember(nonce, gateway, seenAtMs); },
    forgetBefore: (beforeMs: number) => nonces.forgetBefore(beforeMs),
  };
  return wrapper;
}

describe('SignatureVerifier over the shared nonce store', () => {
  it('accepts a request on one replica and refuses it, replayed, on the other', async () => {
    const [one, two] = replicas.map((store) => new SignatureVerifier(TOKEN, store.nonces));
    const headers = signedHeaders(TOKEN, 'a1', 'GET', PATH, '');
    expect(await one!.verify(headers, 'GET', PATH, '')).toEqual({ ok: true, gateway: 'a1' });
    expect(await two!.verify(headers, 'GET', PATH, '')).toEqual({ ok: false, reason: 'the request was replayed' });
    expect(await one!.verify(headers, 'GET', PATH, '')).toEqual({ ok: false, reason: 'the request was replayed' });
    // A fresh request of the same agent is fine on either.
    expect((await two!.verify(signedHeaders(TOKEN, 'a1', 'GET', PATH, ''), 'GET', PATH, '')).ok).toBe(true);
  });

  it('checks the signature and the clock before touching the database', async () => {
    const nonces = counted(replicas[0].nonces);
    const verifier = new SignatureVerifier(TOKEN, nonces);
    const forged = signedHeaders('not-the-agent-token-0123', 'a1', 'GET', PATH, '');
    expect(await verifier.verify(forged, 'GET', PATH, '')).toEqual({ ok: false, reason: 'the agent signature is not valid' });
    const stale = signedHeaders(TOKEN, 'a1', 'GET', PATH, '', Date.now() - 2 * MAX_CLOCK_SKEW_MS);
    expect((await verifier.verify(stale, 'GET', PATH, '')).ok).toBe(false);
    const tampered = signedHeaders(TOKEN, 'a1', 'POST', '/api/v1/agent/heartbeat', '{"reports":[]}');
    expect((await verifier.verify(tampered, 'POST', '/api/v1/agent/heartbeat', '{"reports":[1]}')).ok).toBe(false);
    expect(nonces.calls).toBe(0);
    expect((await verifier.verify(signedHeaders(TOKEN, 'a1', 'GET', PATH, ''), 'GET', PATH, '')).ok).toBe(true);
    expect(nonces.calls).toBe(1);
  });

  it('forgets nonces once no request can carry them any more, and not sooner', async () => {
    // A store of its own: the other tests' nonces would be forgotten here too.
    const store = await ConfigStore.open({ kind: 'sqlite', file: join(dir, 'forget.db') });
    let now = Date.parse('2031-01-01T00:00:00Z');
    const verifier = new SignatureVerifier(TOKEN, store.nonces, () => now);
    // The agent's clock runs a full skew ahead: the request stays acceptable until now + 2 skews.
    const headers = signedHeaders(TOKEN, 'a1', 'GET', PATH, '', now + MAX_CLOCK_SKEW_MS);
    expect((await verifier.verify(headers, 'GET', PATH, '')).ok).toBe(true);
    now += NONCE_MEMORY_MS - 1;
    expect(await verifier.forgetExpired()).toBe(0);
    expect(await verifier.verify(headers, 'GET', PATH, '')).toEqual({ ok: false, reason: 'the request was replayed' });
    now += 2;
    expect(await verifier.forgetExpired()).toBe(1);
    expect((await verifier.verify(headers, 'GET', PATH, '')).ok).toBe(false);
    await store.close();
  });
});

describe('two gateways sharing one database', () => {
  let gateways: TestGateway[] = [];

  afterAll(async () => {
    for (const gateway of gateways) await gateway.close();
  });

  it('answer a signed request once: the second replica refuses it as replayed', async () => {
    const env = { GATEWAY_DB: join(dir, 'replicas.db'), GATEWAY_CONTROL_PLANE_TOKEN: TOKEN };
    gateways.push(await startTestGateway({ ...env, GATEWAY_ID: 'cp1' }));
    gateways.push(await startTestGateway({ ...env, GATEWAY_ID: 'cp2' }));
    const headers = signedHeaders(TOKEN, 'a1', 'GET', PATH, '');
    expect((await fetch(`${gateways[0]!.url}${PATH}`, { headers })).status).toBe(200);
    const replay = await fetch(`${gateways[1]!.url}${PATH}`, { headers });
    expect(replay.status).toBe(401);
    expect(((await replay.json()) as { message: string }).message).toBe('the request was replayed');
  }, 30_000);
});

describe('without a database', () => {
  it('does not accept a request it cannot check for a replay: StoreUnavailableError (503)', async () => {
    const postgres = await startPostgres();
    try {
      const store = await ConfigStore.open({ kind: 'postgres', url: await postgres.createDatabase(), replicaId: 'cp1', connectTimeoutMs: 1000 });
      try {
        const verifier = new SignatureVerifier(TOKEN, store.nonces);
        expect((await verifier.verify(signedHeaders(TOKEN, 'a1', 'GET', PATH, ''), 'GET', PATH, '')).ok).toBe(true);
        await postgres.stop();
        const startedAt = Date.now();
        const verdict = verifier.verify(signedHeaders(TOKEN, 'a1', 'GET', PATH, ''), 'GET', PATH, '');
        await expect(verdict).rejects.toBeInstanceOf(StoreUnavailableError);
        await expect(verdict).rejects.toMatchObject({ statusCode: 503 });
        expect(Date.now() - startedAt).toBeLessThan(5000);
      } finally {
        await store.close();
      }
    } finally {
      await postgres.dispose();
    }
  }, 60_000);
});
