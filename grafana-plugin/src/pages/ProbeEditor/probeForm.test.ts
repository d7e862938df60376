// The probe form's values and rules. Its rules are the gateway's: for a table of bad inputs the form's message is the
// one the real gateway's 400 gives that field, and what the form lets through the gateway takes.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Probe, ProbeServer } from '../../api/types';
import { sentence } from '../../forms/gatewayFormErrors';
import { startTestGateway, type TestGateway } from '../../test/gatewayHarness';
import { isIntervalChoice, probeFormFieldOf, probeFormSchema, timeoutInWords, toCheckInput, toProbeFormValues, toProbeInput, type ProbeFormValues } from './probeForm';

let gateway: TestGateway;
let server: ProbeServer;
beforeAll(async () => {
  gateway = await startTestGateway({ GATEWAY_ALLOWED_TARGETS: '127.0.0.0/8' });
  server = await gateway.seed.createServer({ name: 'contract' });
});
afterAll(async () => {
  await gateway?.close();
});

const SERVER_TIMEOUT_MS = 2000; // the gateway's default, which `server` has
const context = { owner: 'bob', serverConnectTimeoutMs: SERVER_TIMEOUT_MS };

const stored: Probe = {
  id: 4,
  serverId: 2,
  name: 'db',
  description: 'primary',
  owner: 'alice',
  scheduleId: 3,
  windowBegin: '22:00',
  windowEnd: '06:00',
  intervalSeconds: 90,
  host: 'db.example',
  port: 5432,
  timeoutMs: null,
  enabled: false,
  thresholds: [],
  effectiveTimeoutMs: 2000,
  actualHost: 'db1.example',
  actualIpv4: '10.0.0.5',
  actualIp: '10.0.0.5',
  tls: null,
  dialogue: null,
  ipVersion: 'auto',
  lastResult: null,
  version: 7,
  createdAt: '2026-01-01T00:00:00.000Z',
  createdBy: 'alice',
  updatedAt: '2026-01-01T00:00:00.000Z',
  updatedBy: 'alice',
};

describe('probe form values', () => {
  test("a new probe: owner is the signed-in user, every 5 minutes, the server's connect timeout, enabled", () => {
    expect(toProbeFormValues(undefined, context)).toMatchObject({
      owner: 'bob',
      scheduleId: null,
      intervalSeconds: 300,
      timeoutMode: 'inherit',
      timeoutMs: SERVER_TIMEOUT_MS,
      enabled: true,
    });
  });

  test("a new probe is sent as the gateway's default: timeoutMs null, which inherits the server's", async () => {
    const values = probeFormSchema(SERVER_TIMEOUT_MS).parse({ ...toProbeFormValues(undefined, context), name: 'defaults', host: '127.0.0.1', port: 80 });
    const withoutTimeout = await gateway.seed.createProbe(server.id, { name: 'no-timeout-sent', host: '127.0.0.1', port: 80 });
    const fromForm = await gateway.seed.createProbe(server.id, toProbeInput(values));
    expect(fromForm).toMatchObject({ timeoutMs: withoutTimeout.timeoutMs, effectiveTimeoutMs: withoutTimeout.effectiveTimeoutMs });
    expect(fromForm).toMatchObject({ timeoutMs: null, effectiveTimeoutMs: SERVER_TIMEOUT_MS });
  });

  test('a stored probe without its own timeout inherits the server one; an own timeout starts from it', () => {
    expect(toProbeFormValues(stored, context)).toMatchObject({ timeoutMode: 'inherit', timeoutMs: 2000, windowBegin: '22:00', scheduleId: 3, enabled: false });
    expect(toProbeFormValues({ ...stored, timeoutMs: 700, effectiveTimeoutMs: 700 }, context)).toMatchObject({ timeoutMode: 'own', timeoutMs: 700 });
  });

  test('which timeout applies, in words', () => {
    expect(timeoutInWords({ timeoutMode: 'inherit', timeoutMs: 700 }, 2000)).toBe("Uses the server's connect timeout: 2000 ms.");
    expect(timeoutInWords({ timeoutMode: 'own', timeoutMs: 700 }, 2000)).toBe("Uses its own timeout: 700 ms, not the server's connect timeout (2000 ms).");
    expect(timeoutInWords({ timeoutMode: 'own', timeoutMs: Number.NaN }, 2000)).toBe("Uses its own timeout, not the server's connect timeout (2000 ms).");
  });

  test('round trip: empty texts become null, inherit becomes timeoutMs null, names are trimmed', () => {
    const values = { ...toProbeFormValues(stored, context), name: '  db  ', description: '', owner: ' ', windowBegin: '', windowEnd: '' };
    expect(toProbeInput(values)).toEqual({
      name: 'db',
      description: null,
      owner: null,
      scheduleId: 3,
      windowBegin: null,
      windowEnd: null,
      intervalSeconds: 90,
      host: 'db.example',
      port: 5432,
      timeoutMs: null,
      enabled: false,
      ipVersion: 'auto',
      tls: null,
      dialogue: null,
    });
    expect(toProbeInput({ ...values, timeoutMode: 'own', timeoutMs: 1500 }).timeoutMs).toBe(1500);
  });

  test('the connection test sends its own timeout only when the probe has one, and the deeper check as typed', () => {
    const plain = { host: 'h', port: 80, serverId: 2, ipVersion: 'auto', tls: null, dialogue: null };
    expect(toCheckInput({ ...valid(), host: ' h ', timeoutMode: 'inherit', timeoutMs: 5000 }, 2)).toEqual(plain);
    expect(toCheckInput({ ...valid(), host: 'h', timeoutMode: 'own', timeoutMs: 700 }, 2)).toEqual({ ...plain, timeoutMs: 700 });
    const deep = { ...valid(), host: 'h', ipVersion: '6' as const, tlsEnabled: true, tlsServerName: ' mail.example ', tlsVerify: false, tlsMinVersion: 'TLSv1.2' as const };
    expect(toCheckInput({ ...deep, dialogue: [{ kind: 'send', text: 'EHLO x\\r\\n', encoding: 'utf8' }, { kind: 'startTls', text: '', encoding: 'utf8' }] }, 2)).toEqual({
      ...plain,
      ipVersion: '6',
      tls: { serverName: 'mail.example', verify: false, minVersion: 'TLSv1.2' },
      dialogue: [{ send: 'EHLO x\r\n', encoding: 'utf8' }, { startTls: true }],
    });
  });

  test('a TLS probe with a dialogue loads into the form as it was saved', () => {
    const deep: Probe = {
      ...stored,
      tls: { serverName: null, verify: true, minVersion: null },
      dialogue: [{ expect: '^220 ' }, { send: '0000', encoding: 'hex' }, { send: 'QUIT\r\n', encoding: 'utf8' }, { startTls: true }],
      ipVersion: '4',
    };
    const values = toProbeFormValues(deep, context);
    expect(values).toMatchObject({
      ipVersion: '4',
      tlsEnabled: true,
      tlsServerName: '',
      tlsVerify: true,
      tlsMinVersion: null,
      dialogue: [
        { kind: 'expect', text: '^220 ' },
        { kind: 'send', text: '0000', encoding: 'hex' },
        { kind: 'send', text: 'QUIT\\r\\n', encoding: 'utf8' },
        { kind: 'startTls' },
      ],
    });
    expect(toProbeInput(values)).toMatchObject({ tls: deep.tls, dialogue: deep.dialogue, ipVersion: '4' });
    expect(toProbeInput(toProbeFormValues(stored, context))).toMatchObject({ tls: null, dialogue: null, ipVersion: 'auto' });
  });

  test('interval choices', () => {
    expect(isIntervalChoice(300)).toBe(true);
    expect(isIntervalChoice(90)).toBe(false);
  });
});

/** The form's message per field, the first for each as the form shows it. */
function formMessages(values: ProbeFormValues): Record<string, string> {
  const parsed = probeFormSchema(SERVER_TIMEOUT_MS).safeParse(values);
  const messages: Record<string, string> = {};
  for (const issue of parsed.error?.issues ?? []) messages[issue.path.join('.')] ??= issue.message;
  return messages;
}

const valid = (): ProbeFormValues => ({ ...toProbeFormValues(undefined, context), name: 'contract', host: '127.0.0.1', port: 80 });
const own = (timeoutMs: number, intervalSeconds = 300): Partial<ProbeFormValues> => ({ timeoutMode: 'own', timeoutMs, intervalSeconds });

const refused: Array<[string, Partial<ProbeFormValues>, string]> = [
  ['an empty name', { name: '  ' }, 'name'],
  ['a name of 129 characters', { name: 'n'.repeat(129) }, 'name'],
  ['a description of 1025 characters', { description: 'd'.repeat(1025) }, 'description'],
  ['an owner of 129 characters', { owner: 'o'.repeat(129) }, 'owner'],
  ['an empty host', { host: '' }, 'host'],
  ['a host with a space and a "!"', { host: 'bad host!' }, 'host'],
  ['a host of 254 characters', { host: 'h'.repeat(254) }, 'host'],
  ['no port', { port: Number.NaN }, 'port'],
  ['port 0', { port: 0 }, 'port'],
  ['port 99999', { port: 99999 }, 'port'],
  ['port 80.5', { port: 80.5 }, 'port'],
  ['an interval of 0 s', { intervalSeconds: 0 }, 'intervalSeconds'],
  ['an interval of 86401 s', { intervalSeconds: 86401 }, 'intervalSeconds'],
  ['an interval of 1.5 s', { intervalSeconds: 1.5 }, 'intervalSeconds'],
  ['a window begin of 25:00', { windowBegin: '25:00', windowEnd: '06:00' }, 'windowBegin'],
  ['a window begin without an end', { windowBegin: '22:00' }, 'windowEnd'],
  ['an own timeout of 50 ms', own(50), 'timeoutMs'],
  ['an own timeout of 60001 ms', own(60001), 'timeoutMs'],
  ['an own timeout of 100.5 ms', own(100.5), 'timeoutMs'],
  ['an own timeout not below the interval', own(5000, 5), 'timeoutMs'],
  ["an interval not above the server's timeout it inherits", { intervalSeconds: 2 }, 'intervalSeconds'],
  ['IPv6 only for an IPv4 address', { ipVersion: '6' }, 'ipVersion'],
  ['a TLS server name with a space', { tlsEnabled: true, tlsServerName: 'mail example' }, 'tls.serverName'],
  ['an expect that does not compile', { dialogue: [{ kind: 'send', text: 'x', encoding: 'utf8' }, { kind: 'expect', text: '^(220', encoding: 'utf8' }] }, 'dialogue[1].expect'],
  ['an empty expect', { dialogue: [{ kind: 'expect', text: '', encoding: 'utf8' }] }, 'dialogue[0].expect'],
  ['an odd number of hex digits', { dialogue: [{ kind: 'send', text: 'abc', encoding: 'hex' }] }, 'dialogue[0].send'],
  ['a send of 4097 bytes', { dialogue: [{ kind: 'send', text: 'x'.repeat(4097), encoding: 'utf8' }] }, 'dialogue[0].send'],
  ['two STARTTLS steps', { dialogue: [{ kind: 'startTls', text: '', encoding: 'utf8' }, { kind: 'startTls', text: '', encoding: 'utf8' }] }, 'dialogue[1].startTls'],
];

/** The form path a gateway field is shown on, as the form's issues name it. */
const formPath = (field: string) => probeFormFieldOf(field) ?? field;

describe("the form refuses what the gateway refuses, on the same field, in the gateway's words", () => {
  test.each(refused)('%s', async (_case, change, field) => {
    const values = { ...valid(), ...change };
    const answer = await gateway.seed.send('POST', `/api/v1/servers/${server.id}/probes`, toProbeInput(values));
    expect(answer.status).toBe(400);
    const problem = (answer.body.problems as Array<{ field: string; message: string }>).find((p) => p.field === field);
    expect(problem).toBeDefined();
    expect(formMessages(values)).toEqual({ [formPath(field)]: sentence(problem!.message) });
  });

  test('every wrong field at once: name, host and port 99999', () => {
    expect(formMessages({ ...valid(), name: '', host: 'bad host!', port: 99999 })).toEqual({
      name: 'Must not be empty',
      host: 'Must be a DNS name (RFC 1123) or an IPv4/IPv6 address',
      port: 'Must be between 1 and 65535',
    });
  });

  test('an empty own timeout is refused: sent as null, it would silently inherit the server one', () => {
    expect(formMessages({ ...valid(), ...own(Number.NaN) })).toEqual({ timeoutMs: 'Must be an integer or null' });
  });

  test('a rule across fields waits for the fields it compares: a refused interval is not also compared', () => {
    expect(formMessages({ ...valid(), ...own(5000, 0) })).toEqual({ intervalSeconds: 'Must be between 1 and 86400' });
  });
});

test('what the form accepts the gateway takes: every field at its limit', async () => {
  const values: ProbeFormValues = {
    name: 'n'.repeat(128),
    description: 'd'.repeat(1024),
    owner: 'o'.repeat(128),
    scheduleId: null,
    windowBegin: '23:59',
    windowEnd: '00:00',
    intervalSeconds: 86400,
    host: '127.0.0.1',
    port: 65535,
    timeoutMode: 'own',
    timeoutMs: 60000,
    enabled: false,
    ipVersion: '4',
    tlsEnabled: true,
    tlsServerName: 'mail.example.org',
    tlsVerify: false,
    tlsMinVersion: 'TLSv1.3',
    dialogue: [
      { kind: 'expect', text: 'e'.repeat(1024), encoding: 'utf8' },
      { kind: 'send', text: 'ff'.repeat(4096), encoding: 'hex' },
      { kind: 'send', text: 'x'.repeat(4094) + '\\r\\n', encoding: 'utf8' },
      ...Array.from({ length: 12 }, () => ({ kind: 'expect' as const, text: '^250 ', encoding: 'utf8' as const })),
      { kind: 'startTls', text: '', encoding: 'utf8' },
    ],
  };
  const parsed = probeFormSchema(SERVER_TIMEOUT_MS).parse(values);
  const answer = await gateway.seed.send('POST', `/api/v1/servers/${server.id}/probes`, toProbeInput(parsed));
  expect(answer.status).toBe(201);
  expect(toProbeFormValues(answer.body as Probe, context)).toEqual(values);
});
