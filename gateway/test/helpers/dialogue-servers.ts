// Loopback services for dialogue tests: banners (right, wrong, slow, cut short), a Redis-like PING, an SMTP-like
// server with STARTTLS, and a plain node:tls client upgrade to stand in for tls.ts. The 10 MB flooder is listeners.ts's.
import net, { type AddressInfo } from 'node:net';
import tls from 'node:tls';
import type { DialogueContext, StartTlsResult } from '../../src/probing/dialogue.js';
import type { DialogueStep } from '../../src/probing/types.js';
import { testCertificates } from './certs.js';

/** The client's side of SMTP up to the upgrade, as startSmtpLikeServer expects it (and the editor's preset sends it). */
export const SMTP_STARTTLS: readonly DialogueStep[] = [
  { expect: '^220 ' },
  { send: 'EHLO probekit\r\n' },
  { expect: '^250 ' },
  { send: 'STARTTLS\r\n' },
  { expect: '^220 ' },
  { startTls: true },
];

export interface DialogueServer {
  port: number;
  /** Connections accepted so far. */
  readonly accepted: number;
  /** Stops listening and drops the connections still open (a slow banner's timer goes with them). */
  close(): Promise<void>;
}

/** A loopback server running `serve` for each connection. */
async function startServer(serve: (socket: net.Socket) => void): Promise<DialogueServer> {
  const sockets = new Set<net.Socket>();
  let accepted = 0;
  const server = net.createServer((socket) => {
    accepted++;
    sockets.add(socket);
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
    serve(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    get accepted() {
      return accepted;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

export interface BannerOptions {
  /** Wait this long after accepting before writing the banner. */
  delayMs?: number;
  /** Close (FIN) right after the banner; otherwise hold the connection until the client goes. */
  thenClose?: boolean;
}

/**
 * Writes `banner` to each connection and reads nothing: an SSH server's greeting ("SSH-2.0-OpenSSH_9.6\r\n"), a
 * wrong one, a slow one (`delayMs`), one that closes before answering (empty banner, `thenClose`).
 */
export function startBannerServer(banner: string | Buffer, options: BannerOptions = {}): Promise<DialogueServer> {
  return startServer((socket) => {
    const answer = () => {
      if (banner.length > 0) socket.write(banner);
      if (options.thenClose) socket.end();
    };
    if (options.delayMs) {
      const timer = setTimeout(answer, options.delayMs);
      socket.on('close', () => clearTimeout(timer));
    } else answer();
  });
}

/** Calls `onLine` with each line (LF or CRLF stripped) `socket` receives; returns a function that stops reading. */
function readLines(socket: net.Socket, onLine: (line: string) => void): () => void {
  let pending = '';
  const onData = (chunk: Buffer) => {
    // Only the new chunk is searched: a long line (a large send) arrives in many chunks.
    let at = chunk.indexOf(0x0a);
    if (at === -1) return void (pending += chunk.toString('latin1'));
    pending += chunk.toString('latin1');
    at += pending.length - chunk.length;
    do {
      onLine(pending.slice(0, at).replace(/\r$/, ''));
      pending = pending.slice(at + 1);
    } while ((at = pending.indexOf('\n')) !== -1);
  };
  socket.on('data', onData);
  return () => {
    // Paused first: a flowing socket without a reader would drop what comes next (the client's TLS hello).
    socket.pause();
    socket.off('data', onData);
  };
}

/** Answers "PING" with "+PONG", anything else with an error, as Redis does. */
export function startRedisLikeServer(): Promise<DialogueServer> {
  return startServer((socket) => {
    readLines(socket, (line) => socket.write(line === 'PING' ? '+PONG\r\n' : `-ERR unknown command '${line.slice(0, 40)}'\r\n`));
  });
}

export interface SmtpLikeServer extends DialogueServer {
  /** TLS sessions established after STARTTLS. */
  readonly secureSessions: number;
}

/**
 * Greets with "220", answers EHLO offering STARTTLS and upgrades on STARTTLS with the test leaf certificate
 * (CN=localhost); inside TLS, EHLO gets a different answer (AUTH offered), so a test sees the upgrade happened.
 * `afterStartTls`: `upgrade` (a real server), `inject` (upgrades, but first sends a plaintext line after the 220, as
 * an attacker on the path would: CVE-2011-0411), `garbage` (answers the client's hello with plain text), `silent`.
 */
export async function startSmtpLikeServer(
  afterStartTls: 'upgrade' | 'inject' | 'garbage' | 'silent' = 'upgrade',
): Promise<SmtpLikeServer> {
  const { leaf } = await testCertificates();
  let secureSessions = 0;
  const serveSecure = (plain: net.Socket) => {
    const secure = new tls.TLSSocket(plain, { isServer: true, cert: leaf.cert, key: leaf.key });
    secure.on('error', () => {});
    secure.once('secure', () => secureSessions++);
    readLines(secure, (line) => {
      if (/^EHLO /i.test(line)) secure.write('250-mail.test greets you over TLS\r\n250 AUTH PLAIN\r\n');
      else if (/^QUIT$/i.test(line)) secure.end('221 2.0.0 Bye\r\n');
      else secure.write('500 5.5.2 unknown command\r\n');
    });
  };
  const server = await startServer((socket) => {
    socket.write('220 mail.test ESMTP probekit\r\n');
    const stopReading = readLines(socket, (line) => {
      if (/^EHLO /i.test(line)) socket.write('250-mail.test\r\n250-SIZE 10240000\r\n250 STARTTLS\r\n');
      else if (/^STARTTLS$/i.test(line)) {
        stopReading();
        socket.write(`220 2.0.0 Ready to start TLS\r\n${afterStartTls === 'inject' ? '250 injected before TLS\r\n' : ''}`);
        if (afterStartTls === 'upgrade' || afterStartTls === 'inject') serveSecure(socket);
        else if (afterStartTls === 'garbage') socket.write('this is not TLS\r\n');
      } else socket.write('500 5.5.2 unknown command\r\n');
    });
  });
  return Object.defineProperty(server, 'secureSessions', { get: () => secureSessions }) as SmtpLikeServer;
}

/**
 * A context.startTls that upgrades with node:tls and no verification: the dialogue's own tests do not depend on
 * tls.ts (deep-check.ts supplies the real one). Details are read from the session as tls.ts would report them.
 */
export function plainStartTls(servername = 'localhost'): DialogueContext['startTls'] {
  return (socket) =>
    new Promise<StartTlsResult>((resolve) => {
      const started = performance.now();
      const secure = tls.connect({ socket, servername, rejectUnauthorized: false });
      secure.once('error', (err) => {
        secure.destroy();
        resolve({ ok: false, outcome: 'tls_error', error: err.message, details: null });
      });
      secure.once('secureConnect', () => {
        secure.on('error', () => {});
        const cert = secure.getPeerCertificate();
        const notAfter = Date.parse(cert.valid_to);
        resolve({
          ok: true,
          socket: secure,
          details: {
            handshakeMs: performance.now() - started,
            protocol: secure.getProtocol() ?? '',
            cipher: secure.getCipher().standardName,
            subject: `CN=${cert.subject.CN}`,
            issuer: `CN=${cert.issuer.CN}`,
            fingerprintSha256: cert.fingerprint256.replaceAll(':', '').toLowerCase(),
            notBefore: Date.parse(cert.valid_from),
            notAfter,
            chainExpiresAt: notAfter,
          },
        });
      });
    });
}
