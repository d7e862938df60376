// Nothing acknowledged is lost: the gateway runs as a child process, is killed with SIGKILL while writes are in flight,
// and after a restart on the same SQLite file every acknowledged object is there with the acknowledged content.
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { probeConfig } from '../helpers/snapshot.js';
import { spawnGateway } from '../helpers/gateway-process.js';

const TOKEN = 'crash-test-token-0123456789';

const folders: string[] = [];
const children = new Set<ChildProcess>();
afterEach(() => {
  // Only the children this file started, each by its own handle.
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  children.clear();
});
afterAll(() => { for (const dir of folders) rmSync(dir, { recursive: true, force: true }); });

interface Child {
  process: ChildProcess;
  url: string;
  output: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

async function startChild(dbFile: string): Promise<Child> {
  const child = await spawnGateway({ GATEWAY_DB: dbFile, GATEWAY_API_TOKEN: TOKEN, GATEWAY_ID: 'crash-gw' });
  children.add(child.process);
  return child;
}

async function call(url: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const response = await fetch(`${url}${path}`, {
    method,
    headers: { authorization: `Bearer ${TOKEN}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text === '' ? null : JSON.parse(text) };
}

function tempDb(): string {
  const dir = mkdtempSync(join(tmpdir(), 'probekit-crash-'));
  folders.push(dir);
  return join(dir, 'data', 'gateway.db');
}

/** What the client was told, per object: the acknowledged body, and whether a later write to it was still unanswered. */
interface Acked {
  kind: 'server' | 'probe';
  body: any;
  /** A later write was sent and never answered: the stored object may be either state. */
  pending?: { description: string };
}

describe('durability', () => {
  it('keeps every acknowledged write across a SIGKILL in the middle of a write stream', async () => {
    const dbFile = tempDb();
    const first = await startChild(dbFile);

    const CHAINS = 80; // each: create a server, add 3 probes, then update the server: 400 writes
    const CONCURRENCY = 16;
    const KILL_AFTER_ACKS = 150;
    const acked = new Map<string, Acked>();
    const sentServerNames = new Set<string>();
    let acks = 0;
    let inFlight = 0;
    let inFlightAtKill = -1;
    let killed = false;

    const write = async (method: string, path: string, body: unknown) => {
      if (killed) throw new Error('killed');
      inFlight++;
      try {
        const response = await call(first.url, method, path, body);
        if (response.status >= 300) throw new Error(`${method} ${path} answered ${response.status}: ${JSON.stringify(response.body)}`);
        acks++;
        return response.body;
      } finally {
        inFlight--;
        if (!killed && acks >= KILL_AFTER_ACKS) {
          killed = true;
          inFlightAtKill = inFlight;
          first.process.kill('SIGKILL');
        }
      }
    };

    const chain = async (index: number) => {
      const name = `crash-srv-${String(index).padStart(3, '0')}`;
      sentServerNames.add(name);
      const server = await write('POST', '/api/v1/servers', { name, site: `site-${index % 5}`, description: `created ${index}`, connectTimeoutMs: 1000 + index });
      acked.set(`server:${server.id}`, { kind: 'server', body: server });
      for (let p = 0; p < 3; p++) {
        const probe = await write('POST', `/api/v1/servers/${server.id}/probes`, {
          name: `probe-${p}`, host: `10.${index}.${p}.1`, port: 1000 + index * 10 + p, intervalSeconds: 30 + p, enabled: false,
          ...(p === 1 ? { timeoutMs: 500 + index, windowBegin: '22:00', windowEnd: '06:00' } : {}),
        });
        acked.set(`probe:${probe.id}`, { kind: 'probe', body: probe });
      }
      const description = `updated ${index}`;
      acked.get(`server:${server.id}`)!.pending = { description };
      const updated = await write('PATCH', `/api/v1/servers/${server.id}`, { description, version: server.version });
      acked.set(`server:${server.id}`, { kind: 'server', body: updated });
    };

    let next = 0;
    const worker = async () => {
      while (!killed && next < CHAINS) {
        const index = next++;
        try {
          await chain(index);
        } catch {
          // the connection died with the gateway; what was not acknowledged is not owed
        }
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    const exit = await first.exited;

    expect(killed, first.output()).toBe(true);
    expect(exit.signal).toBe('SIGKILL');
    expect(inFlightAtKill, 'requests were in flight when the gateway died').toBeGreaterThan(0);
    expect(acks).toBeGreaterThanOrEqual(KILL_AFTER_ACKS);
    expect(acks).toBeLessThan(CHAINS * 5);

    // Restart on the same file.
    const second = await startChild(dbFile);
    let checkedServers = 0;
    let checkedProbes = 0;
    for (const [key, { kind, body, pending }] of acked) {
      if (kind === 'server') {
        const stored = await call(second.url, 'GET', `/api/v1/servers/${body.id}`);
        expect(stored.status, key).toBe(200);
        const { probeCount: _storedCount, ...storedFields } = stored.body;
        const { probeCount: _ackedCount, ...ackedFields } = body;
        if (pending) {
          // The update was sent but never answered: either state is honest, nothing in between.
          expect([body.version, body.version + 1], key).toContain(stored.body.version);
          if (stored.body.version === body.version) expect(storedFields, key).toEqual(ackedFields);
          else expect(stored.body.description, key).toBe(pending.description);
        } else {
          expect(storedFields, key).toEqual(ackedFields);
        }
        checkedServers++;
      } else {
        const stored = await call(second.url, 'GET', `/api/v1/probes/${body.id}`);
        expect(stored.status, key).toBe(200);
        expect(probeConfig(stored.body), key).toEqual(probeConfig(body));
        checkedProbes++;
      }
    }
    expect(checkedServers).toBeGreaterThan(0);
    expect(checkedProbes).toBeGreaterThan(0);

    // No phantom objects: everything stored was sent by this test, and each server has at least its acknowledged probes.
    const servers = (await call(second.url, 'GET', '/api/v1/servers?limit=1000')).body.items;
    for (const server of servers) {
      expect(sentServerNames.has(server.name), server.name).toBe(true);
      const ackedProbes = [...acked.values()].filter((a) => a.kind === 'probe' && a.body.serverId === server.id).length;
      expect(server.probeCount).toBeGreaterThanOrEqual(ackedProbes);
      expect(server.probeCount).toBeLessThanOrEqual(3);
    }
    const ackedServerIds = new Set([...acked.values()].filter((a) => a.kind === 'server').map((a) => a.body.id));
    expect(servers.filter((s: any) => ackedServerIds.has(s.id))).toHaveLength(ackedServerIds.size);
    // The restarted gateway takes writes again.
    expect((await call(second.url, 'POST', '/api/v1/servers', { name: 'after-restart' })).status).toBe(201);

    second.process.kill('SIGTERM');
    expect((await second.exited).code).toBe(0);

    const db = new Database(dbFile);
    try {
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      expect(db.pragma('foreign_key_check')).toEqual([]);
      expect(db.prepare('SELECT COUNT(*) FROM probes p LEFT JOIN servers s ON s.id = p.server_id WHERE s.id IS NULL').pluck().get()).toBe(0);
    } finally {
      db.close();
    }
  }, 180_000);

  it('stops cleanly on SIGTERM with exit code 0 within a few seconds, keeping what it acknowledged', async () => {
    const dbFile = tempDb();
    const first = await startChild(dbFile);
    const created = await call(first.url, 'POST', '/api/v1/servers', { name: 'graceful', site: 'ber' });
    expect(created.status).toBe(201);

    const started = Date.now();
    first.process.kill('SIGTERM');
    const exit = await Promise.race([
      first.exited,
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no exit within 5 s after SIGTERM:\n${first.output()}`)), 5_000)),
    ]);
    expect(exit).toEqual({ code: 0, signal: null });
    expect(Date.now() - started).toBeLessThan(5_000);

    const second = await startChild(dbFile);
    const stored = await call(second.url, 'GET', `/api/v1/servers/${created.body.id}`);
    expect(stored.body).toEqual(created.body);
    second.process.kill('SIGINT');
    expect((await second.exited).code).toBe(0);
  }, 120_000);
});
