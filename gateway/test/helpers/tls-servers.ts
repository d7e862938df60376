// Loopback TLS servers for check tests: a certificate of the test's choosing, optionally requiring a client
// certificate, noting what each client showed (SNI, its certificate) so tests can see what the check sent.
import { createServer as netServer, type AddressInfo, type Socket } from 'node:net';
import tls from 'node:tls';
import type { TestCertificate } from './certs.js';

export interface TlsServerOptions {
  /** The certificate to present; `cert` may hold a chain (leaf first). */
  certificate: TestCertificate;
  /** Require a client certificate issued by this CA (PEM); connections without one are refused. */
  clientCa?: string;
  host?: string;
  /** Highest protocol version to accept (TLS 1.2 fails a refused client certificate inside the handshake). */
  maxVersion?: tls.SecureVersion;
  /** Sent once the handshake is done, as a service that speaks first (SMTPS, IMAPS) does; default: silent. */
  banner?: string;
}

/** What the server saw of a client that completed its handshake. */
export interface TlsClientSeen {
  /** The SNI the client sent, or null for none. */
  servername: string | null;
  /** The client certificate's CN, when one was presented. */
  clientCn: string | null;
}

export interface TestTlsServer {
  port: number;
  /** Clients that completed the handshake (and, when required, presented a trusted certificate). */
  clients: TlsClientSeen[];
  /** Handshakes the server failed or refused, with OpenSSL's reason. */
  refused: string[];
  close(): Promise<void>;
}

/** A TLS server on loopback that keeps each connection open (silent unless it has a banner) until the client leaves. */
export async function startTlsServer(options: TlsServerOptions): Promise<TestTlsServer> {
  const clients: TlsClientSeen[] = [];
  const refused: string[] = [];
  const server = tls.createServer({
    cert: options.certificate.cert,
    key: options.certificate.key,
    requestCert: options.clientCa !== undefined,
    rejectUnauthorized: options.clientCa !== undefined,
    ca: options.clientCa,
    maxVersion: options.maxVersion,
  });
  // Every connection, also those still in (or stuck in) their handshake, so close() need not wait for clients.
  const open = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    open.add(socket);
    socket.on('close', () => open.delete(socket));
  });
  server.on('secureConnection', (socket) => {
    socket.on('error', () => {});
    const peer = socket.getPeerCertificate();
    const servername = (socket as tls.TLSSocket & { servername?: string | false }).servername;
    clients.push({
      servername: typeof servername === 'string' ? servername : null,
      clientCn: typeof peer?.subject?.CN === 'string' ? peer.subject.CN : null,
    });
    if (options.banner !== undefined) socket.write(options.banner);
    socket.resume();
  });
  server.on('tlsClientError', (err: Error & { reason?: string }) => refused.push(err.reason ?? err.message));
  await new Promise<void>((resolve) => server.listen(0, options.host ?? '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    clients,
    refused,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of open) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/**
 * A TCP listener that accepts and never answers, as a TLS port whose service hangs: a handshake to it times out.
 * It reads (and drops) what clients send, so it sees them leave and closes its side: listeners.ts's startListener,
 * which never reads, keeps the connection of a client that sent a ClientHello open until it closes.
 */
export async function startSilentListener(): Promise<{ port: number; close(): Promise<void> }> {
  const open = new Set<Socket>();
  const server = netServer((socket) => {
    open.add(socket);
    socket.on('error', () => {});
    socket.on('close', () => open.delete(socket));
    socket.resume();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of open) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
