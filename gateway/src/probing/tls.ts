// A TLS handshake over a connected socket. The certificate is judged here rather than by Node (which would drop
// the connection before its details could be read), so a cert_* failure still reports the certificate and its expiry.
import type net from 'node:net';
import { isIP } from 'node:net';
import type { X509Certificate } from 'node:crypto';
import tls, { type PeerCertificate } from 'node:tls';
import type { AccountMaterial, FailureReason, TlsDetails, TlsSettings } from './types.js';

export interface HandshakeOptions {
  settings: TlsSettings;
  /** The probe's host: the SNI and the name the certificate must carry unless settings.serverName says otherwise. */
  host: string;
  /** The server's shared account: its CA bundle is trusted beside the system roots, its client certificate offered. */
  account?: AccountMaterial | null;
  /** performance.now() by which the whole check must be over. */
  deadline: number;
  /** The whole check's timeout, for the message when the deadline passes. */
  timeoutMs: number;
  /** Names the stage in error texts, e.g. "TLS handshake" or "STARTTLS handshake". */
  stage: string;
}

export type HandshakeResult =
  | { ok: true; socket: tls.TLSSocket; details: TlsDetails }
  | { ok: false; outcome: FailureReason; error: string; details: TlsDetails | null };

/**
 * Upgrades `socket` to TLS. On success the TLS socket is the caller's to use and destroy; on failure both sockets
 * are destroyed here. Never rejects.
 */
export function handshake(socket: net.Socket, options: HandshakeOptions): Promise<HandshakeResult> {
  const { settings, stage } = options;
  return new Promise((resolve) => {
    const remainingMs = options.deadline - performance.now();
    if (remainingMs <= 0) {
      socket.destroy();
      resolve({ ok: false, outcome: 'timeout', error: `${stage}: ${timedOut(options.timeoutMs)}`, details: null });
      return;
    }
    let secureContext: tls.SecureContext;
    try {
      secureContext = secureContextFor(settings.minVersion ?? null, options.account ?? null);
    } catch (err) {
      // The account's material is checked when it is saved; this is material that passed that check yet fails here.
      socket.destroy();
      resolve({ ok: false, outcome: 'error', error: `${stage}: the shared account's TLS material did not load: ${reasonOf(err)}`, details: null });
      return;
    }

    // Set when a certificate was seen, so failures after that point report it.
    let details: TlsDetails | null = null;
    let settled = false;
    let timer: NodeJS.Timeout | undefined;
    const settle = (result: HandshakeResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (!result.ok) {
        tlsSocket.destroy();
        socket.destroy();
      }
      resolve(result);
    };
    const fail = (outcome: FailureReason, message: string) => settle({ ok: false, outcome, error: `${stage}: ${message}`, details });
    const succeed = () => settle({ ok: true, socket: tlsSocket, details: details! });

    const name = settings.serverName ?? options.host;
    const started = performance.now();
    let tlsSocket: tls.TLSSocket;
    try {
      tlsSocket = tls.connect({
        socket,
        secureContext,
        // RFC 6066 allows only DNS names as SNI; an IP literal target is then checked against the certificate's IP SANs.
        servername: isIP(name) === 0 ? name : undefined,
        rejectUnauthorized: false,
        // Node's own check would use "localhost" for a socket given without a host; the name is checked below instead.
        checkServerIdentity: () => undefined,
      });
    } catch (err) {
      // Arguments Node refuses before any I/O; the probe's settings are validated, so this is not expected.
      socket.destroy();
      resolve({ ok: false, outcome: 'error', error: `${stage}: ${reasonOf(err)}`, details: null });
      return;
    }
    // These stay attached after a success: once settled they do nothing, and an error then has a listener.
    tlsSocket.on('error', (err) => fail('tls_error', reasonOf(err)));

    // TLS 1.3 finishes the client's handshake before the server has seen the client's certificate: the server's
    // verdict comes one round trip later, as session tickets (accepted), an alert (an 'error') or a closed connection.
    let awaitingVerdict = false;
    tlsSocket.on('session', () => {
      // Not from within the event: it comes from inside OpenSSL's read, and a write made there (the dialogue's next
      // send, in a microtask of ours) was seen to be lost.
      if (awaitingVerdict) setImmediate(succeed);
    });
    const closedAfterHandshake = () => {
      if (awaitingVerdict) fail('tls_error', 'the server closed the connection right after the handshake');
    };
    tlsSocket.on('end', closedAfterHandshake);
    tlsSocket.on('close', closedAfterHandshake);

    tlsSocket.once('secureConnect', () => {
      const handshakeMs = performance.now() - started;
      // The X509Certificate form parses fields when asked: getPeerCertificate(true) turned the whole chain into
      // objects, a quarter of a TLS check's CPU (0.45 of 1.86 ms).
      const certificate = tlsSocket.getPeerX509Certificate();
      if (certificate === undefined) {
        fail('tls_error', 'the server presented no certificate');
        return;
      }
      details = detailsOf(tlsSocket, certificate, handshakeMs);
      if (settings.verify) {
        const problem = verificationProblem(tlsSocket, name, certificate);
        if (problem !== null) {
          fail(problem.outcome, problem.message);
          return;
        }
      }
      if (tlsSocket.getProtocol() !== 'TLSv1.3') {
        succeed();
        return;
      }
      // A server that sends no tickets gives no sign of acceptance: twice the handshake's round trip is waited.
      awaitingVerdict = true;
      clearTimeout(timer);
      timer = setTimeout(succeed, Math.max(0, Math.min(options.deadline - performance.now(), 2 * handshakeMs + VERDICT_MARGIN_MS)));
    });

    timer = setTimeout(() => fail('timeout', timedOut(options.timeoutMs)), remainingMs);
  });
}

function timedOut(timeoutMs: number): string {
  return `did not complete within the check's ${timeoutMs} ms timeout`;
}

/** Added to the wait for a TLS 1.3 server's verdict, for the server's own work in between. */
const VERDICT_MARGIN_MS = 20;

/** What makes a certificate fail verification (chain first, then the name), or null when it passes. */
function verificationProblem(
  socket: tls.TLSSocket,
  name: string,
  certificate: X509Certificate,
): { outcome: FailureReason; message: string } | null {
  if (!socket.authorized) {
    // With rejectUnauthorized off Node keeps only OpenSSL's code of the error; its message is looked up from the code.
    const code = String(socket.authorizationError);
    const known = VERIFY_ERRORS[code];
    return { outcome: known?.[0] ?? 'cert_untrusted', message: known?.[1] ?? code };
  }
  const mismatch = tls.checkServerIdentity(name, identityOf(certificate));
  return mismatch === undefined ? null : { outcome: 'cert_name_mismatch', message: mismatch.message };
}

/**
 * OpenSSL's chain verification errors (X509_V_ERR_*, as Node names them) with OpenSSL 3's message. An expired
 * certificate anywhere in the chain is cert_expired; everything else that makes the chain untrustworthy
 * (not yet valid, self-signed, unknown issuer, bad signature, ...) is cert_untrusted, also for codes not listed.
 */
const VERIFY_ERRORS: Readonly<Record<string, readonly [FailureReason, string]>> = {
  CERT_HAS_EXPIRED: ['cert_expired', 'certificate has expired'],
  CERT_NOT_YET_VALID: ['cert_untrusted', 'certificate is not yet valid'],
  DEPTH_ZERO_SELF_SIGNED_CERT: ['cert_untrusted', 'self-signed certificate'],
  SELF_SIGNED_CERT_IN_CHAIN: ['cert_untrusted', 'self-signed certificate in certificate chain'],
  UNABLE_TO_GET_ISSUER_CERT: ['cert_untrusted', 'unable to get issuer certificate'],
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: ['cert_untrusted', 'unable to get local issuer certificate'],
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: ['cert_untrusted', 'unable to verify the first certificate'],
  CERT_SIGNATURE_FAILURE: ['cert_untrusted', 'certificate signature failure'],
  CERT_CHAIN_TOO_LONG: ['cert_untrusted', 'certificate chain too long'],
  CERT_REVOKED: ['cert_untrusted', 'certificate revoked'],
  INVALID_CA: ['cert_untrusted', 'invalid CA certificate'],
  PATH_LENGTH_EXCEEDED: ['cert_untrusted', 'path length constraint exceeded'],
  INVALID_PURPOSE: ['cert_untrusted', 'unsupported certificate purpose'],
  CERT_UNTRUSTED: ['cert_untrusted', 'certificate not trusted'],
  CERT_REJECTED: ['cert_untrusted', 'certificate rejected'],
  ERROR_IN_CERT_NOT_BEFORE_FIELD: ['cert_untrusted', "format error in certificate's notBefore field"],
  ERROR_IN_CERT_NOT_AFTER_FIELD: ['cert_untrusted', "format error in certificate's notAfter field"],
};

/** What Node's checkServerIdentity reads of a certificate: its alternative names and, without DNS ones, its CN. */
function identityOf(certificate: X509Certificate): PeerCertificate {
  const commonNames = certificate.subject.split('\n').filter((part) => part.startsWith('CN=')).map((part) => part.slice(3));
  const subject = { CN: commonNames.length > 1 ? commonNames : commonNames[0] } as unknown as PeerCertificate['subject'];
  return { subject, subjectaltname: certificate.subjectAltName } as PeerCertificate;
}

function detailsOf(socket: tls.TLSSocket, certificate: X509Certificate, handshakeMs: number): TlsDetails {
  const cipher = socket.getCipher();
  return {
    handshakeMs,
    protocol: socket.getProtocol() ?? 'unknown',
    // The IANA name, as blackbox_exporter's tls_info reports it (OpenSSL's own differs for TLS 1.2 suites).
    cipher: cipher.standardName || cipher.name,
    subject: distinguishedName(certificate.subject),
    issuer: distinguishedName(certificate.issuer),
    fingerprintSha256: certificate.fingerprint256.replaceAll(':', '').toLowerCase(),
    notBefore: Date.parse(certificate.validFrom),
    notAfter: Date.parse(certificate.validTo),
    chainExpiresAt: earliestNotAfter(certificate),
  };
}

/**
 * The earliest notAfter along the chain Node reports: the certificates the server presented, completed with the
 * trusted root that issued the last of them when there is one. A self-signed certificate is its own issuer, and a
 * chain may repeat a certificate: each is visited once.
 */
function earliestNotAfter(leaf: X509Certificate): number {
  let earliest = Number.POSITIVE_INFINITY;
  const seen = new Set<string>();
  for (
    let certificate: X509Certificate | undefined = leaf;
    certificate !== undefined && !seen.has(certificate.fingerprint256);
    certificate = certificate.issuerCertificate
  ) {
    seen.add(certificate.fingerprint256);
    earliest = Math.min(earliest, Date.parse(certificate.validTo));
  }
  return earliest;
}

/** "CN=localhost, O=Example": most specific first, as RFC 4514 writes names (Node lists them in certificate order). */
function distinguishedName(name: string): string {
  return name.split('\n').reverse().join(', ');
}

/**
 * Building a context parses the ~140 system roots, milliseconds each time: one is kept per minVersion, and per
 * account material object. The account source hands out one object per account until the account changes, so the
 * lookup is by reference (a PEM bundle of up to 256 KiB is never joined or hashed per check), and a context goes
 * with the material it was built from.
 */
const contextsWithoutAccount = new Map<string, tls.SecureContext>();
const contextsByAccount = new WeakMap<AccountMaterial, Map<string, tls.SecureContext>>();

function secureContextFor(minVersion: TlsSettings['minVersion'], account: AccountMaterial | null): tls.SecureContext {
  const version = minVersion ?? '';
  let contexts = contextsWithoutAccount;
  if (account !== null) {
    let forAccount = contextsByAccount.get(account);
    if (forAccount === undefined) contextsByAccount.set(account, (forAccount = new Map()));
    contexts = forAccount;
  }
  let context = contexts.get(version);
  if (context === undefined) {
    const caBundle = account?.caBundle ?? null;
    // A client certificate is offered only with its key.
    const client = account?.clientCert && account.clientKey ? { cert: account.clientCert, key: account.clientKey } : null;
    context = tls.createSecureContext({
      ca: caBundle === null ? undefined : [...tls.rootCertificates, caBundle],
      ...client,
      minVersion: minVersion ?? undefined,
    });
    contexts.set(version, context);
  }
  return context;
}

/** OpenSSL's reason ("wrong version number") rather than its whole message, which names source files. */
function reasonOf(err: unknown): string {
  const reason = (err as { reason?: unknown } | null)?.reason;
  if (typeof reason === 'string' && reason !== '') return reason;
  return err instanceof Error ? err.message : String(err);
}
