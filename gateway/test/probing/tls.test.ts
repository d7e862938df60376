// The TLS handshake over a connected socket against real loopback TLS servers with certificates made by openssl:
// every outcome, the details (also on certificate failures), SNI, the account's CA bundle and client certificate.
import { X509Certificate } from 'node:crypto';
import { once } from 'node:events';
import net from 'node:net';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handshake, type HandshakeOptions, type HandshakeResult } from '../../src/probing/tls.js';
import type { AccountMaterial } from '../../src/probing/types.js';
import { testCertificates, type TestCertificate, type TestCertificates } from '../helpers/certs.js';
import { startSilentListener, startTlsServer, type TestTlsServer, type TlsServerOptions } from '../helpers/tls-servers.js';

let certs: TestCertificates;
const servers: TestTlsServer[] = [];
const listeners: Array<{ close(): Promise<void> }> = [];

beforeAll(async () => {
  certs = await testCertificates();
});

afterAll(async () => {
  await Promise.all([...servers, ...listeners].map((server) => server.close()));
});

async function serve(options: TlsServerOptions): Promise<TestTlsServer> {
  const server = await startTlsServer(options);
  servers.push(server);
  return server;
}

function account(material: Partial<AccountMaterial>): AccountMaterial {
  return { caBundle: null, clientCert: null, clientKey: null, username: null, password: null, ...material };
}

async function connected(port: number, host = '127.0.0.1'): Promise<net.Socket> {
  const socket = net.connect({ host, port });
  await once(socket, 'connect');
  return socket;
}

/** Connects to `port` and shakes hands; by default verifying, as localhost, with the test CA from the account. */
async function shake(
  port: number,
  overrides: Partial<HandshakeOptions> = {},
): Promise<{ result: HandshakeResult; socket: net.Socket }> {
  const socket = await connected(port, overrides.host === '::1' ? '::1' : '127.0.0.1');
  const result = await handshake(socket, {
    settings: { verify: true },
    host: 'localhost',
    account: account({ caBundle: certs.ca.cert }),
    deadline: performance.now() + 2000,
    timeoutMs: 2000,
    stage: 'TLS handshake',
    ...overrides,
  });
  if (result.ok) result.socket.destroy();
  return { result, socket };
}

function fingerprintOf(certificate: TestCertificate): string {
  return new X509Certificate(certificate.cert).fingerprint256.replaceAll(':', '').toLowerCase();
}

describe('handshake', () => {
  it('completes against a valid certificate from the account CA and reports the handshake and the certificate', async () => {
    const server = await serve({ certificate: certs.leaf });
    const { result } = await shake(server.port);
    expect(result).toMatchObject({ ok: true });
    expect(result.details).toEqual({
      handshakeMs: expect.any(Number),
      protocol: 'TLSv1.3',
      cipher: expect.stringMatching(/^TLS_AES_\d+_GCM_SHA\d+$|^TLS_CHACHA20/),
      subject: 'CN=localhost, O=probekit tests',
      issuer: 'CN=probekit test CA',
      fingerprintSha256: fingerprintOf(certs.leaf),
      notBefore: certs.leaf.notBefore,
      notAfter: certs.leaf.notAfter,
      // The root (from the account) outlives the leaf.
      chainExpiresAt: certs.leaf.notAfter,
    });
    expect(result.details!.fingerprintSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(result.details!.handshakeMs).toBeGreaterThan(0);
    expect(result.details!.handshakeMs).toBeLessThan(500);
    expect(server.clients).toEqual([{ servername: 'localhost', clientCn: null }]);
  });

  it('reports the earliest expiry in the chain: an intermediate that expires before the leaf', async () => {
    const server = await serve({ certificate: certs.chainLeaf });
    const { result } = await shake(server.port);
    expect(result.ok).toBe(true);
    expect(result.details).toMatchObject({
      issuer: 'CN=probekit test intermediate',
      notAfter: certs.chainLeaf.notAfter,
      chainExpiresAt: certs.intermediate.notAfter,
    });
    expect(certs.intermediate.notAfter).toBeLessThan(certs.chainLeaf.notAfter);
  });

  it('sends no SNI to an IP literal and checks the certificate against its IP addresses, IPv4 and IPv6', async () => {
    const server = await serve({ certificate: certs.leaf });
    expect((await shake(server.port, { host: '127.0.0.1' })).result.ok).toBe(true);
    const serverV6 = await serve({ certificate: certs.leaf, host: '::1' });
    expect((await shake(serverV6.port, { host: '::1' })).result.ok).toBe(true);
    expect(server.clients).toEqual([{ servername: null, clientCn: null }]);
    expect(serverV6.clients).toEqual([{ servername: null, clientCn: null }]);
  });

  it('uses serverName for SNI and for the name check instead of the host', async () => {
    const server = await serve({ certificate: certs.wrongName });
    const { result } = await shake(server.port, { host: '127.0.0.1', settings: { verify: true, serverName: 'wrong.example' } });
    expect(result.ok).toBe(true);
    expect(server.clients).toEqual([{ servername: 'wrong.example', clientCn: null }]);
  });

  it('fails an expired certificate as cert_expired with the library message, keeping the certificate details', async () => {
    const server = await serve({ certificate: certs.expired });
    const { result, socket } = await shake(server.port);
    expect(result).toMatchObject({ ok: false, outcome: 'cert_expired', error: 'TLS handshake: certificate has expired' });
    expect(result.details).toMatchObject({ notAfter: certs.expired.notAfter, chainExpiresAt: certs.expired.notAfter });
    expect(result.details!.notAfter).toBeLessThan(Date.now());
    expect(socket.destroyed).toBe(true);
  });

  it('fails a valid leaf under an expired intermediate as cert_expired, the chain expiry being the intermediate one', async () => {
    const server = await serve({ certificate: certs.expiredChainLeaf });
    const { result } = await shake(server.port);
    expect(result).toMatchObject({ ok: false, outcome: 'cert_expired', error: 'TLS handshake: certificate has expired' });
    expect(result.details!.notAfter).toBeGreaterThan(Date.now());
    expect(result.details!.chainExpiresAt).toBeLessThan(Date.now());
  });

  it('succeeds with verify off on an expired certificate and still records its expiry', async () => {
    const server = await serve({ certificate: certs.expired });
    const { result } = await shake(server.port, { settings: { verify: false }, account: null });
    expect(result.ok).toBe(true);
    expect(result.details).toMatchObject({ notAfter: certs.expired.notAfter, chainExpiresAt: certs.expired.notAfter });
  });

  it('fails a certificate that is not yet valid as cert_untrusted', async () => {
    const server = await serve({ certificate: certs.notYetValid });
    const { result } = await shake(server.port);
    expect(result).toMatchObject({ ok: false, outcome: 'cert_untrusted', error: 'TLS handshake: certificate is not yet valid' });
    expect(result.details?.notBefore).toBe(certs.notYetValid.notBefore);
  });

  it('fails a certificate for another name as cert_name_mismatch, for a DNS name and for an IP', async () => {
    const server = await serve({ certificate: certs.wrongName });
    const byName = (await shake(server.port)).result;
    expect(byName).toMatchObject({ ok: false, outcome: 'cert_name_mismatch' });
    expect(byName.ok || byName.error).toMatch(/^TLS handshake: Hostname\/IP does not match certificate's altnames: Host: localhost/);
    expect(byName.details?.subject).toBe('CN=wrong.example, O=probekit tests');
    const byIp = (await shake(server.port, { host: '127.0.0.1' })).result;
    expect(byIp).toMatchObject({ ok: false, outcome: 'cert_name_mismatch' });
    expect(byIp.ok || byIp.error).toContain('IP: 127.0.0.1 is not in the cert');
  });

  it('fails a self-signed certificate as cert_untrusted, and trusts it when the account CA bundle holds it', async () => {
    const server = await serve({ certificate: certs.selfSigned });
    const untrusted = (await shake(server.port)).result;
    expect(untrusted).toMatchObject({ ok: false, outcome: 'cert_untrusted', error: 'TLS handshake: self-signed certificate' });
    expect(untrusted.details?.issuer).toBe('CN=localhost, O=probekit tests');
    const trusted = (await shake(server.port, { account: account({ caBundle: certs.selfSigned.cert }) })).result;
    expect(trusted.ok).toBe(true);
    expect(trusted.details?.chainExpiresAt).toBe(certs.selfSigned.notAfter);
  });

  it('fails a certificate from a CA that only the system roots would have to know as cert_untrusted', async () => {
    const server = await serve({ certificate: certs.leaf });
    const { result } = await shake(server.port, { account: null });
    expect(result).toMatchObject({ ok: false, outcome: 'cert_untrusted', error: 'TLS handshake: unable to verify the first certificate' });
  });

  it('keeps the system roots when an account adds its CA bundle', async () => {
    // The account's bundle is added to the roots, not put in their place: a public CA's certificate would still pass.
    const server = await serve({ certificate: certs.leaf });
    const { result } = await shake(server.port, { account: account({ caBundle: certs.clientCa.cert }) });
    expect(result).toMatchObject({ ok: false, outcome: 'cert_untrusted' });
    expect(tls.rootCertificates.length).toBeGreaterThan(50);
  });

  it('gives the messages Node itself gives when it rejects these certificates', async () => {
    for (const certificate of [certs.expired, certs.notYetValid, certs.selfSigned]) {
      const server = await serve({ certificate });
      const nodeSays = await new Promise<string>((resolve) => {
        const socket = tls.connect({ host: '127.0.0.1', port: server.port, servername: 'localhost', ca: certs.ca.cert });
        socket.on('error', (err) => resolve(err.message));
        socket.on('secureConnect', () => resolve('accepted'));
      });
      const { result } = await shake(server.port);
      expect(result.ok || result.error).toBe(`TLS handshake: ${nodeSays}`);
    }
  });

  describe('client certificates', () => {
    it('presents the account client certificate to a server that requires one', async () => {
      const server = await serve({ certificate: certs.leaf, clientCa: certs.clientCa.cert });
      const { result } = await shake(server.port, {
        account: account({ caBundle: certs.ca.cert, clientCert: certs.client.cert, clientKey: certs.client.key }),
      });
      expect(result.ok).toBe(true);
      expect(server.clients).toEqual([{ servername: 'localhost', clientCn: 'probekit client' }]);
    });

    it('fails as tls_error without a client certificate (TLS 1.3: the alert comes after the handshake)', async () => {
      const server = await serve({ certificate: certs.leaf, clientCa: certs.clientCa.cert });
      const { result } = await shake(server.port);
      expect(result).toMatchObject({ ok: false, outcome: 'tls_error', error: 'TLS handshake: tlsv13 alert certificate required' });
      // The server's certificate was seen and passed: its details stay.
      expect(result.details?.protocol).toBe('TLSv1.3');
      expect(server.clients).toEqual([]);
    });

    it('fails as tls_error without a client certificate over TLS 1.2, inside the handshake', async () => {
      const server = await serve({ certificate: certs.leaf, clientCa: certs.clientCa.cert, maxVersion: 'TLSv1.2' });
      const { result } = await shake(server.port);
      expect(result).toMatchObject({ ok: false, outcome: 'tls_error', error: 'TLS handshake: sslv3 alert handshake failure', details: null });
    });

    it('fails as tls_error when the server refuses the client certificate offered', async () => {
      const server = await serve({ certificate: certs.leaf, clientCa: certs.clientCa.cert });
      const { result } = await shake(server.port, {
        account: account({ caBundle: certs.ca.cert, clientCert: certs.strangerClient.cert, clientKey: certs.strangerClient.key }),
      });
      expect(result).toMatchObject({ ok: false, outcome: 'tls_error', error: 'TLS handshake: the server closed the connection right after the handshake' });
      expect(server.clients).toEqual([]);
    });

    it('offers no client certificate from an account that has the certificate without its key', async () => {
      const server = await serve({ certificate: certs.leaf, clientCa: certs.clientCa.cert });
      const { result } = await shake(server.port, { account: account({ caBundle: certs.ca.cert, clientCert: certs.client.cert }) });
      expect(result).toMatchObject({ ok: false, outcome: 'tls_error' });
    });
  });

  it('fails as tls_error below the minimum version the probe asks for', async () => {
    const server = await serve({ certificate: certs.leaf, maxVersion: 'TLSv1.2' });
    const tooOld = (await shake(server.port, { settings: { verify: true, minVersion: 'TLSv1.3' } })).result;
    expect(tooOld).toMatchObject({ ok: false, outcome: 'tls_error', details: null });
    expect(tooOld.ok || tooOld.error).toMatch(/^TLS handshake: .*protocol version/);
    const allowed = (await shake(server.port, { settings: { verify: true, minVersion: 'TLSv1.2' } })).result;
    expect(allowed).toMatchObject({ ok: true, details: { protocol: 'TLSv1.2', cipher: expect.stringMatching(/^TLS_ECDHE_/) } });
  });

  it('fails as tls_error against a service that answers in plain text or resets the connection', async () => {
    const plainText = net.createServer((socket) => socket.once('data', () => socket.end('SSH-2.0-OpenSSH_9.6\r\n')).on('error', () => {}));
    const resets = net.createServer((socket) => socket.once('data', () => socket.resetAndDestroy()).on('error', () => {}));
    for (const server of [plainText, resets]) await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const garbled = (await shake((plainText.address() as net.AddressInfo).port)).result;
      expect(garbled).toMatchObject({ ok: false, outcome: 'tls_error', error: 'TLS handshake: wrong version number', details: null });
      const reset = (await shake((resets.address() as net.AddressInfo).port)).result;
      expect(reset).toMatchObject({ ok: false, outcome: 'tls_error', error: 'TLS handshake: read ECONNRESET', details: null });
    } finally {
      for (const server of [plainText, resets]) server.close();
    }
  });

  it('times out at the deadline against a listener that never answers, naming the stage, and closes the socket', async () => {
    const silent = await startSilentListener();
    listeners.push(silent);
    const started = performance.now();
    const { result, socket } = await shake(silent.port, { deadline: started + 300, timeoutMs: 300 });
    const tookMs = performance.now() - started;
    expect(result).toEqual({
      ok: false,
      outcome: 'timeout',
      error: "TLS handshake: did not complete within the check's 300 ms timeout",
      details: null,
    });
    expect(tookMs).toBeGreaterThanOrEqual(295);
    expect(tookMs).toBeLessThan(600);
    expect(socket.destroyed).toBe(true);
  });

  it('times out at once when the deadline has already passed', async () => {
    const server = await serve({ certificate: certs.leaf });
    const { result } = await shake(server.port, { deadline: performance.now() - 1, timeoutMs: 100 });
    expect(result).toMatchObject({ ok: false, outcome: 'timeout' });
  });
});
