// checkProbe end to end against loopback services: plain requests keep the plain check's result, TLS at connect,
// TLS within a dialogue (STARTTLS), one timeout for the whole check naming its stage, no socket left behind.
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkProbe } from '../../src/probing/check.js';
import { createResolver } from '../../src/probing/resolve.js';
import type { AccountMaterial, CheckRequest, CheckResult, DialogueStep } from '../../src/probing/types.js';
import { testCertificates, type TestCertificates } from '../helpers/certs.js';
import { SMTP_STARTTLS as SMTP_UPGRADE, startSmtpLikeServer, type SmtpLikeServer } from '../helpers/dialogue-servers.js';
import { startListener, type TestListener } from '../helpers/listeners.js';
import { startSilentListener, startTlsServer, type TestTlsServer } from '../helpers/tls-servers.js';

const resolver = createResolver();
const check = (request: CheckRequest) => checkProbe(request, { resolver });

const PLAIN_KEYS = ['actualAddress', 'actualHost', 'actualIpv4', 'connectMs', 'dnsMs', 'error', 'outcome', 'startedAt'];
const DEEP_KEYS = [...PLAIN_KEYS, 'responseMs', 'tls', 'transcript'].sort();

/** Up to the upgrade, then EHLO again inside TLS, where the server offers AUTH. */
const SMTP_STARTTLS: DialogueStep[] = [...SMTP_UPGRADE, { send: 'EHLO probekit\r\n' }, { expect: '^250 AUTH' }];

let certs: TestCertificates;
let account: AccountMaterial;
let valid: TestTlsServer;
let expired: TestTlsServer;
let selfSigned: TestTlsServer;
let clientCertRequired: TestTlsServer;
let smtpsLike: TestTlsServer;
let smtp: SmtpLikeServer;
let plain: TestListener;
let silent: { port: number; close(): Promise<void> };
let closedPort: number;

beforeAll(async () => {
  certs = await testCertificates();
  account = { caBundle: certs.ca.cert, clientCert: null, clientKey: null, username: null, password: null };
  valid = await startTlsServer({ certificate: certs.leaf });
  expired = await startTlsServer({ certificate: certs.expired });
  selfSigned = await startTlsServer({ certificate: certs.selfSigned });
  clientCertRequired = await startTlsServer({ certificate: certs.leaf, clientCa: certs.clientCa.cert });
  smtpsLike = await startTlsServer({ certificate: certs.leaf, banner: '220 mail.test ESMTP over TLS\r\n' });
  smtp = await startSmtpLikeServer();
  plain = await startListener('127.0.0.1');
  silent = await startSilentListener();
  const closed = await startListener('127.0.0.1');
  closedPort = closed.port;
  await closed.close();
});

afterAll(async () => {
  for (const server of [valid, expired, selfSigned, clientCertRequired, smtpsLike, smtp, plain, silent]) await server.close();
});

function tlsRequest(port: number, overrides: Partial<CheckRequest> = {}): CheckRequest {
  return { host: 'localhost', port, timeoutMs: 2000, tls: { verify: true }, account, ...overrides };
}

describe('checkProbe, plain requests', () => {
  it('returns the plain check result, without the keys of deeper checks', async () => {
    for (const request of [
      { host: '127.0.0.1', port: plain.port, timeoutMs: 2000 },
      { host: '127.0.0.1', port: plain.port, timeoutMs: 2000, tls: null, dialogue: null, account },
      { host: '127.0.0.1', port: plain.port, timeoutMs: 2000, dialogue: [] },
    ]) {
      const result = await check(request);
      expect(result.outcome).toBe('success');
      expect(Object.keys(result).sort()).toEqual(PLAIN_KEYS);
    }
    const refused = await check({ host: '127.0.0.1', port: closedPort, timeoutMs: 2000 });
    expect(refused.outcome).toBe('refused');
    expect(Object.keys(refused).sort()).toEqual(PLAIN_KEYS);
  });
});

describe('checkProbe, TLS at connect', () => {
  it('succeeds against a valid certificate, with the connect time and the handshake apart', async () => {
    const result = await check(tlsRequest(valid.port));
    expect(Object.keys(result).sort()).toEqual(DEEP_KEYS);
    expect(result).toMatchObject({
      outcome: 'success',
      error: null,
      actualHost: 'localhost',
      actualAddress: '127.0.0.1',
      responseMs: null,
      transcript: null,
      tls: { protocol: 'TLSv1.3', subject: 'CN=localhost, O=probekit tests', chainExpiresAt: certs.leaf.notAfter },
    });
    expect(result.connectMs).toBeGreaterThan(0);
    expect(result.tls!.handshakeMs).toBeGreaterThan(0);
  });

  it('fails an expired certificate as cert_expired and still reports the certificate', async () => {
    const result = await check(tlsRequest(expired.port));
    expect(result).toMatchObject({ outcome: 'cert_expired', error: 'TLS handshake: certificate has expired' });
    expect(result.tls?.chainExpiresAt).toBe(certs.expired.notAfter);
  });

  it('succeeds with verify off on an expired certificate, recording its expiry', async () => {
    const result = await check(tlsRequest(expired.port, { tls: { verify: false }, account: null }));
    expect(result).toMatchObject({ outcome: 'success', error: null, tls: { chainExpiresAt: certs.expired.notAfter } });
    expect(result.tls!.chainExpiresAt).toBeLessThan(result.startedAt);
  });

  it('trusts a self-signed certificate through the account CA bundle, and only then', async () => {
    const trusted = await check(tlsRequest(selfSigned.port, { account: { ...account, caBundle: certs.selfSigned.cert } }));
    expect(trusted.outcome).toBe('success');
    const untrusted = await check(tlsRequest(selfSigned.port));
    expect(untrusted).toMatchObject({ outcome: 'cert_untrusted', error: 'TLS handshake: self-signed certificate' });
  });

  it('passes a server that requires a client certificate with the account certificate, and fails it without', async () => {
    const withCert = await check(
      tlsRequest(clientCertRequired.port, { account: { ...account, clientCert: certs.client.cert, clientKey: certs.client.key } }),
    );
    expect(withCert.outcome).toBe('success');
    const without = await check(tlsRequest(clientCertRequired.port));
    expect(without).toMatchObject({ outcome: 'tls_error', error: 'TLS handshake: tlsv13 alert certificate required' });
  });

  it('times out a handshake against a port that never answers TLS, naming the stage, within the timeout', async () => {
    const started = performance.now();
    const result = await check(tlsRequest(silent.port, { host: '127.0.0.1', timeoutMs: 300 }));
    const tookMs = performance.now() - started;
    expect(result).toMatchObject({
      outcome: 'timeout',
      error: "TLS handshake: did not complete within the check's 300 ms timeout",
      tls: null,
      responseMs: null,
      transcript: null,
    });
    // The connect succeeded: its time stays, the timeout counted from the check's start.
    expect(result.connectMs).toBeGreaterThan(0);
    expect(tookMs).toBeGreaterThanOrEqual(295);
    expect(tookMs).toBeLessThan(600);
  });

  it('reports a failure before the handshake with the deeper keys empty', async () => {
    const refused = await check(tlsRequest(closedPort, { host: '127.0.0.1' }));
    expect(refused).toMatchObject({ outcome: 'refused', tls: null, responseMs: null, transcript: null });
    expect(Object.keys(refused).sort()).toEqual(DEEP_KEYS);
    const withDialogue = await check(tlsRequest(closedPort, { host: '127.0.0.1', dialogue: [{ expect: '^220 ' }] }));
    expect(withDialogue).toMatchObject({ outcome: 'refused', tls: null, responseMs: null, transcript: [] });
    const noName = await check(tlsRequest(valid.port, { host: 'no-such-host.invalid' }));
    expect(noName).toMatchObject({ outcome: 'dns_error', tls: null });
  });

  it('resolves with the probe ipVersion, on the deep path as on the plain one', async () => {
    const validV6 = await startTlsServer({ certificate: certs.leaf, host: '::1' });
    try {
      const overV6 = await check(tlsRequest(validV6.port, { host: '::1', ipVersion: '6' }));
      expect(overV6).toMatchObject({ outcome: 'success', actualAddress: '::1', actualIpv4: null, tls: { protocol: 'TLSv1.3' } });
    } finally {
      await validV6.close();
    }
    for (const request of [tlsRequest(valid.port, { host: '127.0.0.1', ipVersion: '6' }), { host: '127.0.0.1', port: plain.port, timeoutMs: 2000, ipVersion: '6' as const }]) {
      expect(await check(request)).toMatchObject({ outcome: 'dns_error', error: expect.stringContaining('ipVersion is 6') });
    }
  });

  it('runs the dialogue inside the TLS session', async () => {
    const result = await check(tlsRequest(smtpsLike.port, { dialogue: [{ expect: '^220 mail\\.test ESMTP over TLS$' }] }));
    expect(result).toMatchObject({ outcome: 'success', error: null, tls: { subject: 'CN=localhost, O=probekit tests' } });
    expect(result.responseMs).toBeGreaterThan(0);
    expect(result.transcript).toEqual([{ atMs: expect.any(Number), direction: 'received', text: '220 mail.test ESMTP over TLS' }]);
  });

  it('bounds handshake and dialogue together by the one timeout', async () => {
    // The handshake succeeds; the silent service then leaves the expect waiting until the check's deadline.
    const started = performance.now();
    const result = await check(tlsRequest(valid.port, { timeoutMs: 400, dialogue: [{ expect: '^never' }] }));
    const tookMs = performance.now() - started;
    expect(result).toMatchObject({ outcome: 'timeout', tls: { protocol: 'TLSv1.3' }, responseMs: null });
    expect(result.error).toMatch(/^dialogue\[0\]/);
    expect(tookMs).toBeGreaterThanOrEqual(395);
    expect(tookMs).toBeLessThan(700);
  });
});

describe('checkProbe, STARTTLS', () => {
  it('upgrades at the startTls step, verifying by default, and goes on inside TLS', async () => {
    const result = await check({ host: 'localhost', port: smtp.port, timeoutMs: 2000, dialogue: SMTP_STARTTLS, account });
    expect(result).toMatchObject({
      outcome: 'success',
      error: null,
      tls: { protocol: 'TLSv1.3', subject: 'CN=localhost, O=probekit tests', chainExpiresAt: certs.leaf.notAfter },
    });
    expect(result.responseMs).toBeGreaterThan(0);
    const transcript = result.transcript!;
    expect(transcript.map((entry) => entry.direction)).toContain('tls');
    expect(transcript.at(-1)).toMatchObject({ direction: 'received', text: '250 AUTH PLAIN' });
  });

  it('fails the startTls step on a certificate the account does not trust, keeping its details', async () => {
    const result = await check({ host: 'localhost', port: smtp.port, timeoutMs: 2000, dialogue: SMTP_STARTTLS });
    expect(result.outcome).toBe('cert_untrusted');
    expect(result.error).toMatch(/TLS handshake: unable to verify the first certificate$/);
    expect(result.tls?.subject).toBe('CN=localhost, O=probekit tests');
  });

  it('uses the probe TLS settings at the startTls step instead of the TLS at connect', async () => {
    const result = await check({ host: 'localhost', port: smtp.port, timeoutMs: 2000, dialogue: SMTP_STARTTLS, tls: { verify: false } });
    expect(result.outcome).toBe('success');
    expect(result.tls?.issuer).toBe('CN=probekit test CA');
  });
});

describe('checkProbe resources', () => {
  it('leaves no socket, descriptor or timer behind, whatever the outcome', async () => {
    const openFds = () => fs.readdirSync('/proc/self/fd').length;
    const resources = () => process.getActiveResourcesInfo().sort();
    await new Promise((resolve) => setTimeout(resolve, 100));
    const fdsBefore = openFds();
    const resourcesBefore = resources();

    const requests: CheckRequest[] = [
      tlsRequest(valid.port),
      tlsRequest(expired.port),
      tlsRequest(clientCertRequired.port),
      tlsRequest(silent.port, { timeoutMs: 100 }),
      tlsRequest(smtpsLike.port, { dialogue: [{ expect: '^220 ' }] }),
      tlsRequest(valid.port, { timeoutMs: 100, dialogue: [{ expect: '^never' }] }),
      { host: 'localhost', port: smtp.port, timeoutMs: 2000, dialogue: SMTP_STARTTLS, account },
      { host: 'localhost', port: smtp.port, timeoutMs: 2000, dialogue: SMTP_STARTTLS },
    ];
    const outcomes = new Map<string, number>();
    for (let round = 0; round < 10; round++) {
      const results: CheckResult[] = await Promise.all(requests.map(check));
      for (const result of results) outcomes.set(result.outcome, (outcomes.get(result.outcome) ?? 0) + 1);
    }
    expect(Object.fromEntries(outcomes)).toEqual({ success: 30, cert_expired: 10, tls_error: 10, timeout: 20, cert_untrusted: 10 });

    await expect.poll(resources, { timeout: 1000 }).toEqual(resourcesBefore);
    expect(openFds()).toBe(fdsBefore);
  });
});
