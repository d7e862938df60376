// Bad input, row by row: each gets the documented 4xx naming the field and the rule, and the store stays exactly as it was.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { snapshot } from '../helpers/snapshot.js';

const BODY_LIMIT = 4096;
const ALLOWED = '127.0.0.0/8, ::1, 192.0.2.0/24, *.example.com';

let gw: TestGateway;

/** Objects the rows refer to; created once, and no row may change them. */
interface Fixtures {
  serverA: number; // connectTimeoutMs 2000; probes p1 (interval 5 s, inherits the timeout) and p2 (own timeout 1000, interval 60 s)
  serverB: number;
  p1: number;
  p2: number;
  schedule: number; // used by p1
  spare: number; // used by nobody
}
let f: Fixtures;

beforeAll(async () => {
  gw = await startTestGateway({ GATEWAY_BODY_LIMIT_BYTES: String(BODY_LIMIT), GATEWAY_ALLOWED_TARGETS: ALLOWED });
  const ok = <T>(response: { status: number; body: T }) => {
    if (response.status >= 300) throw new Error(`fixture not created: ${JSON.stringify(response.body)}`);
    return response.body as T & { id: number };
  };
  const schedule = ok(await gw.api.post('/api/v1/schedules', { name: 'office', timeZone: 'Europe/Berlin', windows: [{ days: ['mon', 'fri'], begin: '08:00', end: '18:00' }] }));
  const spare = ok(await gw.api.post('/api/v1/schedules', { name: 'spare', timeZone: 'UTC' }));
  const serverA = ok(await gw.api.post('/api/v1/servers', { name: 'srv-a', role: 'production', thresholds: [{ kind: 'availability', level: 'critical', for: '5m' }] }));
  const serverB = ok(await gw.api.post('/api/v1/servers', { name: 'srv-b' }));
  const p1 = ok(await gw.api.post(`/api/v1/servers/${serverA.id}/probes`, { name: 'p1', host: '127.0.0.1', port: 5432, intervalSeconds: 5, scheduleId: schedule.id }));
  const p2 = ok(await gw.api.post(`/api/v1/servers/${serverA.id}/probes`, { name: 'p2', host: 'db.example.com', port: 1521, intervalSeconds: 60, timeoutMs: 1000 }));
  // Version 2 for each updatable object, so that "version: 1" is stale.
  ok(await gw.api.patch(`/api/v1/servers/${serverA.id}`, { description: 'ERP' }));
  ok(await gw.api.patch(`/api/v1/probes/${p1.id}`, { description: 'primary' }));
  ok(await gw.api.put(`/api/v1/schedules/${schedule.id}`, { name: 'office', timeZone: 'Europe/Berlin', windows: [{ days: ['mon', 'fri'], begin: '08:00', end: '18:00' }] }));
  f = { serverA: serverA.id, serverB: serverB.id, p1: p1.id, p2: p2.id, schedule: schedule.id, spare: spare.id };
});
afterAll(async () => { await gw?.dispose(); });

interface Row {
  name: string;
  method: 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'GET';
  path: (f: Fixtures) => string;
  /** An object is sent as JSON; a string is sent as it is. */
  body?: unknown | ((f: Fixtures) => unknown);
  headers?: Record<string, string>;
  /** Send no Authorization header. */
  noToken?: boolean;
  status: number;
  /** body.field; undefined where the error is about the whole request. */
  field: string | undefined;
  message: RegExp;
}

const server = (extra: Record<string, unknown> = {}) => ({ name: 'new-server', ...extra });
const probe = (extra: Record<string, unknown> = {}) => ({ name: 'new-probe', host: '127.0.0.1', port: 80, ...extra });
const schedule = (extra: Record<string, unknown> = {}) => ({ name: 'new-schedule', timeZone: 'UTC', ...extra });
const threshold = (extra: Record<string, unknown> = {}) => ({ kind: 'availability', level: 'warning', ...extra });
const servers = () => '/api/v1/servers';
const serverA = (x: Fixtures) => `/api/v1/servers/${x.serverA}`;
const probesOfA = (x: Fixtures) => `/api/v1/servers/${x.serverA}/probes`;
const p1 = (x: Fixtures) => `/api/v1/probes/${x.p1}`;
const p2 = (x: Fixtures) => `/api/v1/probes/${x.p2}`;
const schedules = () => '/api/v1/schedules';
const office = (x: Fixtures) => `/api/v1/schedules/${x.schedule}`;
const DOC = { apiVersion: 'probekit/v1', kind: 'Configuration' };

const rows: Row[] = [
  // --- servers: POST
  { name: 'server without name', method: 'POST', path: servers, body: {}, status: 400, field: 'name', message: /is required/ },
  { name: 'server name empty', method: 'POST', path: servers, body: server({ name: '' }), status: 400, field: 'name', message: /must not be empty/ },
  { name: 'server name with leading space', method: 'POST', path: servers, body: server({ name: ' padded' }), status: 400, field: 'name', message: /without leading or trailing spaces/ },
  { name: 'server name 129 characters', method: 'POST', path: servers, body: server({ name: 'n'.repeat(129) }), status: 400, field: 'name', message: /at most 128 characters/ },
  { name: 'server name a number', method: 'POST', path: servers, body: server({ name: 42 }), status: 400, field: 'name', message: /must be a string/ },
  { name: 'server name already used', method: 'POST', path: servers, body: server({ name: 'srv-a' }), status: 409, field: 'name', message: /already used by another server/ },
  { name: 'connectTimeoutMs below 100', method: 'POST', path: servers, body: server({ connectTimeoutMs: 99 }), status: 400, field: 'connectTimeoutMs', message: /between 100 and 60000/ },
  { name: 'connectTimeoutMs above 60000', method: 'POST', path: servers, body: server({ connectTimeoutMs: 60001 }), status: 400, field: 'connectTimeoutMs', message: /between 100 and 60000/ },
  { name: 'connectTimeoutMs as a string (no coercion)', method: 'POST', path: servers, body: server({ connectTimeoutMs: '2000' }), status: 400, field: 'connectTimeoutMs', message: /must be an integer/ },
  { name: 'connectTimeoutMs a fraction', method: 'POST', path: servers, body: server({ connectTimeoutMs: 1500.5 }), status: 400, field: 'connectTimeoutMs', message: /must be an integer/ },
  { name: 'server unknown field', method: 'POST', path: servers, body: server({ colour: 'red' }), status: 400, field: 'colour', message: /not a known field/ },
  { name: 'server read-only field id', method: 'POST', path: servers, body: server({ id: 7 }), status: 400, field: 'id', message: /not a known field/ },
  { name: 'role with a forbidden character', method: 'POST', path: servers, body: server({ role: 'prod!' }), status: 400, field: 'role', message: /at most 64 letters, digits/ },
  { name: 'site 65 characters', method: 'POST', path: servers, body: server({ site: 's'.repeat(65) }), status: 400, field: 'site', message: /at most 64 characters/ },
  { name: 'gateway starting with a hyphen', method: 'POST', path: servers, body: server({ gateway: '-edge' }), status: 400, field: 'gateway', message: /start with a letter or digit/ },
  { name: 'networkInterface with a space', method: 'POST', path: servers, body: server({ networkInterface: 'eth 0' }), status: 400, field: 'networkInterface', message: /interface name/ },
  { name: 'enabled as a string', method: 'POST', path: servers, body: server({ enabled: 'yes' }), status: 400, field: 'enabled', message: /must be a boolean/ },
  { name: 'description 1025 characters', method: 'POST', path: servers, body: server({ description: 'd'.repeat(1025) }), status: 400, field: 'description', message: /at most 1024 characters/ },
  { name: 'organization a number', method: 'POST', path: servers, body: server({ organization: 5 }), status: 400, field: 'organization', message: /must be a string or null/ },
  // --- thresholds (on servers)
  { name: 'thresholds not a list', method: 'POST', path: servers, body: server({ thresholds: { kind: 'availability' } }), status: 400, field: 'thresholds', message: /must be an array/ },
  { name: 'thresholds 21 entries', method: 'POST', path: servers, body: server({ thresholds: Array.from({ length: 21 }, () => threshold()) }), status: 400, field: 'thresholds', message: /at most 20 entries/ },
  { name: 'threshold unknown kind', method: 'POST', path: servers, body: server({ thresholds: [threshold({ kind: 'latency' })] }), status: 400, field: 'thresholds[0].kind', message: /one of "availability", "availabilityRatio", "connectTime"/ },
  { name: 'threshold unknown level', method: 'POST', path: servers, body: server({ thresholds: [threshold({ level: 'info' })] }), status: 400, field: 'thresholds[0].level', message: /one of "warning", "critical"/ },
  { name: 'threshold without level', method: 'POST', path: servers, body: server({ thresholds: [{ kind: 'availability' }] }), status: 400, field: 'thresholds[0].level', message: /is required/ },
  { name: 'availabilityRatio value above 100', method: 'POST', path: servers, body: server({ thresholds: [threshold({ kind: 'availabilityRatio', value: 100.5 })] }), status: 400, field: 'thresholds[0].value', message: /percentage above 0 and at most 100/ },
  { name: 'availabilityRatio without value', method: 'POST', path: servers, body: server({ thresholds: [threshold({ kind: 'availabilityRatio' })] }), status: 400, field: 'thresholds[0].value', message: /percentage/ },
  { name: 'connectTime without value', method: 'POST', path: servers, body: server({ thresholds: [threshold({ kind: 'connectTime' })] }), status: 400, field: 'thresholds[0].value', message: /milliseconds above 0/ },
  { name: 'connectTime value 0', method: 'POST', path: servers, body: server({ thresholds: [threshold({ kind: 'connectTime', value: 0 })] }), status: 400, field: 'thresholds[0].value', message: /milliseconds above 0/ },
  { name: 'threshold value negative', method: 'POST', path: servers, body: server({ thresholds: [threshold({ kind: 'connectTime', value: -5 })] }), status: 400, field: 'thresholds[0].value', message: /at least 0/ },
  { name: 'threshold value as a string', method: 'POST', path: servers, body: server({ thresholds: [threshold({ kind: 'connectTime', value: '250' })] }), status: 400, field: 'thresholds[0].value', message: /must be a number/ },
  { name: 'availability with a value', method: 'POST', path: servers, body: server({ thresholds: [threshold({ value: 50 })] }), status: 400, field: 'thresholds[0].value', message: /not used by kind availability/ },
  { name: 'duplicate kind and level', method: 'POST', path: servers, body: server({ thresholds: [threshold(), threshold({ level: 'critical' }), threshold()] }), status: 400, field: 'thresholds[2]', message: /repeats kind availability at level warning/ },
  { name: 'runbookUrl not http(s)', method: 'POST', path: servers, body: server({ thresholds: [threshold({ runbookUrl: 'ftp://wiki/runbook' })] }), status: 400, field: 'thresholds[0].runbookUrl', message: /http\(s\) URL/ },
  { name: 'runbookUrl with a space', method: 'POST', path: servers, body: server({ thresholds: [threshold({ runbookUrl: 'https://wiki/run book' })] }), status: 400, field: 'thresholds[0].runbookUrl', message: /http\(s\) URL/ },
  { name: 'for in words', method: 'POST', path: servers, body: server({ thresholds: [threshold({ for: '5 minutes' })] }), status: 400, field: 'thresholds[0].for', message: /duration such as 30s, 5m/ },
  { name: 'for without a unit', method: 'POST', path: servers, body: server({ thresholds: [threshold({ for: '5' })] }), status: 400, field: 'thresholds[0].for', message: /duration/ },
  { name: 'window on connectTime', method: 'POST', path: servers, body: server({ thresholds: [threshold({ kind: 'connectTime', value: 200, window: '1h' })] }), status: 400, field: 'thresholds[0].window', message: /only to kind availabilityRatio/ },
  { name: 'window not a duration', method: 'POST', path: servers, body: server({ thresholds: [threshold({ kind: 'availabilityRatio', value: 99, window: 'an hour' })] }), status: 400, field: 'thresholds[0].window', message: /duration/ },
  { name: 'team with a space', method: 'POST', path: servers, body: server({ thresholds: [threshold({ team: 'sre team' })] }), status: 400, field: 'thresholds[0].team', message: /letters, digits/ },
  { name: 'contactPoint 191 characters', method: 'POST', path: servers, body: server({ thresholds: [threshold({ contactPoint: 'c'.repeat(191) })] }), status: 400, field: 'thresholds[0].contactPoint', message: /at most 190 characters/ },
  { name: 'threshold unknown field', method: 'POST', path: servers, body: server({ thresholds: [threshold({ severity: 'high' })] }), status: 400, field: 'thresholds[0].severity', message: /not a known field/ },
  // --- servers: PUT and PATCH
  { name: 'PUT server without name', method: 'PUT', path: serverA, body: { role: 'quality' }, status: 400, field: 'name', message: /is required/ },
  { name: 'PUT server stale version', method: 'PUT', path: serverA, body: server({ name: 'srv-a', version: 1 }), status: 409, field: 'version', message: /changed by someone else/ },
  { name: 'PUT server version 0', method: 'PUT', path: serverA, body: server({ name: 'srv-a', version: 0 }), status: 400, field: 'version', message: /at least 1/ },
  { name: 'PUT server timeout reaching an inheriting probe interval', method: 'PUT', path: serverA, body: server({ name: 'srv-a', connectTimeoutMs: 5000 }), status: 400, field: 'connectTimeoutMs', message: /must be below 5000 ms/ },
  { name: 'PUT server bad threshold', method: 'PUT', path: serverA, body: server({ name: 'srv-a', thresholds: [threshold({ kind: 'connectTime', value: 60001 })] }), status: 400, field: 'thresholds[0].value', message: /at most 60000/ },
  { name: 'PUT unknown server', method: 'PUT', path: () => '/api/v1/servers/999999', body: server(), status: 404, field: undefined, message: /server 999999 does not exist/ },
  { name: 'PATCH server name taken', method: 'PATCH', path: serverA, body: { name: 'srv-b' }, status: 409, field: 'name', message: /already used/ },
  { name: 'PATCH server timeout reaching an inheriting probe interval', method: 'PATCH', path: serverA, body: { connectTimeoutMs: 6000 }, status: 400, field: 'connectTimeoutMs', message: /must be below 5000 ms/ },
  { name: 'PATCH server name null', method: 'PATCH', path: serverA, body: { name: null }, status: 400, field: 'name', message: /must be a string/ },
  { name: 'PATCH server unknown field', method: 'PATCH', path: serverA, body: { probes: [] }, status: 400, field: 'probes', message: /not a known field/ },
  { name: 'PATCH server stale version', method: 'PATCH', path: serverA, body: { version: 1, site: 'x' }, status: 409, field: 'version', message: /you sent version 1, current is 2/ },
  { name: 'PATCH server duplicate thresholds', method: 'PATCH', path: serverA, body: { thresholds: [threshold({ kind: 'connectTime', value: 300 }), threshold({ kind: 'connectTime', value: 500 })] }, status: 400, field: 'thresholds[1]', message: /repeats kind connectTime/ },
  { name: 'PATCH server id not a number', method: 'PATCH', path: () => '/api/v1/servers/abc', body: { site: 'x' }, status: 400, field: 'id', message: /params: id must be an integer/ },
  { name: 'PATCH server id 0', method: 'PATCH', path: () => '/api/v1/servers/0', body: { site: 'x' }, status: 400, field: 'id', message: /at least 1/ },
  { name: 'DELETE unknown server', method: 'DELETE', path: () => '/api/v1/servers/999999', status: 404, field: undefined, message: /server 999999 does not exist/ },
  // --- probes: POST
  { name: 'probe without host', method: 'POST', path: probesOfA, body: { name: 'x', port: 80 }, status: 400, field: 'host', message: /is required/ },
  { name: 'probe without port', method: 'POST', path: probesOfA, body: { name: 'x', host: '127.0.0.1' }, status: 400, field: 'port', message: /is required/ },
  { name: 'probe without name', method: 'POST', path: probesOfA, body: { host: '127.0.0.1', port: 80 }, status: 400, field: 'name', message: /is required/ },
  { name: 'port as a string "80"', method: 'POST', path: probesOfA, body: probe({ port: '80' }), status: 400, field: 'port', message: /must be an integer/ },
  { name: 'port 0', method: 'POST', path: probesOfA, body: probe({ port: 0 }), status: 400, field: 'port', message: /between 1 and 65535/ },
  { name: 'port 65536', method: 'POST', path: probesOfA, body: probe({ port: 65536 }), status: 400, field: 'port', message: /between 1 and 65535/ },
  { name: 'port a fraction', method: 'POST', path: probesOfA, body: probe({ port: 80.5 }), status: 400, field: 'port', message: /must be an integer/ },
  { name: 'port null', method: 'POST', path: probesOfA, body: probe({ port: null }), status: 400, field: 'port', message: /must be an integer/ },
  { name: 'host with a space', method: 'POST', path: probesOfA, body: probe({ host: 'bad host' }), status: 400, field: 'host', message: /RFC 1123/ },
  { name: 'host with an underscore', method: 'POST', path: probesOfA, body: probe({ host: 'under_score.example.com' }), status: 400, field: 'host', message: /RFC 1123/ },
  { name: 'host with a numeric top-level label', method: 'POST', path: probesOfA, body: probe({ host: '1.2.3.999' }), status: 400, field: 'host', message: /RFC 1123/ },
  { name: 'host label of 64 characters', method: 'POST', path: probesOfA, body: probe({ host: `${'a'.repeat(64)}.example.com` }), status: 400, field: 'host', message: /labels of 1-63/ },
  { name: 'host label starting with a hyphen', method: 'POST', path: probesOfA, body: probe({ host: '-db.example.com' }), status: 400, field: 'host', message: /RFC 1123/ },
  { name: 'host of 254 characters', method: 'POST', path: probesOfA, body: probe({ host: `${'a'.repeat(50)}.`.repeat(4) + 'b'.repeat(38) + '.example.com' }), status: 400, field: 'host', message: /at most 253 characters/ },
  { name: 'host empty', method: 'POST', path: probesOfA, body: probe({ host: '' }), status: 400, field: 'host', message: /must not be empty/ },
  { name: 'host a URL', method: 'POST', path: probesOfA, body: probe({ host: 'http://db.example.com' }), status: 400, field: 'host', message: /RFC 1123/ },
  { name: 'host outside GATEWAY_ALLOWED_TARGETS', method: 'POST', path: probesOfA, body: probe({ host: '10.1.2.3' }), status: 400, field: 'host', message: /"10\.1\.2\.3" is outside .*GATEWAY_ALLOWED_TARGETS/ },
  { name: 'IPv6 host outside GATEWAY_ALLOWED_TARGETS', method: 'POST', path: probesOfA, body: probe({ host: '2001:db8::1' }), status: 400, field: 'host', message: /GATEWAY_ALLOWED_TARGETS/ },
  { name: 'intervalSeconds 0', method: 'POST', path: probesOfA, body: probe({ intervalSeconds: 0 }), status: 400, field: 'intervalSeconds', message: /between 1 and 86400/ },
  { name: 'intervalSeconds 86401', method: 'POST', path: probesOfA, body: probe({ intervalSeconds: 86401 }), status: 400, field: 'intervalSeconds', message: /between 1 and 86400/ },
  { name: 'intervalSeconds as a string', method: 'POST', path: probesOfA, body: probe({ intervalSeconds: '60' }), status: 400, field: 'intervalSeconds', message: /must be an integer/ },
  { name: 'timeoutMs 99', method: 'POST', path: probesOfA, body: probe({ timeoutMs: 99 }), status: 400, field: 'timeoutMs', message: /between 100 and 60000/ },
  { name: 'timeoutMs 60001', method: 'POST', path: probesOfA, body: probe({ timeoutMs: 60001 }), status: 400, field: 'timeoutMs', message: /between 100 and 60000/ },
  { name: 'timeoutMs as a string', method: 'POST', path: probesOfA, body: probe({ timeoutMs: '500' }), status: 400, field: 'timeoutMs', message: /must be an integer or null/ },
  { name: 'timeoutMs equal to the interval', method: 'POST', path: probesOfA, body: probe({ intervalSeconds: 5, timeoutMs: 5000 }), status: 400, field: 'timeoutMs', message: /must be below the interval \(5000 ms\)/ },
  { name: 'interval not above the inherited server timeout', method: 'POST', path: probesOfA, body: probe({ intervalSeconds: 2 }), status: 400, field: 'intervalSeconds', message: /longer than the server's connect timeout \(2000 ms\)/ },
  { name: 'windowBegin 24:00', method: 'POST', path: probesOfA, body: probe({ windowBegin: '24:00', windowEnd: '01:00' }), status: 400, field: 'windowBegin', message: /HH:MM/ },
  { name: 'windowBegin without a leading zero', method: 'POST', path: probesOfA, body: probe({ windowBegin: '7:00', windowEnd: '09:00' }), status: 400, field: 'windowBegin', message: /HH:MM/ },
  { name: 'windowEnd minute 60', method: 'POST', path: probesOfA, body: probe({ windowBegin: '07:00', windowEnd: '12:60' }), status: 400, field: 'windowEnd', message: /HH:MM/ },
  { name: 'windowBegin without windowEnd', method: 'POST', path: probesOfA, body: probe({ windowBegin: '22:00' }), status: 400, field: 'windowEnd', message: /required when the other end/ },
  { name: 'windowEnd without windowBegin', method: 'POST', path: probesOfA, body: probe({ windowEnd: '06:00' }), status: 400, field: 'windowBegin', message: /required when the other end/ },
  { name: 'unknown scheduleId', method: 'POST', path: probesOfA, body: probe({ scheduleId: 999999 }), status: 400, field: 'scheduleId', message: /schedule 999999, which does not exist/ },
  { name: 'scheduleId as a string', method: 'POST', path: probesOfA, body: probe({ scheduleId: 'office' }), status: 400, field: 'scheduleId', message: /must be an integer or null/ },
  { name: 'probe name taken on this server', method: 'POST', path: probesOfA, body: probe({ name: 'p1' }), status: 409, field: 'name', message: /already used by another probe of this server/ },
  { name: 'probe unknown field', method: 'POST', path: probesOfA, body: probe({ target: 'x:1' }), status: 400, field: 'target', message: /not a known field/ },
  { name: 'probe read-only field effectiveTimeoutMs', method: 'POST', path: probesOfA, body: probe({ effectiveTimeoutMs: 300 }), status: 400, field: 'effectiveTimeoutMs', message: /not a known field/ },
  { name: 'probe serverId in the body', method: 'POST', path: probesOfA, body: probe({ serverId: 1 }), status: 400, field: 'serverId', message: /not a known field/ },
  { name: 'probe owner 129 characters', method: 'POST', path: probesOfA, body: probe({ owner: 'o'.repeat(129) }), status: 400, field: 'owner', message: /at most 128 characters/ },
  { name: 'probe duplicate thresholds', method: 'POST', path: probesOfA, body: probe({ thresholds: [threshold({ level: 'critical' }), threshold({ level: 'critical', for: '1m' })] }), status: 400, field: 'thresholds[1]', message: /repeats kind availability at level critical/ },
  { name: 'probe connectTime threshold without value', method: 'POST', path: probesOfA, body: probe({ thresholds: [threshold({ kind: 'connectTime', level: 'critical' })] }), status: 400, field: 'thresholds[0].value', message: /milliseconds/ },
  { name: 'probe of an unknown server', method: 'POST', path: () => '/api/v1/servers/999999/probes', body: probe(), status: 404, field: undefined, message: /server 999999 does not exist/ },
  // --- probes: PUT, PATCH, DELETE
  { name: 'PUT probe without port', method: 'PUT', path: p1, body: { name: 'p1', host: '127.0.0.1' }, status: 400, field: 'port', message: /is required/ },
  { name: 'PUT probe port as a string', method: 'PUT', path: p1, body: probe({ name: 'p1', port: '5432' }), status: 400, field: 'port', message: /must be an integer/ },
  { name: 'PUT probe stale version', method: 'PUT', path: p1, body: probe({ name: 'p1', intervalSeconds: 5, version: 1 }), status: 409, field: 'version', message: /changed by someone else/ },
  { name: 'PUT probe renamed onto a sibling', method: 'PUT', path: p1, body: probe({ name: 'p2', intervalSeconds: 5 }), status: 409, field: 'name', message: /already used/ },
  { name: 'PUT probe unknown', method: 'PUT', path: () => '/api/v1/probes/999999', body: probe(), status: 404, field: undefined, message: /probe 999999 does not exist/ },
  { name: 'PATCH probe port 70000', method: 'PATCH', path: p1, body: { port: 70000 }, status: 400, field: 'port', message: /between 1 and 65535/ },
  { name: 'PATCH probe interval under the inherited timeout', method: 'PATCH', path: p1, body: { intervalSeconds: 1 }, status: 400, field: 'intervalSeconds', message: /longer than the server's connect timeout/ },
  { name: 'PATCH probe own timeout reaching the interval', method: 'PATCH', path: p2, body: { intervalSeconds: 1 }, status: 400, field: 'timeoutMs', message: /below the interval \(1000 ms\)/ },
  { name: 'PATCH probe windowBegin alone', method: 'PATCH', path: p1, body: { windowBegin: '22:00' }, status: 400, field: 'windowEnd', message: /required when the other end/ },
  { name: 'PATCH probe host outside the allowlist', method: 'PATCH', path: p2, body: { host: '198.51.100.7' }, status: 400, field: 'host', message: /GATEWAY_ALLOWED_TARGETS/ },
  { name: 'PATCH probe unknown scheduleId', method: 'PATCH', path: p1, body: { scheduleId: 424242 }, status: 400, field: 'scheduleId', message: /does not exist/ },
  { name: 'PATCH probe stale version', method: 'PATCH', path: p1, body: { version: 1, port: 5433 }, status: 409, field: 'version', message: /current is 2/ },
  { name: 'PATCH probe enabled as a number', method: 'PATCH', path: p1, body: { enabled: 1 }, status: 400, field: 'enabled', message: /must be a boolean/ },
  { name: 'PATCH probe bad runbookUrl', method: 'PATCH', path: p1, body: { thresholds: [threshold({ runbookUrl: 'javascript:alert(1)' })] }, status: 400, field: 'thresholds[0].runbookUrl', message: /http\(s\) URL/ },
  { name: 'PATCH unknown probe', method: 'PATCH', path: () => '/api/v1/probes/999999', body: { port: 1 }, status: 404, field: undefined, message: /probe 999999 does not exist/ },
  { name: 'DELETE unknown probe', method: 'DELETE', path: () => '/api/v1/probes/999999', status: 404, field: undefined, message: /probe 999999 does not exist/ },
  { name: 'probe list of an unknown server', method: 'GET', path: () => '/api/v1/servers/999999/probes', status: 404, field: undefined, message: /server 999999 does not exist/ },
  { name: 'probe list with enabled=maybe', method: 'GET', path: (x) => `/api/v1/servers/${x.serverA}/probes?enabled=maybe`, status: 400, field: 'enabled', message: /must be a boolean/ },
  // --- schedules
  { name: 'schedule without timeZone', method: 'POST', path: schedules, body: { name: 'x' }, status: 400, field: 'timeZone', message: /is required/ },
  { name: 'schedule unknown time zone', method: 'POST', path: schedules, body: schedule({ timeZone: 'Mars/Olympus_Mons' }), status: 400, field: 'timeZone', message: /not an IANA time zone/ },
  { name: 'schedule empty time zone', method: 'POST', path: schedules, body: schedule({ timeZone: '' }), status: 400, field: 'timeZone', message: /must not be empty/ },
  { name: 'exclusion 30 February', method: 'POST', path: schedules, body: schedule({ exclusions: ['2026-12-24', '2026-02-30'] }), status: 400, field: 'exclusions[1]', message: /"2026-02-30" is not a calendar date/ },
  { name: 'exclusion 29 February of a common year', method: 'POST', path: schedules, body: schedule({ exclusions: ['2027-02-29'] }), status: 400, field: 'exclusions[0]', message: /not a calendar date/ },
  { name: 'exclusion month 13', method: 'POST', path: schedules, body: schedule({ exclusions: ['2026-13-01'] }), status: 400, field: 'exclusions[0]', message: /date YYYY-MM-DD/ },
  { name: 'exclusion repeated', method: 'POST', path: schedules, body: schedule({ exclusions: ['2026-12-24', '2026-12-24'] }), status: 400, field: 'exclusions', message: /must not repeat an entry/ },
  { name: 'window with an unknown day', method: 'POST', path: schedules, body: schedule({ windows: [{ days: ['mon', 'funday'], begin: '08:00', end: '17:00' }] }), status: 400, field: 'windows[0].days[1]', message: /one of "mon", "tue"/ },
  { name: 'window without days', method: 'POST', path: schedules, body: schedule({ windows: [{ days: [], begin: '08:00', end: '17:00' }] }), status: 400, field: 'windows[0].days', message: /at least 1 entries/ },
  { name: 'window day repeated', method: 'POST', path: schedules, body: schedule({ windows: [{ days: ['mon', 'mon'], begin: '08:00', end: '17:00' }] }), status: 400, field: 'windows[0].days', message: /must not repeat/ },
  { name: 'window begin 25:00', method: 'POST', path: schedules, body: schedule({ windows: [{ days: ['mon'], begin: '25:00', end: '17:00' }] }), status: 400, field: 'windows[0].begin', message: /HH:MM/ },
  { name: 'window without end', method: 'POST', path: schedules, body: schedule({ windows: [{ days: ['mon'], begin: '08:00' }] }), status: 400, field: 'windows[0].end', message: /is required/ },
  { name: 'window unknown field', method: 'POST', path: schedules, body: schedule({ windows: [{ days: ['mon'], begin: '08:00', end: '09:00', tz: 'UTC' }] }), status: 400, field: 'windows[0].tz', message: /not a known field/ },
  { name: 'schedule name taken', method: 'POST', path: schedules, body: schedule({ name: 'office' }), status: 409, field: 'name', message: /already used by another schedule/ },
  { name: 'schedule unknown field', method: 'POST', path: schedules, body: schedule({ probes: [] }), status: 400, field: 'probes', message: /not a known field/ },
  { name: 'PUT schedule stale version', method: 'PUT', path: office, body: schedule({ name: 'office', version: 1 }), status: 409, field: 'version', message: /changed by someone else/ },
  { name: 'PUT schedule bad time zone', method: 'PUT', path: office, body: schedule({ name: 'office', timeZone: 'Europe/Atlantis' }), status: 400, field: 'timeZone', message: /IANA/ },
  { name: 'PUT schedule renamed onto another', method: 'PUT', path: office, body: schedule({ name: 'spare' }), status: 409, field: 'name', message: /already used/ },
  { name: 'PUT unknown schedule', method: 'PUT', path: () => '/api/v1/schedules/999999', body: schedule(), status: 404, field: undefined, message: /schedule 999999 does not exist/ },
  { name: 'DELETE a schedule in use', method: 'DELETE', path: office, status: 409, field: 'id', message: /used by 1 probe/ },
  { name: 'DELETE unknown schedule', method: 'DELETE', path: () => '/api/v1/schedules/999999', status: 404, field: undefined, message: /schedule 999999 does not exist/ },
  // --- whole requests
  { name: 'body not JSON', method: 'POST', path: servers, body: '{"name": "x",', status: 400, field: undefined, message: /not valid JSON/ },
  { name: 'body empty with a JSON content type', method: 'POST', path: servers, body: '', status: 400, field: undefined, message: /cannot be empty/ },
  { name: 'body a JSON list', method: 'POST', path: servers, body: '[{"name":"x"}]', status: 400, field: '(body)', message: /must be an object/ },
  { name: 'body a JSON string', method: 'POST', path: servers, body: '"x"', status: 400, field: '(body)', message: /must be an object/ },
  { name: 'body as text/plain', method: 'POST', path: servers, body: 'name=x', headers: { 'content-type': 'text/plain' }, status: 400, field: '(body)', message: /must be an object/ },
  { name: 'body as XML', method: 'POST', path: servers, body: '<server name="x"/>', headers: { 'content-type': 'application/xml' }, status: 415, field: undefined, message: /application\/xml is not accepted/ },
  { name: 'body as YAML outside /import', method: 'POST', path: servers, body: 'name: x\n', headers: { 'content-type': 'application/yaml' }, status: 415, field: undefined, message: /not accepted; send application\/json/ },
  { name: 'body above GATEWAY_BODY_LIMIT_BYTES', method: 'POST', path: servers, body: server({ description: 'd'.repeat(BODY_LIMIT) }), status: 413, field: undefined, message: new RegExp(`larger than the ${BODY_LIMIT} bytes`) },
  { name: 'probe body above GATEWAY_BODY_LIMIT_BYTES', method: 'POST', path: probesOfA, body: probe({ thresholds: Array.from({ length: 20 }, () => threshold({ contactPoint: 'c'.repeat(190) })) }), status: 413, field: undefined, message: /larger than/ },
  { name: 'write without a token', method: 'POST', path: servers, body: server(), noToken: true, status: 401, field: undefined, message: /Authorization: Bearer/ },
  { name: 'delete without a token', method: 'DELETE', path: serverA, noToken: true, status: 401, field: undefined, message: /Bearer/ },
  { name: 'list with limit 0', method: 'GET', path: () => '/api/v1/servers?limit=0', status: 400, field: 'limit', message: /between 1 and 1000/ },
  { name: 'list with an unknown filter', method: 'GET', path: () => '/api/v1/servers?colour=red', status: 400, field: 'colour', message: /not a known field/ },
  { name: 'export in an unknown format', method: 'GET', path: () => '/api/v1/export?format=xml', status: 400, field: 'format', message: /one of "json", "yaml"/ },
  // --- import (more in config-document.test.ts)
  { name: 'import in an unknown mode', method: 'POST', path: () => '/api/v1/import?mode=overwrite', body: DOC, status: 400, field: 'mode', message: /one of "merge", "replace"/ },
  { name: 'import with a wrong apiVersion', method: 'POST', path: () => '/api/v1/import', body: { ...DOC, apiVersion: 'probekit/v0' }, status: 400, field: 'apiVersion', message: /must be "probekit\/v1"/ },
  { name: 'import with a bad port deep inside', method: 'POST', path: () => '/api/v1/import', body: { ...DOC, servers: [{ name: 'srv-a', probes: [{ name: 'p1', host: '127.0.0.1', port: 5432, intervalSeconds: 5 }, { name: 'p9', host: '127.0.0.1', port: '80' }] }] }, status: 400, field: 'servers[0].probes[1].port', message: /must be an integer/ },
  { name: 'import that would change srv-a but denies a host', method: 'POST', path: () => '/api/v1/import', body: { ...DOC, servers: [{ name: 'srv-a', description: 'changed', probes: [{ name: 'p9', host: '10.9.9.9', port: 80 }] }] }, status: 400, field: 'servers[0].probes[0].host', message: /GATEWAY_ALLOWED_TARGETS/ },
];

describe('bad input is refused, names the field and the rule, and changes nothing', () => {
  it('has a table of at least 40 rows', () => {
    expect(rows.length).toBeGreaterThanOrEqual(40);
    expect(new Set(rows.map((r) => r.name)).size).toBe(rows.length);
  });

  it.each(rows)('$method $name → $status $field', async (row) => {
    const before = await snapshot(gw.api);
    const body = typeof row.body === 'function' ? (row.body as (x: Fixtures) => unknown)(f) : row.body;
    const client = row.noToken ? gw.api.withToken(null) : gw.api;
    const response = await client.request(row.method, row.path(f), body, row.headers ?? {});

    expect(response.status, JSON.stringify(response.body)).toBe(row.status);
    expect(response.body).toMatchObject({ statusCode: row.status });
    expect(response.body.field, JSON.stringify(response.body)).toBe(row.field);
    expect(response.body.message).toMatch(row.message);
    if (row.field !== undefined) {
      // The first problem is the one in `field`; for a 400, `message` is that problem in words.
      expect(response.body.problems[0].field).toBe(row.field);
      if (row.status === 400) expect(response.body.message).toContain(`${row.field} ${response.body.problems[0].message}`);
    }

    const after = await snapshot(gw.api);
    expect(after.exported).toBe(before.exported);
    expect(after.state).toBe(before.state);
  });

  it('lists every problem of a body, not only the first', async () => {
    const response = await gw.api.post(`/api/v1/servers/${f.serverA}/probes`, { name: '', host: 'bad host', port: '80', colour: 'red' });
    expect(response.status).toBe(400);
    expect(response.body.problems.map((p: { field: string }) => p.field).sort()).toEqual(['colour', 'host', 'name', 'port']);
  });

  it('fixtures are still what they were (sanity of the table itself)', async () => {
    const probe1 = (await gw.api.get(`/api/v1/probes/${f.p1}`)).body;
    expect(probe1).toMatchObject({ name: 'p1', port: 5432, intervalSeconds: 5, version: 2, scheduleId: f.schedule });
    expect((await gw.api.get(`/api/v1/servers/${f.serverA}`)).body).toMatchObject({ name: 'srv-a', connectTimeoutMs: 2000, version: 2, probeCount: 2 });
    expect((await gw.api.get('/api/v1/servers')).body.total).toBe(2);
    expect((await gw.api.get('/api/v1/schedules')).body.total).toBe(2);
  });
});
