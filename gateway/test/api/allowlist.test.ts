// GATEWAY_ALLOWED_TARGETS through the API: which probes may be saved; and the gateway registering itself.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDnsServer, type TestDnsServer } from '../helpers/dns-server.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { startListener } from '../helpers/listeners.js';
import { snapshot } from '../helpers/snapshot.js';
import { GATEWAY_VERSION } from '../../src/version.js';
import { readSettings, SettingsError } from '../../src/settings.js';

const ALLOWED = '10.20.0.0/16, 127.0.0.1, ::1, fd00:1::/32, *.corp.example, db-??.lab';

describe('with CIDRs and host patterns', () => {
  let gw: TestGateway;
  let serverId: number;
  beforeAll(async () => {
    gw = await startTestGateway({ GATEWAY_ALLOWED_TARGETS: ALLOWED });
    serverId = (await gw.api.post('/api/v1/servers', { name: 'allowlisted' })).body.id;
  });
  afterAll(async () => { await gw.dispose(); });

  let seq = 0;
  const create = (host: string) => gw.api.post(`/api/v1/servers/${serverId}/probes`, { name: `probe-${++seq}`, host, port: 443, enabled: false });

  it.each([
    '10.20.1.2', '10.20.255.255', '127.0.0.1', '::1', 'fd00:1:abcd::5', 'erp.corp.example', 'a.b.corp.example', 'ERP.Corp.Example', 'db-07.lab',
    // IPv6 spelled out, and IPv4-mapped forms (dotted and hex) of allowed IPv4 addresses.
    '0:0:0:0:0:0:0:1', 'FD00:1::5', '::ffff:10.20.1.2', '::ffff:a14:102', '::ffff:127.0.0.1', '::ffff:7f00:1',
  ])(
    'accepts %s', async (host) => {
      const response = await create(host);
      expect(response.status, JSON.stringify(response.body)).toBe(201);
      expect(response.body.host).toBe(host);
    },
  );

  it.each(['10.21.0.1', '127.0.0.2', '192.168.1.1', '::2', 'fd00:2::1', '2001:db8::1', '::ffff:10.21.0.1', '::ffff:a15:1', '::ffff:127.0.0.2', '::ffff:c0a8:101'])('refuses %s with 400 naming host and the setting, and saves nothing', async (host) => {
    const before = await snapshot(gw.api);
    const response = await create(host);
    expect(response.status).toBe(400);
    expect(response.body.field).toBe('host');
    expect(response.body.message).toContain(`"${host}" is outside the targets this gateway may probe`);
    expect(response.body.message).toContain('GATEWAY_ALLOWED_TARGETS=10.20.0.0/16,127.0.0.1,::1,fd00:1::/32,*.corp.example,db-??.lab');
    expect(await snapshot(gw.api)).toEqual(before);
  });

  it('accepts at save time a name that matches no pattern, since CIDRs exist (its addresses are checked when it runs)', async () => {
    for (const host of ['www.elsewhere.test', 'db-7.lab', 'corp.example']) {
      const response = await create(host);
      expect(response.status, host).toBe(201);
    }
  });

  it('refuses a denied host on PUT and PATCH too, keeping the probe', async () => {
    const probe = (await create('10.20.0.10')).body;
    const patch = await gw.api.patch(`/api/v1/probes/${probe.id}`, { host: '10.30.0.10' });
    expect(patch).toMatchObject({ status: 400, body: { field: 'host' } });
    const put = await gw.api.put(`/api/v1/probes/${probe.id}`, { name: probe.name, host: '8.8.8.8', port: 53 });
    expect(put).toMatchObject({ status: 400, body: { field: 'host' } });
    expect((await gw.api.get(`/api/v1/probes/${probe.id}`)).body).toMatchObject({ host: '10.20.0.10', port: 443, version: 1 });
  });

  it('refuses a denied host in an imported document, naming its path', async () => {
    const before = await snapshot(gw.api);
    const response = await gw.api.post('/api/v1/import', {
      apiVersion: 'probekit/v1', kind: 'Configuration',
      servers: [{ name: 'imported', probes: [{ name: 'ok', host: 'x.corp.example', port: 1 }, { name: 'denied', host: '172.16.0.1', port: 1 }] }],
    });
    expect(response).toMatchObject({ status: 400, body: { field: 'servers[0].probes[1].host' } });
    expect(response.body.message).toMatch(/GATEWAY_ALLOWED_TARGETS/);
    expect(await snapshot(gw.api)).toEqual(before);
  });

  it('lists this gateway as online and self in GET /api/v1/gateways', async () => {
    const response = await gw.api.get('/api/v1/gateways');
    expect(response.status).toBe(200);
    const self = response.body.items.find((g: any) => g.id === 'test-gw');
    expect(self).toEqual({
      id: 'test-gw', version: GATEWAY_VERSION, address: gw.url, registeredAt: expect.any(String), lastSeenAt: expect.any(String), online: true, self: true,
      state: 'online', team: null, serverCount: expect.any(Number),
    });
    expect(Math.abs(Date.parse(self.lastSeenAt) - Date.now())).toBeLessThan(60_000);
    expect(Date.parse(self.registeredAt)).toBeLessThanOrEqual(Date.parse(self.lastSeenAt));
    expect(response.body.items.filter((g: any) => g.self)).toHaveLength(1);
    expect((await gw.api.withToken(null).get('/api/v1/gateways')).status).toBe(401);
  });
});

describe('with IPv6 entries, judging what names resolve to at run time', () => {
  let dns: TestDnsServer;
  beforeAll(async () => {
    dns = await startDnsServer({
      'v6.example.test': { AAAA: ['::1'] },
      // The mapped form of 127.0.0.1: an IPv6 answer that reaches an IPv4 address.
      'mapped.example.test': { AAAA: ['::ffff:127.0.0.1'] },
      'mapped-hex.example.test': { AAAA: ['::ffff:7f00:1'] },
    });
  });
  afterAll(async () => { await dns.close(); });

  async function runProbe(allowed: string, host: string, port: number) {
    const gw = await startTestGateway({ GATEWAY_ALLOWED_TARGETS: allowed, GATEWAY_DNS_SERVERS: dns.server });
    try {
      const server = (await gw.api.post('/api/v1/servers', { name: 's' })).body;
      const probe = await gw.api.post(`/api/v1/servers/${server.id}/probes`, { name: 'p', host, port, intervalSeconds: 3600 });
      expect(probe.status, JSON.stringify(probe.body)).toBe(201);
      return (await gw.api.post(`/api/v1/probes/${probe.body.id}/run`)).body;
    } finally {
      await gw.dispose();
    }
  }

  it('refuses a name whose AAAA is an IPv4-mapped address outside the IPv4 entries, though ::/0 allows all IPv6', async () => {
    const target = await startListener('127.0.0.1');
    try {
      for (const host of ['mapped.example.test', 'mapped-hex.example.test']) {
        const result = await runProbe('::/0, 10.0.0.0/8', host, target.port);
        expect(result, host).toMatchObject({ outcome: 'error', available: false });
        expect(result.error).toMatch(/resolves to ::ffff:127\.0\.0\.1, outside GATEWAY_ALLOWED_TARGETS/);
      }
      expect(target.clients).toEqual([]);
    } finally {
      await target.close();
    }
  });

  it('connects to a name whose AAAA is an IPv4-mapped address of an allowed IPv4, and to an allowed IPv6 one', async () => {
    const target = await startListener('127.0.0.1');
    const targetV6 = await startListener('::1');
    try {
      const mapped = await runProbe('127.0.0.0/8', 'mapped.example.test', target.port);
      expect(mapped).toMatchObject({ outcome: 'success', actualAddress: '::ffff:127.0.0.1' });
      const v6 = await runProbe('::1/128', 'v6.example.test', targetV6.port);
      expect(v6).toMatchObject({ outcome: 'success', actualAddress: '::1', actualIpv4: null });
      const refused = await runProbe('127.0.0.0/8', 'v6.example.test', targetV6.port);
      expect(refused.error).toMatch(/resolves to ::1, outside GATEWAY_ALLOWED_TARGETS/);
    } finally {
      await target.close();
      await targetV6.close();
    }
  });
});

describe('with host patterns only', () => {
  let gw: TestGateway;
  let serverId: number;
  beforeAll(async () => {
    gw = await startTestGateway({ GATEWAY_ALLOWED_TARGETS: '*.corp.example' });
    serverId = (await gw.api.post('/api/v1/servers', { name: 'patterns-only' })).body.id;
  });
  afterAll(async () => { await gw.dispose(); });

  it('refuses names that match no pattern and every IP literal', async () => {
    for (const host of ['www.elsewhere.test', '10.0.0.1', '::1', 'corp.example']) {
      const response = await gw.api.post(`/api/v1/servers/${serverId}/probes`, { name: host, host, port: 1 });
      expect(response.status, host).toBe(400);
      expect(response.body.field).toBe('host');
    }
    expect((await gw.api.post(`/api/v1/servers/${serverId}/probes`, { name: 'ok', host: 'db.corp.example', port: 1 })).status).toBe(201);
    expect((await gw.api.get(`/api/v1/servers/${serverId}`)).body.probeCount).toBe(1);
  });
});

describe('without GATEWAY_ALLOWED_TARGETS', () => {
  it('allows every valid host', async () => {
    const gw = await startTestGateway();
    try {
      const serverId = (await gw.api.post('/api/v1/servers', { name: 'open' })).body.id;
      for (const host of ['8.8.8.8', '2001:db8::1', 'anything.example.net', 'localhost']) {
        const response = await gw.api.post(`/api/v1/servers/${serverId}/probes`, { name: host, host, port: 1, enabled: false });
        expect(response.status, host).toBe(201);
      }
    } finally {
      await gw.dispose();
    }
  });

  it('a bad GATEWAY_ALLOWED_TARGETS stops start-up at the settings, naming the entry', () => {
    expect(() => readSettings({ GATEWAY_ID: 'test-gw', GATEWAY_ALLOWED_TARGETS: '10.0.0.0/8, 10.0.0.0/99' }, [])).toThrow(SettingsError);
    expect(() => readSettings({ GATEWAY_ID: 'test-gw', GATEWAY_ALLOWED_TARGETS: '10.0.0.0/8, 10.0.0.0/99' }, [])).toThrow(/GATEWAY_ALLOWED_TARGETS: "10.0.0.0\/99"/);
  });
});
