// Export and import of the whole configuration (JSON and YAML) between real gateways with real SQLite files.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { exportText, snapshot, storeState } from '../helpers/snapshot.js';

const started: TestGateway[] = [];
async function gateway(env: Record<string, string> = {}): Promise<TestGateway> {
  const gw = await startTestGateway(env);
  started.push(gw);
  // Shared accounts are not exported (their secrets stay on each gateway): every gateway here has the one the seed names.
  await ok(gw.api.post('/api/v1/shared-accounts', { name: 'svc-erp' }));
  return gw;
}
afterAll(async () => { await Promise.all(started.map((gw) => gw.dispose())); });

const DOC = { apiVersion: 'probekit/v1', kind: 'Configuration' } as const;
const counts = (created: number, updated: number, unchanged: number, deleted: number) => ({ created, updated, unchanged, deleted });

let source: TestGateway;
/** The source gateway's export, parsed. */
let exported: any;

async function ok(response: Promise<{ status: number; body: any }>): Promise<any> {
  const { status, body } = await response;
  if (status >= 300) throw new Error(`setup request failed ${status}: ${JSON.stringify(body)}`);
  return body;
}

/** Fills a gateway with a configuration that uses every field. */
async function seed(gw: TestGateway): Promise<void> {
  const office = await ok(gw.api.post('/api/v1/schedules', {
    name: 'office', description: 'Berlin office hours', timeZone: 'Europe/Berlin',
    windows: [{ days: ['mon', 'tue', 'wed', 'thu', 'fri'], begin: '07:00', end: '19:00' }], exclusions: ['2026-12-24', '2026-12-31'],
  }));
  const nights = await ok(gw.api.post('/api/v1/schedules', { name: 'nights', timeZone: 'UTC', windows: [{ days: ['sat', 'sun'], begin: '22:00', end: '04:00' }] }));
  const erp = await ok(gw.api.post('/api/v1/servers', {
    name: 'erp-prod', description: 'SAP ERP production', organization: 'Finance', owner: 'sap-team', role: 'production', site: 'fra',
    sharedAccount: 'svc-erp', networkInterface: 'lo', connectTimeoutMs: 1500,
    thresholds: [{ kind: 'availability', level: 'critical', for: '5m', team: 'erp', contactPoint: 'erp-pager', runbookUrl: 'https://wiki.example.com/erp' }],
  }));
  await ok(gw.api.post(`/api/v1/servers/${erp.id}/probes`, { name: 'dispatcher', host: '127.0.0.1', port: 3200, intervalSeconds: 60, scheduleId: office.id }));
  await ok(gw.api.post(`/api/v1/servers/${erp.id}/probes`, {
    name: 'gateway', description: 'RFC gateway', owner: 'basis', host: 'sapgw.example.com', port: 3300, intervalSeconds: 30, timeoutMs: 800,
    windowBegin: '22:00', windowEnd: '06:00', thresholds: [{ kind: 'connectTime', level: 'warning', value: 250.5, for: '10m' }, { kind: 'availabilityRatio', level: 'critical', value: 99.9, window: '1h' }],
  }));
  await ok(gw.api.post(`/api/v1/servers/${erp.id}/probes`, { name: 'message-server', host: '::1', port: 3600, enabled: false }));
  const broker = await ok(gw.api.post('/api/v1/servers', { name: 'broker-qa', role: 'quality', gateway: 'edge-2', enabled: false }));
  await ok(gw.api.post(`/api/v1/servers/${broker.id}/probes`, { name: 'amqp', host: '127.0.0.1', port: 5672, scheduleId: nights.id }));
  await ok(gw.api.post('/api/v1/servers', { name: 'empty-server' }));
}

beforeAll(async () => {
  source = await gateway();
  await seed(source);
  exported = JSON.parse(await exportText(source.api));
});

describe('export', () => {
  it('is one document keyed by names, without ids, versions or audit fields', async () => {
    expect(exported).toMatchObject({ ...DOC });
    expect(exported.schedules.map((s: any) => s.name)).toEqual(['nights', 'office']);
    expect(exported.servers.map((s: any) => s.name)).toEqual(['broker-qa', 'empty-server', 'erp-prod']);
    const erp = exported.servers[2];
    expect(erp).toMatchObject({ name: 'erp-prod', owner: 'sap-team', connectTimeoutMs: 1500, gateways: ['test-gw'], networkInterface: 'lo' });
    expect(erp.probes.map((p: any) => [p.name, p.schedule])).toEqual([['dispatcher', 'office'], ['gateway', null], ['message-server', null]]);
    expect(erp.probes[0]).toEqual({
      name: 'dispatcher', description: null, owner: 'api', windowBegin: null, windowEnd: null, intervalSeconds: 60, host: '127.0.0.1',
      port: 3200, timeoutMs: null, enabled: true, thresholds: [], tls: null, dialogue: null, ipVersion: 'auto', schedule: 'office',
    });
    expect(exported.servers[1].probes).toEqual([]);
    const text = JSON.stringify(exported);
    for (const key of ['"id"', '"version"', '"createdAt"', '"updatedBy"', '"serverId"', '"scheduleId"', '"effectiveTimeoutMs"', '"lastResult"', '"probeCount"']) {
      expect(text).not.toContain(key);
    }
  });

  it('is YAML with ?format=yaml or Accept: application/yaml, the same document', async () => {
    const viaQuery = await fetch(`${source.url}/api/v1/export?format=yaml`, { headers: { authorization: `Bearer ${source.token.token}` } });
    expect(viaQuery.status).toBe(200);
    expect(viaQuery.headers.get('content-type')).toMatch(/^application\/yaml/);
    const yamlText = await viaQuery.text();
    expect(parseYaml(yamlText)).toEqual(exported);
    const viaAccept = await source.api.withHeaders({ accept: 'application/yaml' }).get('/api/v1/export');
    expect(viaAccept.headers.get('content-type')).toMatch(/^application\/yaml/);
    expect(viaAccept.body).toBe(yamlText);
    // ?format=json wins over the Accept header.
    const json = await source.api.withHeaders({ accept: 'application/yaml' }).get('/api/v1/export?format=json');
    expect(json.body).toEqual(exported);
  });
});

describe('import', () => {
  it('export → import into an empty gateway → export gives the same document (JSON)', async () => {
    const target = await gateway();
    expect(JSON.parse(await exportText(target.api))).toEqual({ ...DOC, schedules: [], servers: [] });
    const imported = await target.api.post('/api/v1/import', exported);
    expect(imported.status).toBe(200);
    expect(imported.body).toEqual({ dryRun: false, mode: 'merge', schedules: counts(2, 0, 0, 0), servers: counts(3, 0, 0, 0), probes: counts(4, 0, 0, 0) });
    expect(JSON.parse(await exportText(target.api))).toEqual(exported);
    expect(await exportText(target.api)).toBe(await exportText(source.api));
    // Schedule references are resolved to the target's own ids.
    const erp = (await target.api.get('/api/v1/servers?q=erp-prod')).body.items[0];
    const dispatcher = (await target.api.get(`/api/v1/servers/${erp.id}/probes?q=dispatcher`)).body.items[0];
    const office = (await target.api.get('/api/v1/schedules?q=office')).body.items[0];
    expect(dispatcher.scheduleId).toBe(office.id);
    expect(dispatcher.effectiveTimeoutMs).toBe(1500);
  });

  it('export → import into an empty gateway → export gives the same document (YAML)', async () => {
    const target = await gateway();
    const yamlText = await exportText(source.api, '?format=yaml');
    const imported = await target.api.request('POST', '/api/v1/import', yamlText, { 'content-type': 'application/yaml' });
    expect(imported.status, JSON.stringify(imported.body)).toBe(200);
    expect(imported.body.servers).toEqual(counts(3, 0, 0, 0));
    expect(await exportText(target.api, '?format=yaml')).toBe(yamlText);
    expect(JSON.parse(await exportText(target.api))).toEqual(exported);
  });

  it.each(['text/yaml', 'application/x-yaml', 'application/yaml; charset=utf-8'])('accepts YAML sent as %s', async (contentType) => {
    const target = await gateway();
    const yamlText = stringifyYaml({ ...DOC, servers: [{ name: 'from-yaml', probes: [{ name: 'ssh', host: 'localhost', port: 22, windowBegin: '22:00', windowEnd: '06:00' }] }] });
    const imported = await target.api.request('POST', '/api/v1/import', yamlText, { 'content-type': contentType });
    expect(imported.status, JSON.stringify(imported.body)).toBe(200);
    const server = (await target.api.get('/api/v1/servers')).body.items[0];
    expect(server.name).toBe('from-yaml');
    expect((await target.api.get(`/api/v1/servers/${server.id}/probes`)).body.items[0]).toMatchObject({ name: 'ssh', port: 22, windowBegin: '22:00', windowEnd: '06:00' });
  });

  it('importing the same document twice changes nothing the second time (summary all unchanged, versions unchanged)', async () => {
    const target = await gateway();
    await ok(target.api.post('/api/v1/import', exported));
    const before = await snapshot(target.api);

    const again = await target.api.withHeaders({ 'X-Grafana-User': 'someone-else' }).post('/api/v1/import', exported);
    expect(again.status).toBe(200);
    expect(again.body).toEqual({ dryRun: false, mode: 'merge', schedules: counts(0, 0, 2, 0), servers: counts(0, 0, 3, 0), probes: counts(0, 0, 4, 0) });
    const yamlAgain = await target.api.request('POST', '/api/v1/import?mode=replace', stringifyYaml(exported), { 'content-type': 'application/yaml' });
    expect(yamlAgain.body).toEqual({ dryRun: false, mode: 'replace', schedules: counts(0, 0, 2, 0), servers: counts(0, 0, 3, 0), probes: counts(0, 0, 4, 0) });
    expect(await snapshot(target.api)).toEqual(before);
    const state = JSON.parse(before.state);
    expect(state.servers.items.every((s: any) => s.version === 1)).toBe(true);
  });

  it('merge creates and updates what the document names; only what changed gets a new version', async () => {
    const target = await gateway();
    await ok(target.api.post('/api/v1/import', exported));
    const changed = structuredClone(exported);
    changed.servers[2].site = 'ber';
    changed.servers[2].probes[0].port = 3201;
    changed.servers[2].probes.push({ name: 'new-probe', host: '127.0.0.1', port: 3299 });
    changed.schedules[0].exclusions = ['2027-01-01'];
    const merged = await target.api.withHeaders({ 'X-Grafana-User': 'importer' }).post('/api/v1/import?mode=merge', changed);
    expect(merged.body).toEqual({ dryRun: false, mode: 'merge', schedules: counts(0, 1, 1, 0), servers: counts(0, 1, 2, 0), probes: counts(1, 1, 3, 0) });

    const servers = (await target.api.get('/api/v1/servers')).body.items;
    const erp = servers.find((s: any) => s.name === 'erp-prod');
    expect(erp).toMatchObject({ site: 'ber', version: 2, updatedBy: 'importer', createdBy: 'api' });
    expect(servers.find((s: any) => s.name === 'broker-qa').version).toBe(1);
    const probes = (await target.api.get(`/api/v1/servers/${erp.id}/probes`)).body.items;
    expect(probes.find((p: any) => p.name === 'dispatcher')).toMatchObject({ port: 3201, version: 2 });
    expect(probes.find((p: any) => p.name === 'gateway').version).toBe(1);
    expect(probes.find((p: any) => p.name === 'new-probe')).toMatchObject({ version: 1, createdBy: 'importer', owner: 'importer' });
    expect(JSON.parse(await exportText(target.api)).servers[2].probes.map((p: any) => p.name)).toEqual(['dispatcher', 'gateway', 'message-server', 'new-probe']);
  });

  it('merge keeps what the document does not name; replace deletes it (servers with their probes, probes, unused schedules)', async () => {
    const target = await gateway();
    await ok(target.api.post('/api/v1/import', exported));
    const extra = await ok(target.api.post('/api/v1/servers', { name: 'extra' }));
    await ok(target.api.post(`/api/v1/servers/${extra.id}/probes`, { name: 'e1', host: '127.0.0.1', port: 1 }));
    await ok(target.api.post(`/api/v1/servers/${extra.id}/probes`, { name: 'e2', host: '127.0.0.1', port: 2 }));
    const erp = (await target.api.get('/api/v1/servers?q=erp-prod')).body.items[0];
    await ok(target.api.post(`/api/v1/servers/${erp.id}/probes`, { name: 'extra-probe', host: '127.0.0.1', port: 3 }));
    await ok(target.api.post('/api/v1/schedules', { name: 'unused', timeZone: 'UTC' }));

    const merged = await target.api.post('/api/v1/import', exported);
    expect(merged.body).toEqual({ dryRun: false, mode: 'merge', schedules: counts(0, 0, 2, 0), servers: counts(0, 0, 3, 0), probes: counts(0, 0, 4, 0) });
    expect((await target.api.get('/api/v1/servers')).body.total).toBe(4);
    expect((await target.api.get(`/api/v1/servers/${erp.id}`)).body.probeCount).toBe(4);

    const replaced = await target.api.post('/api/v1/import?mode=replace', exported);
    expect(replaced.status).toBe(200);
    expect(replaced.body).toEqual({ dryRun: false, mode: 'replace', schedules: counts(0, 0, 2, 1), servers: counts(0, 0, 3, 1), probes: counts(0, 0, 4, 3) });
    expect(JSON.parse(await exportText(target.api))).toEqual(exported);
    expect((await target.api.get(`/api/v1/servers/${extra.id}`)).status).toBe(404);
    expect((await target.api.get(`/api/v1/servers/${erp.id}`)).body).toMatchObject({ probeCount: 3, version: 1 });

    // Replacing with an empty document empties the store.
    const emptied = await target.api.post('/api/v1/import?mode=replace', { ...DOC });
    expect(emptied.body).toMatchObject({ schedules: counts(0, 0, 0, 2), servers: counts(0, 0, 0, 3), probes: counts(0, 0, 0, 4) });
    expect(JSON.parse(await exportText(target.api))).toEqual({ ...DOC, schedules: [], servers: [] });
  });

  it('dryRun reports what would change and changes nothing', async () => {
    const empty = await gateway();
    const before = await snapshot(empty.api);
    const dry = await empty.api.post('/api/v1/import?dryRun=true', exported);
    expect(dry.status).toBe(200);
    expect(dry.body).toEqual({ dryRun: true, mode: 'merge', schedules: counts(2, 0, 0, 0), servers: counts(3, 0, 0, 0), probes: counts(4, 0, 0, 0) });
    expect(await snapshot(empty.api)).toEqual(before);

    // A dry-run replace on a populated gateway reports deletions and keeps everything.
    await ok(empty.api.post('/api/v1/import', exported));
    await ok(empty.api.post('/api/v1/servers', { name: 'would-go' }));
    const populated = await snapshot(empty.api);
    const changed = structuredClone(exported);
    changed.servers[0].description = 'changed';
    const dryReplace = await empty.api.post('/api/v1/import?mode=replace&dryRun=true', changed);
    expect(dryReplace.body).toEqual({ dryRun: true, mode: 'replace', schedules: counts(0, 0, 2, 0), servers: counts(0, 1, 2, 1), probes: counts(0, 0, 4, 0) });
    expect(await snapshot(empty.api)).toEqual(populated);
    // An invalid document is still refused in a dry run.
    const invalid = await empty.api.post('/api/v1/import?dryRun=true', { ...DOC, servers: [{ name: 'x', probes: [{ name: 'p', host: '127.0.0.1', port: 1, schedule: 'missing' }] }] });
    expect(invalid).toMatchObject({ status: 400, body: { field: 'servers[0].probes[0].schedule' } });
  });

  it('records the importing user as the editor', async () => {
    const target = await gateway();
    await ok(target.api.withHeaders({ 'X-Grafana-User': 'dora' }).post('/api/v1/import', {
      ...DOC, schedules: [{ name: 's', timeZone: 'UTC' }], servers: [{ name: 'mine', probes: [{ name: 'p', host: '127.0.0.1', port: 1 }] }, { name: 'theirs', owner: 'ops' }],
    }));
    const servers = (await target.api.get('/api/v1/servers')).body.items;
    expect(servers.find((s: any) => s.name === 'mine')).toMatchObject({ owner: 'dora', createdBy: 'dora', updatedBy: 'dora' });
    expect(servers.find((s: any) => s.name === 'theirs')).toMatchObject({ owner: 'ops', createdBy: 'dora' });
    expect((await target.api.get('/api/v1/schedules')).body.items[0].createdBy).toBe('dora');
  });
});

describe('an invalid document changes nothing and says what is wrong', () => {
  let target: TestGateway;
  beforeAll(async () => {
    target = await gateway({ GATEWAY_ALLOWED_TARGETS: '127.0.0.0/8, ::1, *.example.com' });
    await ok(target.api.post('/api/v1/import', exported));
  });

  const probe = (extra: Record<string, unknown> = {}) => ({ name: 'p', host: '127.0.0.1', port: 80, ...extra });
  const cases: { name: string; document: () => unknown; query?: string; field: string; message: RegExp }[] = [
    { name: 'unknown schedule name', document: () => ({ ...DOC, servers: [{ name: 'erp-prod', probes: [probe({ schedule: 'weekends' })] }] }), field: 'servers[0].probes[0].schedule', message: /names schedule "weekends", which is neither stored nor in the document/ },
    { name: 'duplicate server names', document: () => ({ ...DOC, servers: [{ name: 'twin' }, { name: 'other' }, { name: 'twin' }] }), field: 'servers[2].name', message: /"twin" names another server in the document/ },
    { name: 'duplicate probe names in one server', document: () => ({ ...DOC, servers: [{ name: 'new', probes: [probe(), probe({ port: 81 })] }] }), field: 'servers[0].probes[1].name', message: /another probe of this server/ },
    { name: 'duplicate schedule names', document: () => ({ ...DOC, schedules: [{ name: 's', timeZone: 'UTC' }, { name: 's', timeZone: 'UTC' }] }), field: 'schedules[1].name', message: /another schedule/ },
    { name: 'bad port deep inside', document: () => { const d = structuredClone(exported); d.servers[2].probes[1].port = 70000; return d; }, field: 'servers[2].probes[1].port', message: /between 1 and 65535/ },
    { name: 'port as a string deep inside', document: () => ({ ...DOC, servers: [{ name: 'a' }, { name: 'b', probes: [probe(), probe({ name: 'q', port: '80' })] }] }), field: 'servers[1].probes[1].port', message: /must be an integer/ },
    { name: 'wrong apiVersion', document: () => ({ ...structuredClone(exported), apiVersion: 'probekit/v2' }), field: 'apiVersion', message: /must be "probekit\/v1"/ },
    { name: 'missing apiVersion', document: () => ({ kind: 'Configuration', servers: [] }), field: 'apiVersion', message: /is required/ },
    { name: 'wrong kind', document: () => ({ ...DOC, kind: 'Servers' }), field: 'kind', message: /must be "Configuration"/ },
    { name: 'unknown top-level field', document: () => ({ ...DOC, metadata: {} }), field: 'metadata', message: /not a known field/ },
    { name: 'server id from another API', document: () => ({ ...DOC, servers: [{ id: 1, name: 'erp-prod' }] }), field: 'servers[0].id', message: /not a known field/ },
    { name: 'probe version', document: () => ({ ...DOC, servers: [{ name: 'erp-prod', probes: [probe({ version: 3 })] }] }), field: 'servers[0].probes[0].version', message: /not a known field/ },
    { name: 'probe scheduleId instead of schedule', document: () => ({ ...DOC, servers: [{ name: 'erp-prod', probes: [probe({ scheduleId: 1 })] }] }), field: 'servers[0].probes[0].scheduleId', message: /not a known field/ },
    { name: 'probes not a list', document: () => ({ ...DOC, servers: [{ name: 'erp-prod', probes: { p: probe() } }] }), field: 'servers[0].probes', message: /must be an array/ },
    { name: 'bad time zone', document: () => ({ ...DOC, schedules: [{ name: 'ok', timeZone: 'UTC' }, { name: 'bad', timeZone: 'Moon/Tranquility' }] }), field: 'schedules[1].timeZone', message: /not an IANA time zone/ },
    { name: 'bad exclusion date', document: () => ({ ...DOC, schedules: [{ name: 'x', timeZone: 'UTC', exclusions: ['2026-06-31'] }] }), field: 'schedules[0].exclusions[0]', message: /not a calendar date/ },
    { name: 'probe timeout not below its interval', document: () => ({ ...DOC, servers: [{ name: 'new', probes: [probe({ intervalSeconds: 1, timeoutMs: 1000 })] }] }), field: 'servers[0].probes[0].timeoutMs', message: /below the interval/ },
    { name: 'server timeout reaching an imported inheriting probe', document: () => ({ ...DOC, servers: [{ name: 'new', connectTimeoutMs: 10000, probes: [probe({ intervalSeconds: 10 })] }] }), field: 'servers[0].connectTimeoutMs', message: /must be below 10000 ms/ },
    { name: 'merge: server timeout reaching a stored probe the document leaves alone', document: () => ({ ...DOC, servers: [{ name: 'erp-prod', connectTimeoutMs: 60000 }] }), field: 'servers[0].connectTimeoutMs', message: /must be below 60000 ms/ },
    { name: 'threshold value deep inside', document: () => ({ ...DOC, servers: [{ name: 'new', probes: [probe({ thresholds: [{ kind: 'availabilityRatio', level: 'warning', value: 150 }] })] }] }), field: 'servers[0].probes[0].thresholds[0].value', message: /percentage/ },
    { name: 'server threshold duplicate', document: () => ({ ...DOC, servers: [{ name: 'new', thresholds: [{ kind: 'availability', level: 'warning' }, { kind: 'availability', level: 'warning', for: '1m' }] }] }), field: 'servers[0].thresholds[1]', message: /repeats kind/ },
    { name: 'host not RFC 1123', document: () => ({ ...DOC, servers: [{ name: 'new', probes: [probe({ host: 'bad_host.example.com' })] }] }), field: 'servers[0].probes[0].host', message: /RFC 1123/ },
    { name: 'host outside the allowlist', document: () => ({ ...DOC, servers: [{ name: 'new', probes: [probe({ host: '10.0.0.1' })] }] }), field: 'servers[0].probes[0].host', message: /GATEWAY_ALLOWED_TARGETS/ },
    { name: 'valid first server, invalid second (all or nothing)', document: () => ({ ...DOC, schedules: [{ name: 'brand-new', timeZone: 'UTC' }], servers: [{ name: 'valid-new', probes: [probe({ schedule: 'brand-new' })] }, { name: 'erp-prod', site: 'changed', probes: [probe({ windowBegin: '10:00' })] }] }), field: 'servers[1].probes[0].windowEnd', message: /required when the other end/ },
    { name: 'replace omitting a schedule that a kept probe still uses', query: '?mode=replace', document: () => { const d = structuredClone(exported); d.schedules = d.schedules.filter((s: any) => s.name !== 'office'); return d; }, field: 'schedules', message: /omit schedule "office", which 1 probe\(s\) still use/ },
    { name: 'document a list', document: () => [structuredClone(exported)], field: '(body)', message: /must be an object/ },
  ];

  it.each(cases)('$name → 400 $field', async ({ document, query, field, message }) => {
    const before = await snapshot(target.api);
    for (const dryRun of [false, true]) {
      const suffix = `${query ?? ''}${dryRun ? `${query ? '&' : '?'}dryRun=true` : ''}`;
      const response = await target.api.post(`/api/v1/import${suffix}`, document());
      expect(response.status, JSON.stringify(response.body)).toBe(400);
      expect(response.body.field).toBe(field);
      expect(response.body.message).toMatch(message);
      expect(response.body.problems[0].field).toBe(field);
    }
    const yaml = await target.api.request('POST', `/api/v1/import${query ?? ''}`, stringifyYaml(document()), { 'content-type': 'application/yaml' });
    expect(yaml.status).toBe(400);
    expect(yaml.body.field).toBe(field);
    expect(await snapshot(target.api)).toEqual(before);
  });

  it('lists every problem of the document, each with its path', async () => {
    const response = await target.api.post('/api/v1/import', {
      ...DOC,
      servers: [
        { name: 'new-1', probes: [probe({ schedule: 'nope' }), probe({ name: 'q', host: 'bad_host' })] },
        { name: 'new-2', thresholds: [{ kind: 'connectTime', level: 'critical' }] },
      ],
    });
    expect(response.status).toBe(400);
    expect(response.body.problems.map((p: any) => p.field)).toEqual(['servers[0].probes[0].schedule', 'servers[0].probes[1].host', 'servers[1].thresholds[0].value']);
  });

  it('refuses invalid YAML with 400 and changes nothing', async () => {
    const before = await snapshot(target.api);
    for (const text of ['apiVersion: probekit/v1\nkind: [Configuration\nservers: }', 'a: 1\n  b: 2\n c: 3', '*unknown-alias', '"unterminated']) {
      const response = await target.api.request('POST', '/api/v1/import', text, { 'content-type': 'application/yaml' });
      expect(response.status, text).toBe(400);
      expect(response.body.message, text).toMatch(/not valid YAML|must be/);
    }
    const scalar = await target.api.request('POST', '/api/v1/import', 'just a string', { 'content-type': 'application/yaml' });
    expect(scalar).toMatchObject({ status: 400, body: { field: '(body)' } });
    const malformedJson = await target.api.request('POST', '/api/v1/import', '{"apiVersion": ', { 'content-type': 'application/json' });
    expect(malformedJson.status).toBe(400);
    expect(await snapshot(target.api)).toEqual(before);
  });

  it('the store is still exactly the source document', async () => {
    expect(JSON.parse(await exportText(target.api))).toEqual(exported);
    expect(JSON.parse(await storeState(target.api)).servers.items.every((s: any) => s.version === 1)).toBe(true);
  });
});
