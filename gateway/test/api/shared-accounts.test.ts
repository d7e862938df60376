// Shared accounts end to end on a real gateway with a real SQLite file: CRUD with versions, write-only secrets (in no
// response, not in the database file, not in the log), server references, import, and the material an agent gets
// sealed for it alone through the real signed agent route.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentAccountValues, type AgentSnapshot } from '../../src/agents/agent-snapshot.js';
import { signedHeaders } from '../../src/agents/signature.js';
import { openMaterial, type StoredAccountMaterial } from '../../src/secrets/account-material.js';
import { agentKey } from '../../src/secrets/cipher.js';
import { CONFIG_API_VERSION } from '../../src/schemas/config-document.js';
import { readSettings } from '../../src/settings.js';
import { startGateway, type RunningGateway } from '../../src/start.js';
import { testCertificates, type TestCertificates } from '../helpers/certs.js';
import { ApiClient, startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { startTlsServer, type TestTlsServer } from '../helpers/tls-servers.js';
import { exportText } from '../helpers/snapshot.js';

const AGENT_TOKEN = 'shared-accounts-agent-token-0123';
const PASSWORD = 'Tr0ub4dor&3-the-password';
const USERNAME = 'probe-user-7f3a';
const DOCUMENT = { apiVersion: CONFIG_API_VERSION, kind: 'Configuration' };

let certs: TestCertificates;
let dir: string;
let controlPlane: RunningGateway;
let api: ApiClient;
const logLines: string[] = [];

/** The full material of the account the tests create. */
const material = () => ({ caBundle: certs.ca.cert + certs.clientCa.cert, clientCert: certs.client.cert, clientKey: certs.client.key, username: USERNAME, password: PASSWORD });

/**
 * Every secret as a string that must never show up: the password and username, and each base64 line of each PEM (a
 * line is 64 characters of the DER, so finding none means no PEM is there in clear, not even in part).
 */
function secretNeedles(): string[] {
  const pemLines = (pem: string) => pem.split('\n').filter((line) => line.length >= 32 && !line.startsWith('-----'));
  return [PASSWORD, USERNAME, ...pemLines(certs.ca.cert), ...pemLines(certs.clientCa.cert), ...pemLines(certs.client.cert), ...pemLines(certs.client.key)];
}

function expectNoSecret(text: string, where: string): void {
  for (const needle of secretNeedles()) {
    if (text.includes(needle)) throw new Error(`${where} holds a secret in clear: ${needle.slice(0, 12)}...`);
  }
  // A PEM header with its line break after it (as text or JSON-escaped): PEM itself, not a message mentioning the form.
  expect(text, where).not.toMatch(/-----BEGIN [A-Z ]+-----(\n|\r|\\n)/);
}

/** The database file and its WAL (recent writes are there first), as bytes read as Latin-1 so any text matches. */
function databaseBytes(dbFile: string): string {
  return [dbFile, `${dbFile}-wal`].filter(existsSync).map((file) => readFileSync(file).toString('latin1')).join('\n');
}

async function signedConfig(gateway: string, headers: Record<string, string> = {}) {
  const path = '/api/v1/agent/config?wait=0';
  const response = await fetch(`${controlPlane.url}${path}`, { headers: { ...headers, ...signedHeaders(AGENT_TOKEN, gateway, 'GET', path, '') } });
  return { status: response.status, etag: response.headers.get('etag'), text: await response.text() };
}

async function eventually<T>(read: () => T | Promise<T>, accept: (value: T) => boolean, timeoutMs = 15_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (accept(value)) return value;
    if (Date.now() > until) throw new Error(`condition not met within ${timeoutMs} ms; last value: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

beforeAll(async () => {
  certs = await testCertificates();
  dir = mkdtempSync(join(tmpdir(), 'probekit-accounts-'));
  const settings = readSettings({
    GATEWAY_DB: join(dir, 'gateway.db'), GATEWAY_PORT: '0', GATEWAY_ID: 'cp', GATEWAY_API_TOKEN: 'accounts-api-token-0123456789',
    GATEWAY_TIME_ZONE: 'UTC', GATEWAY_CONTROL_PLANE_TOKEN: AGENT_TOKEN,
  }, []);
  // The most talkative level fastify has, so whatever it would ever log of a request is in the capture.
  const stream = new Writable({ write(chunk, _encoding, done) { logLines.push(String(chunk)); done(); } });
  controlPlane = await startGateway(settings, { level: 'trace', stream });
  api = new ApiClient(controlPlane.url, controlPlane.token.token).withHeaders({ 'x-grafana-user': 'alice' });
}, 60_000);

afterAll(async () => {
  await controlPlane?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('shared accounts API', () => {
  let id: number;

  it('creates an account and shows what is configured and its certificates, never the secrets, nor in the log', async () => {
    logLines.length = 0;
    const created = await api.post('/api/v1/shared-accounts', { name: 'web-tls', description: 'TLS client for the web tier', ...material() });
    expect(created.status).toBe(201);
    id = created.body.id;
    expect(created.body).toEqual({
      id,
      name: 'web-tls',
      description: 'TLS client for the web tier',
      configured: { caBundle: true, clientCert: true, clientKey: true, username: true, password: true },
      certificates: {
        caBundle: [
          { subject: 'CN=probekit test CA', issuer: 'CN=probekit test CA', notAfter: new Date(certs.ca.notAfter).toISOString() },
          { subject: 'CN=probekit client CA', issuer: 'CN=probekit client CA', notAfter: new Date(certs.clientCa.notAfter).toISOString() },
        ],
        clientCert: { subject: 'CN=probekit client', issuer: 'CN=probekit client CA', notAfter: new Date(certs.client.notAfter).toISOString() },
      },
      usedBy: [],
      version: 1,
      createdAt: expect.any(String),
      createdBy: 'alice',
      updatedAt: created.body.createdAt,
      updatedBy: 'alice',
    });
    expectNoSecret(JSON.stringify(created.body), 'the create response');
    // A refused create (bad PEM) goes through the error path, which logs too.
    expect((await api.post('/api/v1/shared-accounts', { name: 'broken', clientCert: certs.client.cert, clientKey: certs.ca.key, password: PASSWORD })).status).toBe(400);
    const log = logLines.join('');
    expect(log).toContain('"url":"/api/v1/shared-accounts"');
    expectNoSecret(log, 'the log of create requests');
  });

  it('is in the OpenAPI document, its secrets marked write-only in their descriptions', async () => {
    const doc = (await api.get('/openapi.json')).body;
    expect(Object.keys(doc.paths['/api/v1/shared-accounts'])).toEqual(['get', 'post']);
    expect(Object.keys(doc.paths['/api/v1/shared-accounts/{id}'])).toEqual(['get', 'put', 'delete']);
    expect(JSON.stringify(doc)).toContain('Write-only: left out keeps the stored value, null clears it');
  });

  it('answers GET and list without secrets, and searches by name and description', async () => {
    const one = await api.get(`/api/v1/shared-accounts/${id}`);
    expect(one.status).toBe(200);
    expect(one.body.configured.clientKey).toBe(true);
    const list = await api.get('/api/v1/shared-accounts?q=web%20tier');
    expect(list.body).toMatchObject({ total: 1, limit: 100, offset: 0, items: [{ id, name: 'web-tls' }] });
    expect((await api.get('/api/v1/shared-accounts?q=nothing-like-it')).body.total).toBe(0);
    expectNoSecret(JSON.stringify(one.body) + JSON.stringify(list.body), 'GET and list');
    expect((await api.get('/api/v1/shared-accounts/9999')).status).toBe(404);
  });

  // Checks read material from a cache the gateway re-loads after each change: poll rather than race the re-load.
  it('keeps omitted secrets on PUT, clears null ones, replaces given ones, and refuses a stale version with 409', async () => {
    const kept = await api.put(`/api/v1/shared-accounts/${id}`, { name: 'web-tls', description: 'renamed nothing', version: 1 });
    expect(kept.status).toBe(200);
    expect(kept.body).toMatchObject({ version: 2, description: 'renamed nothing', configured: { caBundle: true, clientCert: true, clientKey: true, username: true, password: true } });
    await expect.poll(() => controlPlane.accounts.materialFor('web-tls')).toEqual(material());

    const stale = await api.put(`/api/v1/shared-accounts/${id}`, { name: 'web-tls', password: null, version: 1 });
    expect(stale.status).toBe(409);
    expect(stale.body.message).toContain('you sent version 1, current is 2');

    const cleared = await api.put(`/api/v1/shared-accounts/${id}`, { name: 'web-tls', description: 'TLS client for the web tier', username: null, password: null, version: 2 });
    expect(cleared.body.configured).toEqual({ caBundle: true, clientCert: true, clientKey: true, username: false, password: false });
    await expect.poll(() => controlPlane.accounts.materialFor('web-tls')).toEqual({ ...material(), username: null, password: null });

    const replaced = await api.put(`/api/v1/shared-accounts/${id}`, { name: 'web-tls', description: 'TLS client for the web tier', username: USERNAME, password: PASSWORD });
    expect(replaced.body).toMatchObject({ version: 4, configured: { username: true, password: true } });
    await expect.poll(() => controlPlane.accounts.materialFor('web-tls')).toEqual(material());
  });

  it('keeps the opened material through changes that do not touch the account, and opens it again after its own', async () => {
    const accounts = controlPlane.accounts as StoredAccountMaterial;
    await accounts.load();
    const opened = accounts.materialFor('web-tls');
    expect(opened).toEqual(material());
    const unrelated = await api.post('/api/v1/servers', { name: 'unrelated-to-accounts', gateways: ['elsewhere'] });
    expect(unrelated.status).toBe(201);
    // What every change triggers: the same object (and the TLS contexts keyed by it) stays in use.
    await accounts.load();
    expect(accounts.materialFor('web-tls')).toBe(opened);

    const current = (await api.get(`/api/v1/shared-accounts/${id}`)).body;
    expect((await api.put(`/api/v1/shared-accounts/${id}`, { name: 'web-tls', description: current.description, version: current.version })).status).toBe(200);
    await accounts.load();
    expect(accounts.materialFor('web-tls')).not.toBe(opened);
    expect(accounts.materialFor('web-tls')).toEqual(material());
    expect((await api.delete(`/api/v1/servers/${unrelated.body.id}`)).status).toBe(200);
  });

  it('refuses PEM that is wrong with 400 naming the field, never echoing it', async () => {
    const secretLooking = '-----BEGIN CERTIFICATE-----\nc2VjcmV0LWJ1dC1icm9rZW4tY2VydGlmaWNhdGUtYnl0ZXM=\n-----END CERTIFICATE-----\n';
    const cases: [Record<string, unknown>, string][] = [
      [{ caBundle: 'not pem at all' }, 'caBundle'],
      [{ caBundle: secretLooking }, 'caBundle'],
      [{ clientCert: certs.client.cert }, 'clientKey'],
      [{ clientKey: certs.client.key }, 'clientCert'],
      [{ clientCert: certs.client.cert, clientKey: certs.ca.key }, 'clientKey'],
      [{ clientCert: certs.client.cert, clientKey: 'garbage-key-material' }, 'clientKey'],
    ];
    for (const [body, field] of cases) {
      const response = await api.post('/api/v1/shared-accounts', { name: 'bad', ...body });
      expect(response.status, JSON.stringify(response.body)).toBe(400);
      expect(response.body.field).toBe(field);
      expect(response.body.message.startsWith(`${field} `)).toBe(true);
      const text = JSON.stringify(response.body);
      expect(text).not.toContain('c2VjcmV0LWJ1dC1icm9rZW4');
      expect(text).not.toContain('garbage-key-material');
      expectNoSecret(text, `the 400 on ${field}`);
    }
    const tooLong = await api.post('/api/v1/shared-accounts', { name: 'bad', password: `${PASSWORD}${'x'.repeat(2000)}` });
    expect(tooLong.status).toBe(400);
    expect(tooLong.body.field).toBe('password');
    expectNoSecret(JSON.stringify(tooLong.body), 'the 400 on password');
    // An update that would leave the certificate without its key is refused the same way.
    const halfCleared = await api.put(`/api/v1/shared-accounts/${id}`, { name: 'web-tls', description: 'TLS client for the web tier', clientKey: null });
    expect(halfCleared.status).toBe(400);
    expect(halfCleared.body.field).toBe('clientKey');
    expect((await api.get('/api/v1/shared-accounts?q=bad')).body.total).toBe(0);
    expect((await api.post('/api/v1/shared-accounts', { name: 'web-tls' })).status).toBe(409);
  });

  it('refuses a server naming an account that does not exist, and counts those that use one', async () => {
    const missing = await api.post('/api/v1/servers', { name: 'srv-missing', sharedAccount: 'no-such-account' });
    expect(missing.status).toBe(400);
    expect(missing.body).toMatchObject({ field: 'sharedAccount' });
    expect(missing.body.message).toContain('"no-such-account"');
    expect((await api.get('/api/v1/servers?q=srv-missing')).body.total).toBe(0);

    const server = await api.post('/api/v1/servers', { name: 'srv-web', sharedAccount: 'web-tls' });
    expect(server.status).toBe(201);
    expect(server.body.sharedAccount).toBe('web-tls');
    const patched = await api.patch(`/api/v1/servers/${server.body.id}`, { sharedAccount: 'nope' });
    expect(patched.status).toBe(400);
    expect(patched.body.field).toBe('sharedAccount');
    await api.post('/api/v1/servers', { name: 'srv-api', sharedAccount: 'web-tls' });
    expect((await api.get(`/api/v1/shared-accounts/${id}`)).body.usedBy).toEqual(['srv-api', 'srv-web']);
  });

  it('refuses to delete an account servers use with 409 naming them', async () => {
    const refused = await api.delete(`/api/v1/shared-accounts/${id}`);
    expect(refused.status).toBe(409);
    expect(refused.body.message).toContain('"srv-api", "srv-web"');
    expect((await api.get(`/api/v1/shared-accounts/${id}`)).status).toBe(200);
  });

  it('lets servers follow a rename', async () => {
    const renamed = await api.put(`/api/v1/shared-accounts/${id}`, { name: 'web-mtls', description: 'TLS client for the web tier' });
    expect(renamed.status).toBe(200);
    expect(renamed.body.usedBy).toEqual(['srv-api', 'srv-web']);
    const servers = (await api.get('/api/v1/servers?q=srv-')).body.items as { name: string; sharedAccount: string | null; version: number }[];
    expect(servers.map((s) => [s.name, s.sharedAccount, s.version])).toEqual([['srv-api', 'web-mtls', 2], ['srv-web', 'web-mtls', 2]]);
    await expect.poll(() => controlPlane.accounts.materialFor('web-mtls')).toEqual(material());
    await expect.poll(() => controlPlane.accounts.materialFor('web-tls')).toBeNull();
  });

  it('exports servers with the account name only, and refuses an import naming an account this gateway lacks', async () => {
    const exported = await exportText(api);
    expect(exported).toContain('"sharedAccount":"web-mtls"');
    expectNoSecret(exported, 'the export');
    expectNoSecret(await exportText(api, '?format=yaml'), 'the YAML export');
    expectNoSecret(JSON.stringify((await api.get('/api/v1/servers')).body), 'the server list');

    const refused = await api.post('/api/v1/import', { ...DOCUMENT, servers: [{ name: 'srv-new', probes: [] }, { name: 'srv-elsewhere', sharedAccount: 'db-readonly' }] });
    expect(refused.status).toBe(400);
    expect(refused.body.field).toBe('servers[1].sharedAccount');
    expect(refused.body.message).toContain('"db-readonly"');
    expect(refused.body.message).toContain('server "srv-elsewhere"');
    expect((await api.get('/api/v1/servers?q=srv-new')).body.total).toBe(0);
    const fine = await api.post('/api/v1/import?dryRun=true', { ...DOCUMENT, servers: [{ name: 'srv-elsewhere', sharedAccount: 'web-mtls' }] });
    expect(fine.status).toBe(200);
  });

  it('keeps no secret in clear in the database file', () => {
    const bytes = databaseBytes(join(dir, 'gateway.db'));
    expect(bytes).toContain('web-mtls'); // the file is the right one, and readable as text
    expectNoSecret(bytes, 'the database file');
  });
});

describe('checks and agents with shared accounts', () => {
  let agent: TestGateway | undefined;
  /** Presents a leaf of the test CA (not a system root) and requires a client certificate of the client CA. */
  let mtls: TestTlsServer;
  beforeAll(async () => { mtls = await startTlsServer({ certificate: certs.leaf, clientCa: certs.clientCa.cert }); });
  afterAll(async () => {
    await mtls?.close();
    await agent?.dispose();
    // Stopping, the in-process agent leaves one connection to the control plane that never sends a request (its
    // aborted long poll's); the control plane's close would wait for it until the headers timeout (60 s).
    controlPlane.app.server.closeAllConnections();
  });

  it('a TLS check of a server with the account trusts its CA bundle and presents its client certificate', async () => {
    const srvWeb = (await api.get('/api/v1/servers?q=srv-web')).body.items[0];
    const check = { host: '127.0.0.1', port: mtls.port, timeoutMs: 3000, tls: { serverName: 'localhost', verify: true } };
    const withAccount = await api.post('/api/v1/check', { ...check, serverId: srvWeb.id });
    expect(withAccount.status).toBe(200);
    expect(withAccount.body).toMatchObject({ outcome: 'success', tls: { subject: 'CN=localhost, O=probekit tests' } });
    expect(mtls.clients.at(-1)).toEqual({ servername: 'localhost', clientCn: 'probekit client' });
    expectNoSecret(JSON.stringify(withAccount.body), 'the check result');
    const without = await api.post('/api/v1/check', check);
    expect(without.body.outcome).toBe('cert_untrusted');
  });

  it('sends an agent only its servers\' accounts, sealed for it: a captured config response reveals nothing, the agent opens it', async () => {
    await api.post('/api/v1/shared-accounts', { name: 'unused-elsewhere', password: 'never-sent-to-agent-1' });
    const server = await api.post('/api/v1/servers', { name: 'srv-on-agent', gateways: ['agent-1'], sharedAccount: 'web-mtls' });
    expect(server.status).toBe(201);

    const captured = await signedConfig('agent-1');
    expect(captured.status).toBe(200);
    expectNoSecret(captured.text, 'the agent config response');
    expect(captured.text).not.toContain('never-sent-to-agent-1');
    const snapshot = JSON.parse(captured.text) as AgentSnapshot;
    expect(snapshot.servers.map((s) => s.name)).toEqual(['srv-on-agent']);
    expect(snapshot.accounts!.map((a) => Object.keys(a).sort())).toEqual([['name', 'sealed']]);
    expect(snapshot.accounts![0]!.name).toBe('web-mtls');

    // What the agent does with it: open in memory under the key it derives itself.
    const sealed = snapshot.accounts![0]!.sealed;
    expect(openMaterial(agentKey(AGENT_TOKEN, 'agent-1'), 'web-mtls', sealed)).toEqual(material());
    expect(() => openMaterial(agentKey(AGENT_TOKEN, 'agent-2'), 'web-mtls', sealed)).toThrow();
    expect(agentAccountValues(snapshot.accounts!, agentKey(AGENT_TOKEN, 'agent-2')).refused).toEqual([
      { name: 'web-mtls', reason: expect.stringContaining('does not open') },
    ]);
    // Another agent's snapshot has none of it.
    expect(JSON.parse((await signedConfig('agent-2')).text).accounts).toEqual([]);
  });

  it('keeps the snapshot tag still while nothing changes (sealing draws fresh IVs), and moves it when the account changes', async () => {
    const first = await signedConfig('agent-1');
    const unchanged = await signedConfig('agent-1', { 'if-none-match': first.etag! });
    expect(unchanged.status).toBe(304);
    const account = (await api.get('/api/v1/shared-accounts?q=web-mtls')).body.items[0];
    await api.put(`/api/v1/shared-accounts/${account.id}`, { name: 'web-mtls', description: account.description, password: 'a-new-password-42' });
    const changed = await signedConfig('agent-1', { 'if-none-match': first.etag! });
    expect(changed.status).toBe(200);
    const [sent] = (JSON.parse(changed.text) as AgentSnapshot).accounts!;
    expect(openMaterial(agentKey(AGENT_TOKEN, 'agent-1'), 'web-mtls', sent!.sealed).password).toBe('a-new-password-42');
    await api.put(`/api/v1/shared-accounts/${account.id}`, { name: 'web-mtls', description: account.description, password: PASSWORD });
  });

  it('a real agent keeps the material sealed on disk, opens it for its checks, and follows changes', async () => {
    agent = await startTestGateway({ GATEWAY_ID: 'agent-1', GATEWAY_CONTROL_PLANE_URL: controlPlane.url, GATEWAY_CONTROL_PLANE_TOKEN: AGENT_TOKEN });
    expect(agent.secretKey).toBeNull();
    await eventually(() => agent!.accounts.materialFor('web-mtls'), (m) => m !== null);
    expect(agent.accounts.materialFor('web-mtls')).toEqual(material());
    expect(agent.accounts.materialFor('unused-elsewhere')).toBeNull();
    const listed = await agent.api.get('/api/v1/shared-accounts');
    expect(listed.body.items).toMatchObject([{ name: 'web-mtls', configured: { caBundle: true, clientKey: true, password: true }, usedBy: ['srv-on-agent'] }]);
    expectNoSecret(JSON.stringify(listed.body), 'the agent\'s account list');
    expect((await agent.api.post('/api/v1/shared-accounts', { name: 'local' })).status).toBe(403);
    expectNoSecret(databaseBytes(join(agent.dir, 'gateway.db')), 'the agent\'s database file');
    expect(existsSync(join(agent.dir, 'secret.key'))).toBe(false);

    const account = (await api.get('/api/v1/shared-accounts?q=web-mtls')).body.items[0];
    // The agent's checks use it: a probe of its server passes the mutual TLS handshake with the account's material.
    const server = (await api.get('/api/v1/servers?q=srv-on-agent')).body.items[0];
    const probe = await api.post(`/api/v1/servers/${server.id}/probes`, { name: 'mtls', host: '127.0.0.1', port: mtls.port, timeoutMs: 3000, tls: { serverName: 'localhost', verify: true } });
    expect(probe.status).toBe(201);
    await eventually(async () => (await agent!.api.get(`/api/v1/probes/${probe.body.id}`)).status, (status) => status === 200);
    const passed = await agent.api.post(`/api/v1/probes/${probe.body.id}/run`);
    expect(passed.body).toMatchObject({ outcome: 'success', gateway: 'agent-1' });
    expect(mtls.clients.at(-1)).toEqual({ servername: 'localhost', clientCn: 'probekit client' });

    await api.put(`/api/v1/shared-accounts/${account.id}`, { name: 'web-mtls', description: account.description, caBundle: null });
    await eventually(() => agent!.accounts.materialFor('web-mtls')?.caBundle, (ca) => ca === null);
    expect(agent.accounts.materialFor('web-mtls')).toEqual({ ...material(), caBundle: null });
    // Without the CA bundle now, the agent's next check no longer trusts the target.
    expect((await agent.api.post(`/api/v1/probes/${probe.body.id}/run`)).body.outcome).toBe('cert_untrusted');

    // The agent's last server using it is deleted: the account goes from the agent too.
    expect((await api.delete(`/api/v1/servers/${server.id}`)).status).toBe(200);
    await eventually(() => agent!.accounts.materialFor('web-mtls'), (m) => m === null);
    expect((await agent.api.get('/api/v1/shared-accounts')).body.total).toBe(0);
  }, 60_000);
});
