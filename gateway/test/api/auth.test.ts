// The bearer token on /api/v1/*: where it comes from, what it guards and what it leaves open.
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadApiToken } from '../../src/auth.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';

const TOKEN = 'test-token-0123456789abcdef';
const folders: string[] = [];
function tempFolder(): string {
  const dir = mkdtempSync(join(tmpdir(), 'probekit-auth-'));
  folders.push(dir);
  return dir;
}
afterAll(() => { for (const dir of folders) rmSync(dir, { recursive: true, force: true }); });

/** fetch without the helper, so that the Authorization header is exactly what the test says. */
async function raw(gw: TestGateway, path: string, init: RequestInit = {}) {
  const response = await fetch(`${gw.url}${path}`, init);
  const text = await response.text();
  return { status: response.status, headers: response.headers, text, json: () => JSON.parse(text) };
}

describe('bearer token on /api/v1', () => {
  let gw: TestGateway;
  beforeAll(async () => { gw = await startTestGateway({ GATEWAY_API_TOKEN: TOKEN }); });
  afterAll(async () => { await gw.dispose(); });

  it('answers 401 without a token, with a hint and WWW-Authenticate', async () => {
    const response = await raw(gw, '/api/v1/servers');
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toMatch(/^Bearer /);
    expect(response.json()).toMatchObject({ statusCode: 401, error: 'Unauthorized', message: expect.stringMatching(/Authorization: Bearer <token>/) });
  });

  it.each([
    ['a wrong token', `Bearer ${TOKEN}x`],
    ['a prefix of the token', `Bearer ${TOKEN.slice(0, -1)}`],
    ['another scheme', `Basic ${Buffer.from(`api:${TOKEN}`).toString('base64')}`],
    ['the token without a scheme', TOKEN],
    ['an empty bearer', 'Bearer '],
    ['two tokens', `Bearer ${TOKEN} ${TOKEN}`],
  ])('answers 401 to %s', async (_label, authorization) => {
    const response = await raw(gw, '/api/v1/servers', { headers: { authorization } });
    expect(response.status).toBe(401);
  });

  it('answers 200 with the right token; the scheme is case-insensitive', async () => {
    for (const scheme of ['Bearer', 'bearer', 'BEARER', 'bEaReR']) {
      const response = await raw(gw, '/api/v1/servers', { headers: { authorization: `${scheme} ${TOKEN}` } });
      expect(response.status, scheme).toBe(200);
    }
  });

  it('guards writes: a refused write creates nothing', async () => {
    const write = await raw(gw, '/api/v1/servers', { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer nope-nope-nope-nope' }, body: JSON.stringify({ name: 'intruder' }) });
    expect(write.status).toBe(401);
    expect((await gw.api.get('/api/v1/servers?q=intruder')).body.total).toBe(0);
  });

  it('guards every API route, including unknown ones and HEAD', async () => {
    for (const path of ['/api/v1/servers/1', '/api/v1/servers/1/probes', '/api/v1/probes/1', '/api/v1/schedules', '/api/v1/gateways', '/api/v1/export', '/api/v1/no-such-thing']) {
      expect((await raw(gw, path)).status, path).toBe(401);
    }
    expect((await raw(gw, '/api/v1/servers', { method: 'HEAD' })).status).toBe(401);
    expect((await raw(gw, '/api/v1/import', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).status).toBe(401);
  });

  it('cannot be bypassed by percent-encoding the path', async () => {
    for (const path of ['/%61pi/v1/servers', '/api/v1/%73ervers', '/%61%70%69/v1/export', '/api%2Fv1/servers']) {
      const response = await raw(gw, path);
      expect(response.status, path).toBe(401);
    }
    const write = await raw(gw, '/%61pi/v1/servers', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'sneaky' }) });
    expect(write.status).toBe(401);
    expect((await gw.api.get('/api/v1/servers?q=sneaky')).body.total).toBe(0);
  });

  it('leaves /healthz, /readyz and /openapi.json open, even with a wrong token', async () => {
    for (const headers of [{}, { authorization: 'Bearer wrong' }] as Record<string, string>[]) {
      expect((await raw(gw, '/healthz', { headers })).json()).toEqual({ status: 'ok' });
      const ready = await raw(gw, '/readyz', { headers });
      expect(ready.status).toBe(200);
      expect(ready.json()).toMatchObject({ status: 'ready', store: 'ok' });
      expect((await raw(gw, '/openapi.json', { headers })).status).toBe(200);
    }
  });

  it("documents every path of DESIGN.md's API that exists so far, with the bearer scheme", async () => {
    const document = (await raw(gw, '/openapi.json')).json();
    expect(document.openapi).toMatch(/^3\./);
    expect(document.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(document.security).toEqual([{ bearer: [] }]);
    const expected: Record<string, string[]> = {
      '/api/v1/servers': ['get', 'post'],
      '/api/v1/servers/{id}': ['get', 'put', 'patch', 'delete'],
      '/api/v1/servers/{id}/probes': ['get', 'post'],
      '/api/v1/probes/{id}': ['get', 'put', 'patch', 'delete'],
      '/api/v1/schedules': ['get', 'post'],
      '/api/v1/schedules/{id}': ['get', 'put', 'delete'],
      '/api/v1/gateways': ['get'],
      '/api/v1/export': ['get'],
      '/api/v1/import': ['post'],
    };
    for (const [path, methods] of Object.entries(expected)) {
      expect(document.paths, path).toHaveProperty([path]);
      for (const method of methods) expect(document.paths[path], `${method} ${path}`).toHaveProperty(method);
    }
    // Request bodies are described, so the plugin and curl users know the fields.
    const serverBody = document.paths['/api/v1/servers'].post.requestBody.content['application/json'].schema;
    expect(Object.keys(serverBody.properties)).toEqual(expect.arrayContaining(['name', 'connectTimeoutMs', 'thresholds', 'version']));
    const probeBody = document.paths['/api/v1/servers/{id}/probes'].post.requestBody.content['application/json'].schema;
    expect(probeBody.required).toEqual(expect.arrayContaining(['name', 'host', 'port']));
  });
});

describe('where the token comes from', () => {
  it('reads GATEWAY_API_TOKEN_FILE when GATEWAY_API_TOKEN is not set', async () => {
    const dir = tempFolder();
    const file = join(dir, 'token');
    writeFileSync(file, 'file-token-abcdefghijklmnop\n', { mode: 0o600 });
    const gw = await startTestGateway({ GATEWAY_API_TOKEN: '', GATEWAY_API_TOKEN_FILE: file });
    try {
      expect(gw.token).toEqual({ token: 'file-token-abcdefghijklmnop', source: 'file', file });
      expect((await gw.api.get('/api/v1/servers')).status).toBe(200);
      expect((await gw.api.withToken(TOKEN).get('/api/v1/servers')).status).toBe(401);
    } finally {
      await gw.dispose();
    }
  });

  it('prefers GATEWAY_API_TOKEN over the file', () => {
    const dir = tempFolder();
    const file = join(dir, 'token');
    writeFileSync(file, 'file-token-abcdefghijklmnop', { mode: 0o600 });
    expect(loadApiToken({ apiToken: TOKEN, apiTokenFile: file, dataDir: dir })).toEqual({ token: TOKEN, source: 'environment' });
  });

  it('refuses a token file that is missing or too short, naming the setting', () => {
    const dir = tempFolder();
    expect(() => loadApiToken({ apiTokenFile: join(dir, 'missing'), dataDir: dir })).toThrow(/GATEWAY_API_TOKEN_FILE .*cannot be read/);
    writeFileSync(join(dir, 'short'), 'short\n');
    expect(() => loadApiToken({ apiTokenFile: join(dir, 'short'), dataDir: dir })).toThrow(/GATEWAY_API_TOKEN_FILE .*at least 16 characters/);
    expect(existsSync(join(dir, 'api-token'))).toBe(false);
  });

  it('generates a token in the data folder with mode 0600 on first start and reuses it on the next', async () => {
    const dir = tempFolder();
    const dataDir = join(dir, 'not-yet-there');
    const env = { GATEWAY_API_TOKEN: '', GATEWAY_DB: join(dataDir, 'gateway.db') };
    const tokenFile = join(dataDir, 'api-token');

    const first = await startTestGateway(env);
    let token: string;
    try {
      expect(first.token.source).toBe('generated');
      expect(first.token.file).toBe(tokenFile);
      expect(existsSync(tokenFile)).toBe(true);
      expect(statSync(tokenFile).mode & 0o777).toBe(0o600);
      token = readFileSync(tokenFile, 'utf8').trim();
      expect(token).toBe(first.token.token);
      expect(token.length).toBeGreaterThanOrEqual(32);
      expect((await first.api.post('/api/v1/servers', { name: 'survives-restart' })).status).toBe(201);
      expect((await first.api.withToken(null).get('/api/v1/servers')).status).toBe(401);
    } finally {
      await first.dispose();
    }

    // Someone loosened the mode in between: the next start tightens it again and keeps the token.
    chmodSync(tokenFile, 0o644);
    const second = await startTestGateway(env);
    try {
      expect(second.token).toEqual({ token, source: 'generated', file: tokenFile });
      expect(statSync(tokenFile).mode & 0o777).toBe(0o600);
      const listed = await second.api.get('/api/v1/servers');
      expect(listed.status).toBe(200);
      expect(listed.body.items.map((s: any) => s.name)).toEqual(['survives-restart']);
    } finally {
      await second.dispose();
    }
  });

  it('a different data folder gets a different generated token', () => {
    const a = loadApiToken({ dataDir: join(tempFolder(), 'a') });
    const b = loadApiToken({ dataDir: join(tempFolder(), 'b') });
    expect(a.token).not.toBe(b.token);
    expect(statSync(a.file!).mode & 0o777).toBe(0o600);
  });

  it('replaces a generated token file that is empty', () => {
    const dir = tempFolder();
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'api-token'), '\n', { mode: 0o600 });
    const token = loadApiToken({ dataDir: dir });
    expect(token.token.length).toBeGreaterThanOrEqual(32);
    expect(readFileSync(join(dir, 'api-token'), 'utf8').trim()).toBe(token.token);
  });
});
