// A deeper check: connect as the plain check does, then a TLS handshake (at once, or at the dialogue's startTls
// step) and the send/expect dialogue, all within the probe's one timeout; every socket is closed at the end.
import type net from 'node:net';
import { runDialogue } from './dialogue.js';
import { openTcp, type TcpCheckDeps, type TcpConnection } from './tcp.js';
import { handshake, type HandshakeResult } from './tls.js';
import type { CheckRequest, CheckResult, TlsDetails, TlsSettings } from './types.js';

/** What a startTls step uses when the probe has no TLS settings: verification on, the defaults otherwise. */
const STARTTLS_DEFAULTS: TlsSettings = { verify: true };

/** Runs a check with TLS or a dialogue (see checkProbe); never rejects. */
export async function checkDeep(request: CheckRequest, deps: TcpCheckDeps): Promise<CheckResult> {
  const noDialogueYet = request.dialogue?.length ? [] : null;
  const connection = await openTcp(request, deps);
  if (!('socket' in connection)) return { ...connection, tls: null, responseMs: null, transcript: noDialogueYet };

  const sockets = new Set<net.Socket>();
  try {
    return await afterConnect(request, connection, sockets);
  } catch (err) {
    // A bug of ours rather than the target's: still a result.
    const error = `deep check: ${err instanceof Error ? err.message : String(err)}`;
    return { ...connection.result, outcome: 'error', error, tls: null, responseMs: null, transcript: noDialogueYet };
  } finally {
    connection.socket.destroy();
    for (const socket of sockets) socket.destroy();
  }
}

async function afterConnect(request: CheckRequest, connection: TcpConnection, sockets: Set<net.Socket>): Promise<CheckResult> {
  const { result, deadline, connectedAt } = connection;
  // The stage using a socket reads its errors; this listener only keeps a late one (after that stage) from crashing us.
  connection.socket.on('error', ignore);
  const steps = request.dialogue ?? [];
  const upgrade = async (socket: net.Socket, settings: TlsSettings): Promise<HandshakeResult> => {
    const upgraded = await handshake(socket, {
      settings,
      host: request.host,
      account: request.account,
      deadline,
      timeoutMs: request.timeoutMs,
      stage: 'TLS handshake',
    });
    if (upgraded.ok) sockets.add(upgraded.socket);
    return upgraded;
  };

  let socket: net.Socket = connection.socket;
  let tls: TlsDetails | null = null;
  if (request.tls && !steps.some((step) => 'startTls' in step)) {
    const upgraded = await upgrade(socket, request.tls);
    tls = upgraded.details;
    if (!upgraded.ok) {
      const transcript = steps.length > 0 ? [] : null;
      return { ...result, outcome: upgraded.outcome, error: upgraded.error, tls, responseMs: null, transcript };
    }
    socket = upgraded.socket;
  }
  if (steps.length === 0) return { ...result, tls, responseMs: null, transcript: null };

  const dialogue = await runDialogue(socket, steps, {
    deadline,
    connectedAt,
    startTls: (plain) => upgrade(plain, request.tls ?? STARTTLS_DEFAULTS),
  });
  sockets.add(dialogue.socket);
  return {
    ...result,
    outcome: dialogue.outcome,
    error: dialogue.error,
    tls: tls ?? dialogue.tls,
    responseMs: dialogue.responseMs,
    transcript: dialogue.transcript,
  };
}

function ignore(): void {}
