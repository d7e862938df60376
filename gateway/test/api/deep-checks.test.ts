// A probe's deeper-check fields (tls, dialogue, ipVersion) through the real HTTP API and SQLite files: 400s naming the
// field, GET/PUT/PATCH and export/import round trips, the upgrade of an older database, Test connection against real
// loopback listeners (plain, IPv6, a banner, TLS), and what the engine keeps of a deep result and sends a check.
import { mkdtempSync, rmSync } from 'node:fs';
import net, { type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { startListener } from '../helpers/listeners.js';
import { exportText, storeState } from '../helpers/snapshot.js';
import { testCertificates } from '../helpers/certs.js';
import { readSettings } from '../../src/settings.js';
import { startGateway } from '../../src/start.js';
import { openDatabase } from '../../src/store/database.js';
import { MIGRATIONS } from '../../src/store/migrations.js';
import { ConfigStore } from '../../src/store/index.js';
import { ConfigService } from '../../src/domain/config-service.js';
import { parseAllowlist } from '../../src/domain/targets.js';
import { createMetrics } from '../../src/metrics/index.js';
import { createResolver } from '../../src/probing/resolve.js';
import { ProbeEngine } from '../../src/engine/probe-engine.js';
import type { AccountMaterial, CheckRequest, CheckResult } from '../../src/probing/types.js';
import { SMTP_STARTTLS } from '../helpers/dialogue-servers.js';

let gw: TestGateway;
let serverId: number;
let probeSeq = 0;

beforeAll(async () => {
  gw = await startTestGateway();
  serverId = (await gw.api.post('/api/v1/servers', { name: 'deep' })).body.id;
});
afterAll(async () => { await gw?.dispose(); });

const probePath = () => `/api/v1/servers/${serverId}/probes`;
const newProbe = (extra: Record<string, unknown>) => ({ name: `deep-${++probeSeq}`, host: 'db.example.com', port: 5432, ...extra });

describe('probe fields: validation', () => {
  const cases: { name: string; body: Record<string, unknown>; field: string; message: RegExp }[] = [
    { name: 'expect that does not compile, named by its step', body: { dialogue: [{ send: 'PING\r\n' }, { expect: '^\\+PONG' }, { expect: '[a-' }] }, field: 'dialogue[2].expect', message: /regular expression/ },
    { name: 'expect with a backreference, which only a backtracking engine can match', body: { dialogue: [{ expect: '^(\\w+) \\1$' }] }, field: 'dialogue[0].expect', message: /backreference or lookaround.*linear time/ },
    { name: 'expect with a lookbehind', body: { dialogue: [{ expect: '(?<=220 )ok' }] }, field: 'dialogue[0].expect', message: /linear time/ },
    { name: 'empty expect', body: { dialogue: [{ expect: '' }] }, field: 'dialogue[0].expect', message: /must not be empty/ },
    { name: 'expect longer than 1024', body: { dialogue: [{ expect: 'a'.repeat(1025) }] }, field: 'dialogue[0].expect', message: /at most 1024/ },
    { name: 'odd-length hex', body: { dialogue: [{ send: 'abc', encoding: 'hex' }] }, field: 'dialogue[0].send', message: /even number of hex digits/ },
    { name: 'hex with a non-hex digit', body: { dialogue: [{ send: '0g', encoding: 'hex' }] }, field: 'dialogue[0].send', message: /hex digits/ },
    { name: 'send above 4096 bytes in UTF-8', body: { dialogue: [{ send: 'é'.repeat(2049) }] }, field: 'dialogue[0].send', message: /at most 4096 bytes.*4098/ },
    { name: 'hex send above 4096 bytes', body: { dialogue: [{ send: '00'.repeat(4097), encoding: 'hex' }] }, field: 'dialogue[0].send', message: /at most 4096 bytes/ },
    { name: 'step with two kinds', body: { dialogue: [{ expect: 'x' }, { send: 'a', expect: 'b' }] }, field: 'dialogue[1]', message: /exactly one of send, expect or startTls, not send and expect/ },
    { name: 'empty step', body: { dialogue: [{}] }, field: 'dialogue[0]', message: /exactly one of/ },
    { name: 'misspelt step field', body: { dialogue: [{ sned: 'x' }] }, field: 'dialogue[0].sned', message: /not a known field/ },
    { name: 'encoding on an expect', body: { dialogue: [{ expect: 'x', encoding: 'hex' }] }, field: 'dialogue[0].encoding', message: /only to a send step/ },
    { name: 'startTls false', body: { dialogue: [{ startTls: false }] }, field: 'dialogue[0].startTls', message: /must be true/ },
    { name: 'two startTls steps', body: { dialogue: [...SMTP_STARTTLS, { startTls: true }] }, field: 'dialogue[6].startTls', message: /once; step 5/ },
    { name: '17 steps', body: { dialogue: Array.from({ length: 17 }, () => ({ expect: 'x' })) }, field: 'dialogue', message: /at most 16/ },
    { name: 'dialogue not a list', body: { dialogue: 'PING' }, field: 'dialogue', message: /must be an array or null/ },
    { name: 'server name an IP address', body: { tls: { serverName: '10.0.0.1' } }, field: 'tls.serverName', message: /DNS name/ },
    { name: 'server name with a bad label', body: { tls: { serverName: 'db_1.example.com' } }, field: 'tls.serverName', message: /DNS name/ },
    { name: 'unknown TLS version', body: { tls: { minVersion: 'SSLv3' } }, field: 'tls.minVersion', message: /TLSv1.2/ },
    { name: 'verify not a boolean', body: { tls: { verify: 'yes' } }, field: 'tls.verify', message: /boolean/ },
    { name: 'unknown TLS field', body: { tls: { ciphers: 'ALL' } }, field: 'tls.ciphers', message: /not a known field/ },
    { name: 'ipVersion 4 with an IPv6 literal', body: { host: '::1', ipVersion: '4' }, field: 'ipVersion', message: /"auto" or "6" for the IPv6 address ::1/ },
    { name: 'ipVersion 6 with an IPv4 literal', body: { host: '127.0.0.1', ipVersion: '6' }, field: 'ipVersion', message: /"auto" or "4"/ },
    { name: 'ipVersion not one of the three', body: { ipVersion: 'v6' }, field: 'ipVersion', message: /"auto", "4", "6"/ },
  ];

  it.each(cases)('$name → 400 on $field, nothing saved', async ({ body, field, message }) => {
    const before = await storeState(gw.api);
    const { status, body: error } = await gw.api.post(probePath(), newProbe(body));
    expect(status, JSON.stringify(error)).toBe(400);
    expect(error.field).toBe(field);
    expect(error.message).toMatch(message);
    expect(error.message.startsWith(`${field} `)).toBe(true);
    expect(await storeState(gw.api)).toBe(before);
  });

  it('checks the same rules on PUT and PATCH, and for a host changed under a kept ipVersion', async () => {
    const { body: probe } = await gw.api.post(probePath(), newProbe({ host: '::1', ipVersion: '6' }));
    const put = await gw.api.put(`/api/v1/probes/${probe.id}`, newProbe({ name: probe.name, dialogue: [{ expect: '(' }] }));
    expect(put.status).toBe(400);
    expect(put.body.field).toBe('dialogue[0].expect');
    const patch = await gw.api.patch(`/api/v1/probes/${probe.id}`, { host: '127.0.0.1' });
    expect(patch.status).toBe(400);
    expect(patch.body.field).toBe('ipVersion');
    expect((await gw.api.get(`/api/v1/probes/${probe.id}`)).body).toMatchObject({ host: '::1', ipVersion: '6', dialogue: null, version: 1 });
  });
});

describe('probe fields: round trips', () => {
  it('defaults to a plain check over any family, and keeps every field given', async () => {
    const { body: plain } = await gw.api.post(probePath(), newProbe({}));
    expect(plain).toMatchObject({ tls: null, dialogue: null, ipVersion: 'auto', actualIp: null });

    const input = newProbe({
      host: 'mail.example.com', port: 25, ipVersion: '6',
      tls: { serverName: 'smtp.example.com', minVersion: 'TLSv1.2' },
      dialogue: [...SMTP_STARTTLS, { send: '51554954', encoding: 'hex' }],
    });
    const created = await gw.api.post(probePath(), input);
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    // Defaults filled in: verify on, a send's encoding utf8.
    const stored = {
      tls: { serverName: 'smtp.example.com', verify: true, minVersion: 'TLSv1.2' },
      dialogue: [
        { expect: '^220 ' }, { send: 'EHLO probekit\r\n', encoding: 'utf8' }, { expect: '^250 ' }, { send: 'STARTTLS\r\n', encoding: 'utf8' },
        { expect: '^220 ' }, { startTls: true }, { send: '51554954', encoding: 'hex' },
      ],
      ipVersion: '6',
    };
    expect(created.body).toMatchObject(stored);
    expect((await gw.api.get(`/api/v1/probes/${created.body.id}`)).body).toMatchObject(stored);
    expect((await gw.api.get(`${probePath()}?q=${input.name}`)).body.items[0]).toMatchObject(stored);

    // PATCH replaces the TLS settings as a whole; PUT without the fields takes the defaults back.
    const patched = await gw.api.patch(`/api/v1/probes/${created.body.id}`, { tls: { verify: false } });
    expect(patched.body).toMatchObject({ tls: { serverName: null, verify: false, minVersion: null }, dialogue: stored.dialogue, ipVersion: '6', version: 2 });
    const noSteps = await gw.api.patch(`/api/v1/probes/${created.body.id}`, { dialogue: [] });
    expect(noSteps.body.dialogue).toBeNull();
    const put = await gw.api.put(`/api/v1/probes/${created.body.id}`, { name: input.name, host: 'mail.example.com', port: 25 });
    expect(put.body).toMatchObject({ tls: null, dialogue: null, ipVersion: 'auto', version: 4 });
  });

  it('exports the fields and imports them into another gateway as they were; a second import changes nothing', async () => {
    const server = (await gw.api.post('/api/v1/servers', { name: 'deep-export' })).body;
    const redis = { name: 'redis', host: '127.0.0.1', port: 6379, dialogue: [{ send: 'PING\r\n' }, { expect: '^\\+PONG' }] };
    const ldaps = { name: 'ldaps', host: 'ldap.example.com', port: 636, tls: { verify: false, minVersion: 'TLSv1.3' }, ipVersion: '4' };
    for (const probe of [redis, ldaps]) expect((await gw.api.post(`/api/v1/servers/${server.id}/probes`, probe)).status).toBe(201);

    const exported = JSON.parse(await exportText(gw.api));
    const probes = exported.servers.find((s: any) => s.name === 'deep-export').probes;
    expect(probes).toEqual([
      expect.objectContaining({ name: 'ldaps', tls: { serverName: null, verify: false, minVersion: 'TLSv1.3' }, dialogue: null, ipVersion: '4' }),
      expect.objectContaining({ name: 'redis', tls: null, dialogue: [{ send: 'PING\r\n', encoding: 'utf8' }, { expect: '^\\+PONG' }], ipVersion: 'auto' }),
    ]);

    const other = await startTestGateway();
    try {
      const document = { ...exported, servers: exported.servers.filter((s: any) => s.name === 'deep-export') };
      const imported = await other.api.post('/api/v1/import', document);
      expect(imported.status, JSON.stringify(imported.body)).toBe(200);
      expect(imported.body.probes).toMatchObject({ created: 2 });
      const again = JSON.parse(await exportText(other.api));
      expect(again.servers[0].probes).toEqual(probes);
      expect((await other.api.post('/api/v1/import', document)).body.probes).toEqual({ created: 0, updated: 0, unchanged: 2, deleted: 0 });
      // A changed field is an update.
      document.servers[0].probes[0].tls.verify = true;
      expect((await other.api.post('/api/v1/import', document)).body.probes).toEqual({ created: 0, updated: 1, unchanged: 1, deleted: 0 });
    } finally {
      await other.dispose();
    }
  });

  it('refuses an import whose dialogue breaks a rule, naming the server, probe and step', async () => {
    const before = await exportText(gw.api);
    const document = {
      apiVersion: 'probekit/v1', kind: 'Configuration',
      servers: [{ name: 'deep-import', probes: [{ name: 'ok', host: '127.0.0.1', port: 1 }, { name: 'bad', host: '127.0.0.1', port: 2, dialogue: [{ expect: 'x' }, { expect: '*' }] }] }],
    };
    const { status, body } = await gw.api.post('/api/v1/import', document);
    expect(status).toBe(400);
    expect(body.field).toBe('servers[0].probes[1].dialogue[1].expect');
    const ipv = await gw.api.post('/api/v1/import', { ...document, servers: [{ name: 'deep-import', probes: [{ name: 'v', host: '::1', port: 2, ipVersion: '4' }] }] });
    expect(ipv.body.field).toBe('servers[0].probes[0].ipVersion');
    expect(await exportText(gw.api)).toBe(before);
  });
});

describe('migration 5: an existing database', () => {
  it('keeps its probes, as plain checks over any family, with actualIp from the IPv4 known', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'probekit-deep-migration-'));
    try {
      const file = join(dir, 'gateway.db');
      const old = openDatabase(file, MIGRATIONS.filter((m) => m.version <= 4));
      const now = '2026-12-01T10:00:00.000Z';
      const audit = { version: 3, created_at: now, created_by: 'tester', updated_at: now, updated_by: 'tester' };
      const serverId = Number(old.prepare(`INSERT INTO servers (name, connect_timeout_ms, enabled, thresholds_json, version, created_at, created_by, updated_at, updated_by)
        VALUES ('legacy', 2000, 1, '[]', @version, @created_at, @created_by, @updated_at, @updated_by)`).run(audit).lastInsertRowid);
      old.prepare("INSERT INTO server_gateways (server_id, gateway, position, slot) VALUES (?, 'test-gw', 0, 0)").run(serverId);
      // A result as gateways stored them before deeper checks: no actualIp, tls or responseMs.
      const result = { outcome: 'success', available: true, error: null, checkedAt: now, dnsMs: null, connectMs: 0.2, actualHost: '127.0.0.1', actualIpv4: '127.0.0.1', actualAddress: '127.0.0.1', gateway: 'test-gw' };
      const probeId = Number(old.prepare(`INSERT INTO probes (server_id, name, interval_seconds, host, port, enabled, thresholds_json, actual_host, actual_ipv4,
          last_result_json, version, created_at, created_by, updated_at, updated_by)
        VALUES (@serverId, 'postgres', 300, '127.0.0.1', 5432, 0, '[]', '127.0.0.1', '127.0.0.1', @result, @version, @created_at, @created_by, @updated_at, @updated_by)`)
        .run({ serverId, result: JSON.stringify(result), ...audit }).lastInsertRowid);
      old.prepare('INSERT INTO probe_results (probe_id, gateway, result_json) VALUES (?, ?, ?)').run(probeId, 'test-gw', JSON.stringify(result));
      old.close();

      const settings = readSettings({ GATEWAY_DB: file, GATEWAY_PORT: '0', GATEWAY_ID: 'test-gw', GATEWAY_API_TOKEN: 'test-token-0123456789abcdef', GATEWAY_TIME_ZONE: 'UTC' }, []);
      const upgraded = await startGateway(settings);
      try {
        const api = new ApiClient(upgraded.url, upgraded.token.token);
        const { status, body } = await api.get(`/api/v1/probes/${probeId}`);
        expect(status, JSON.stringify(body)).toBe(200);
        expect(body).toMatchObject({
          name: 'postgres', host: '127.0.0.1', port: 5432, enabled: false, version: 3, tls: null, dialogue: null, ipVersion: 'auto',
          actualIpv4: '127.0.0.1', actualIp: '127.0.0.1',
          lastResult: { ...result, actualIp: '127.0.0.1', tls: null, responseMs: null },
        });
        expect((await api.get(`/api/v1/probes/${probeId}/results`)).body.items).toEqual([{ ...result, actualIp: '127.0.0.1', tls: null, responseMs: null }]);
        expect(JSON.parse(await exportText(api)).servers[0].probes[0]).toMatchObject({ name: 'postgres', tls: null, dialogue: null, ipVersion: 'auto' });
      } finally {
        await upgraded.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('agents: the configuration snapshot', () => {
  it('carries the fields to an agent\'s store, and one from an older control plane reads as plain checks', async () => {
    const server = (await gw.api.post('/api/v1/servers', { name: 'deep-agent' })).body;
    const smtp = (await gw.api.post(`/api/v1/servers/${server.id}/probes`, { name: 'smtp', host: '::1', port: 25, ipVersion: '6', tls: { verify: false }, dialogue: SMTP_STARTTLS })).body;
    const snapshot = await gw.service.store.snapshots.snapshotFor('test-gw', new Date(0).toISOString());
    expect(snapshot.probes.find((p) => p.id === smtp.id)).toMatchObject({ tls: smtp.tls, dialogue: smtp.dialogue, ipVersion: '6', actualIp: null });

    const dir = mkdtempSync(join(tmpdir(), 'probekit-deep-agent-'));
    const agentStore = await ConfigStore.open({ kind: 'sqlite', file: join(dir, 'agent.db') });
    try {
      await agentStore.snapshots.apply(snapshot);
      expect(await agentStore.probes.get(smtp.id)).toMatchObject({ tls: smtp.tls, dialogue: smtp.dialogue, ipVersion: '6' });
      const older = { ...snapshot, probes: snapshot.probes.map(({ tls: _t, dialogue: _d, ipVersion: _i, actualIp: _a, ...probe }) => probe) };
      await agentStore.snapshots.apply(older as typeof snapshot);
      expect(await agentStore.probes.get(smtp.id)).toMatchObject({ tls: null, dialogue: null, ipVersion: 'auto' });
    } finally {
      await agentStore.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** A loopback server that greets each connection with `banner` and then waits for the client to go. */
async function startBannerServer(banner: string): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
    socket.write(banner);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => { for (const s of sockets) s.destroy(); server.close(() => resolve()); }),
  };
}

describe('Test connection (POST /api/v1/check)', () => {
  it('answers a plain check with the new keys: actualIp, no TLS, no response time, no transcript', async () => {
    const listener = await startListener();
    try {
      const { status, body } = await gw.api.post('/api/v1/check', { host: '127.0.0.1', port: listener.port, timeoutMs: 1000 });
      expect(status, JSON.stringify(body)).toBe(200);
      expect(body).toMatchObject({ outcome: 'success', actualIp: '127.0.0.1', actualIpv4: '127.0.0.1', tls: null, responseMs: null, transcript: null });
    } finally {
      await listener.close();
    }
  });

  it('records an IPv6 address as actualIp (actualIpv4 stays empty) and refuses a family the literal is not', async () => {
    const listener = await startListener('::1');
    try {
      const { body } = await gw.api.post('/api/v1/check', { host: '::1', port: listener.port, timeoutMs: 1000, ipVersion: '6' });
      expect(body).toMatchObject({ outcome: 'success', actualIp: '::1', actualAddress: '::1', actualIpv4: null });
      const refused = await gw.api.post('/api/v1/check', { host: '::1', port: listener.port, ipVersion: '4' });
      expect(refused.status).toBe(400);
      expect(refused.body.field).toBe('ipVersion');
    } finally {
      await listener.close();
    }
  });

  it('validates tls and dialogue as a probe does', async () => {
    const bad = await gw.api.post('/api/v1/check', { host: '127.0.0.1', port: 1, dialogue: [{ send: 'x' }, { expect: '(' }] });
    expect(bad.status).toBe(400);
    expect(bad.body.field).toBe('dialogue[1].expect');
    const name = await gw.api.post('/api/v1/check', { host: '127.0.0.1', port: 1, tls: { serverName: '::1' } });
    expect(name.body.field).toBe('tls.serverName');
  });

  it('runs a dialogue against a banner and answers with its response time and transcript', async () => {
    const server = await startBannerServer('SSH-2.0-OpenSSH_9.6 probekit\r\n');
    try {
      const { body } = await gw.api.post('/api/v1/check', { host: '127.0.0.1', port: server.port, timeoutMs: 2000, dialogue: [{ expect: '^SSH-2\\.0-' }] });
      expect(body).toMatchObject({ outcome: 'success', tls: null, responseMs: expect.any(Number), transcript: expect.any(Array) });
      expect(body.transcript.some((e: any) => e.direction === 'received' && e.text.includes('SSH-2.0-OpenSSH_9.6'))).toBe(true);
      const wrong = await gw.api.post('/api/v1/check', { host: '127.0.0.1', port: server.port, timeoutMs: 2000, dialogue: [{ expect: '^220 ' }] });
      expect(wrong.body).toMatchObject({ outcome: 'unexpected_response', available: false, responseMs: null });
    } finally {
      await server.close();
    }
  });

  it('does a TLS handshake with the server\'s shared account as trust, and shows the certificate', async () => {
    const certs = await testCertificates();
    const server = tls.createServer({ cert: certs.leaf.cert, key: certs.leaf.key }, (socket) => socket.on('error', () => {}));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    try {
      const account = await gw.api.post('/api/v1/shared-accounts', { name: 'test-ca', caBundle: certs.ca.cert });
      expect(account.status, JSON.stringify(account.body)).toBe(201);
      const withAccount = (await gw.api.post('/api/v1/servers', { name: 'tls-trusting', sharedAccount: 'test-ca' })).body;
      const request = { host: '127.0.0.1', port, timeoutMs: 3000, tls: { serverName: 'localhost' } };

      const untrusted = await gw.api.post('/api/v1/check', request);
      expect(untrusted.body).toMatchObject({ outcome: 'cert_untrusted', tls: { subject: expect.stringContaining('CN=localhost') } });

      const { body } = await gw.api.post('/api/v1/check', { ...request, serverId: withAccount.id });
      expect(body, JSON.stringify(body)).toMatchObject({
        outcome: 'success',
        tls: {
          protocol: expect.stringMatching(/^TLSv1\.[23]$/),
          cipher: expect.any(String),
          subject: expect.stringContaining('CN=localhost'),
          issuer: expect.stringContaining('CN=probekit test CA'),
          fingerprintSha256: expect.stringMatching(/^[0-9a-f]{64}$/),
          notAfter: new Date(certs.leaf.notAfter).toISOString(),
          chainExpiresAt: new Date(certs.leaf.notAfter).toISOString(),
        },
      });
      expect(body.tls.handshakeMs).toBeGreaterThan(0);
      // One decimal of the days between the check and the leaf's end (a year, less a second's rounding).
      expect(body.tls.expiresInDays).toBeCloseTo((certs.leaf.notAfter - Date.parse(body.checkedAt)) / 86_400_000, 1);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});

describe('engine: deep requests and results', () => {
  const dir = mkdtempSync(join(tmpdir(), 'probekit-deep-engine-'));
  let store: ConfigStore;
  let service: ConfigService;
  let engine: ProbeEngine;
  const requests: CheckRequest[] = [];
  const accounts = new Map<string, AccountMaterial>();
  const startedAt = Date.parse('2026-12-01T00:00:00.000Z');
  const deepResult = (request: CheckRequest): CheckResult => ({
    outcome: 'success', error: null, startedAt, dnsMs: null, connectMs: 0.4,
    actualHost: request.host, actualIpv4: null, actualAddress: '::1',
    tls: {
      handshakeMs: 3.21234, protocol: 'TLSv1.3', cipher: 'TLS_AES_128_GCM_SHA256', subject: 'CN=localhost', issuer: 'CN=probekit test CA',
      fingerprintSha256: 'ab'.repeat(32), notBefore: startedAt - 86_400_000, notAfter: startedAt + 30 * 86_400_000,
      chainExpiresAt: startedAt + 10.26 * 86_400_000,
    },
    responseMs: 1.5,
    transcript: [{ atMs: 0.5, direction: 'tls', text: 'TLSv1.3 TLS_AES_128_GCM_SHA256' }, { atMs: 1.5, direction: 'received', text: '+PONG' }],
  });
  const newEngine = () => new ProbeEngine({
    service,
    metrics: createMetrics({ gateway: 'engine-gw' }).probeMetrics,
    resolver: createResolver(),
    timeZone: 'UTC',
    maxInFlight: 4,
    persistIntervalMs: 200,
    accounts: { materialFor: (name) => (name === null ? null : accounts.get(name) ?? null) },
    check: async (request) => {
      requests.push(request);
      return request.tls || request.dialogue
        ? deepResult(request)
        : { outcome: 'success', error: null, startedAt, dnsMs: null, connectMs: 0.3, actualHost: request.host, actualIpv4: request.host, actualAddress: request.host };
    },
  });
  const material = (caBundle: string): AccountMaterial => ({ caBundle, clientCert: null, clientKey: null, username: null, password: null });

  beforeAll(async () => {
    store = await ConfigStore.open({ kind: 'sqlite', file: join(dir, 'gateway.db') });
    service = new ConfigService(store, { gatewayId: 'engine-gw', allowlist: parseAllowlist(undefined) });
    engine = newEngine();
    // The account's name is only looked up through `accounts`; the store needs the row for the server's reference.
    store.sqlite!.prepare(`INSERT INTO shared_accounts (name, material_enc, configured_json, version, created_at, created_by, updated_at, updated_by)
      VALUES ('ops', 'x', '{}', 1, '2026-12-01T00:00:00Z', 't', '2026-12-01T00:00:00Z', 't')`).run();
    await engine.start();
  });
  afterAll(async () => {
    await engine.stop();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('sends a probe\'s TLS settings, dialogue, IP version and its server\'s account as it is at check time', async () => {
    accounts.set('ops', material('first CA'));
    const server = await service.createServer({ name: 'accounts', gateways: ['engine-gw'], sharedAccount: 'ops' }, 'tester');
    const probe = await service.createProbe(server.id, { name: 'redis-tls', host: '::1', port: 6380, ipVersion: '6', tls: { serverName: 'localhost' }, dialogue: [{ send: 'PING\r\n' }, { expect: '^\\+PONG' }] }, 'tester');
    await engine.runProbe(probe.id);
    accounts.set('ops', material('edited CA'));
    await engine.runProbe(probe.id);
    const mine = requests.filter((r) => r.port === 6380);
    expect(mine.at(-2)).toMatchObject({
      host: '::1', ipVersion: '6', tls: { serverName: 'localhost', verify: true, minVersion: null },
      dialogue: [{ send: 'PING\r\n', encoding: 'utf8' }, { expect: '^\\+PONG' }], account: { caBundle: 'first CA' },
    });
    expect(mine.at(-1)!.account).toMatchObject({ caBundle: 'edited CA' });
  });

  it('answers a run with the transcript and the TLS view, and keeps neither transcript in its history nor in the store', async () => {
    const server = await service.createServer({ name: 'views', gateways: ['engine-gw'] }, 'tester');
    const probe = await service.createProbe(server.id, { name: 'tls', host: 'localhost', port: 6443, tls: {} }, 'tester');
    const answer = await engine.runProbe(probe.id);
    expect(answer).toMatchObject({
      actualIp: '::1', actualIpv4: null, responseMs: 1.5,
      tls: {
        handshakeMs: 3.212, protocol: 'TLSv1.3', notBefore: '2026-11-30T00:00:00.000Z', notAfter: '2026-12-31T00:00:00.000Z',
        chainExpiresAt: new Date(startedAt + 10.26 * 86_400_000).toISOString(), expiresInDays: 10.3,
      },
      transcript: [{ atMs: 0.5, direction: 'tls', text: 'TLSv1.3 TLS_AES_128_GCM_SHA256' }, { atMs: 1.5, direction: 'received', text: '+PONG' }],
    });
    const kept = await engine.results(probe.id);
    expect(kept.length).toBeGreaterThan(0);
    for (const result of kept) expect(result).not.toHaveProperty('transcript');
    expect(kept[0]).toEqual(Object.fromEntries(Object.entries(answer).filter(([key]) => key !== 'transcript')));
    // The engine writes latest results every persistIntervalMs.
    await waitFor(async () => (await store.probes.get(probe.id)).lastResult !== null);
    const stored = (await store.probes.get(probe.id)).lastResult!;
    expect(stored).not.toHaveProperty('transcript');
    expect(stored.tls).toEqual(answer.tls);
    expect((await store.probes.get(probe.id)).actualIp).toBe('::1');
    expect(JSON.stringify(await store.probes.latestResults(probe.id))).not.toContain('PONG');
  });

  it('sends a plain probe its own request object, without deep keys, and a changed TLS setting earns a check at once', async () => {
    const server = await service.createServer({ name: 'plain', gateways: ['engine-gw'] }, 'tester');
    const probe = await service.createProbe(server.id, { name: 'pg', host: '127.0.0.1', port: 5433, intervalSeconds: 3600 }, 'tester');
    const ran = () => requests.filter((r) => r.port === 5433);
    await waitFor(() => ran().length === 1);
    expect(ran()[0]).not.toHaveProperty('tls');
    expect(ran()[0]).not.toHaveProperty('dialogue');
    expect(ran()[0]).not.toHaveProperty('account');
    expect(ran()[0]).not.toHaveProperty('ipVersion');
    await service.patchProbe(probe.id, { tls: { verify: false } }, 'tester');
    await waitFor(() => ran().length === 2);
    expect(ran()[1]).toMatchObject({ tls: { verify: false } });
    await service.patchProbe(probe.id, { ipVersion: '4' }, 'tester');
    await waitFor(() => ran().length === 3);
    expect(ran()[2]).toMatchObject({ ipVersion: '4' });
  });
});

async function waitFor(condition: () => boolean | Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
