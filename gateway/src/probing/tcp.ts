// One TCP connect check: resolve the host, connect within the timeout, time both, close without sending data.
// A deeper check (deep-check.ts) connects the same way and takes the open socket over (openTcp).
import net from 'node:net';
import { localAddressFor } from './interface.js';
import { kernelConnectMs } from './kernel-timing.js';
import { DnsError, type Resolution, type Resolver } from './resolve.js';
import type { CheckOutcome, CheckRequest, CheckResult } from './types.js';

export interface TcpCheckDeps {
  resolver: Resolver;
}

/** A connection made for a deeper check: open, with no listeners of ours; the caller's to use and destroy. */
export interface TcpConnection {
  socket: net.Socket;
  /** The connect's result (success, DNS and connect times, addresses), for the deeper check to extend. */
  result: CheckResult;
  /** performance.now() when the connection was established: the connect call plus the connect time. */
  connectedAt: number;
  /** performance.now() by which the whole check must be over: its start plus request.timeoutMs. */
  deadline: number;
}

/** Runs one check; never rejects: every failure is a CheckResult with its outcome and the system's message. */
export function checkTcp(request: CheckRequest, deps: TcpCheckDeps): Promise<CheckResult> {
  return resolveAndConnect(request, deps, false);
}

/**
 * Resolves and connects exactly as checkTcp does, within the same budget, but hands the connected socket over
 * instead of closing it. A failure is the result checkTcp would give. Never rejects.
 */
export function openTcp(request: CheckRequest, deps: TcpCheckDeps): Promise<TcpConnection | CheckResult> {
  return resolveAndConnect(request, deps, true);
}

function resolveAndConnect(request: CheckRequest, deps: TcpCheckDeps, handOver: false): Promise<CheckResult>;
function resolveAndConnect(request: CheckRequest, deps: TcpCheckDeps, handOver: true): Promise<TcpConnection | CheckResult>;
async function resolveAndConnect(
  request: CheckRequest,
  deps: TcpCheckDeps,
  handOver: boolean,
): Promise<TcpConnection | CheckResult> {
  const startedAt = Date.now();
  const started = performance.now();

  let resolution: Resolution;
  try {
    resolution = await deps.resolver.resolve(request.host, request.timeoutMs, request.ipVersion);
  } catch (err) {
    return result(err instanceof DnsError ? 'dns_error' : 'error', messageOf(err), startedAt, null, null);
  }

  let localAddress: string | undefined;
  if (request.networkInterface) {
    try {
      localAddress = localAddressFor(request.networkInterface, resolution.family, resolution.address);
    } catch (err) {
      return result('interface_error', messageOf(err), startedAt, resolution, null);
    }
  }

  // DNS and connect share one budget. Whole milliseconds keep the common case (an IP literal, no DNS) on the
  // same timer list as every other check with that timeout, which is what makes Node's timers cheap.
  const remainingMs = Math.round(request.timeoutMs - (performance.now() - started));
  if (remainingMs < 1) {
    const error = `resolving ${request.host} used the whole ${request.timeoutMs} ms timeout`;
    return result('timeout', error, startedAt, resolution, null);
  }
  const deadline = started + request.timeoutMs;
  return connect(resolution, request.port, localAddress, remainingMs, request.timeoutMs, startedAt, handOver, deadline);
}

/** Connects; with handOver a connected socket is resolved as a TcpConnection, else it is closed at once. */
function connect(
  resolution: Resolution,
  port: number,
  localAddress: string | undefined,
  remainingMs: number,
  timeoutMs: number,
  startedAt: number,
  handOver: boolean,
  deadline: number,
): Promise<TcpConnection | CheckResult> {
  return new Promise((resolve) => {
    const socket = new net.Socket();
    let timer: NodeJS.Timeout | undefined;
    let connectStarted = 0;

    let finished = false;
    // Runs once: after destroy() the socket emits neither 'connect' nor 'error', and the timer is cleared.
    const finish = (outcome: CheckOutcome, error: string | null, connectMs: number | null) => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      if (handOver && outcome === 'success') {
        socket.removeListener('error', onError);
        const connectedAt = connectStarted + (connectMs ?? 0);
        resolve({ socket, result: result(outcome, error, startedAt, resolution, connectMs), connectedAt, deadline });
        return;
      }
      // destroy() closes with a FIN, the ordinary end of a connection: the target sees a client that left, where a
      // reset (resetAndDestroy) often gets logged as "connection reset by peer". The cost is ours: TIME_WAIT holds
      // the local port for 60 s, which caps checks from one bound local address (networkInterface), or to one
      // remote ip:port, at about 28k ports / 60 s = 470 a second. (Data the target sent before we close still
      // makes the kernel reset; closing at 'connect' makes that rare.)
      socket.destroy();
      resolve(result(outcome, error, startedAt, resolution, connectMs));
    };
    socket.once('connect', () => {
      // The kernel's timing when it has one: ours also counts the time the event loop took to get here, which on a
      // busy gateway is most of the error (p99 0.3-0.5 ms against 2.2-2.9 ms at 500 checks/s over a 20 ms link).
      const connectMs = kernelConnectMs(socket) ?? performance.now() - connectStarted;
      // The rest (close, result, the engine's bookkeeping and the next checks it starts) waits for the check phase,
      // after every connection that became ready in this poll has been timed: otherwise each waits for the work of
      // those handled before it (timed in JavaScript at 500 checks/s, this took the p99 error from ~2.1 to ~1.7 ms).
      setImmediate(finish, 'success', null, connectMs);
    });
    const onError = (err: NodeJS.ErrnoException) => finish(failureOf(err), err.message, null);
    socket.on('error', onError);

    connectStarted = performance.now();
    try {
      socket.connect({ host: resolution.address, port, localAddress, family: resolution.family });
    } catch (err) {
      // Thrown for arguments Node rejects before any system call, such as a port out of range.
      finish('error', messageOf(err), null);
      return;
    }
    timer = setTimeout(
      () => finish('timeout', `connect to ${resolution.address}:${port} timed out after ${timeoutMs} ms`, null),
      remainingMs,
    );
  });
}

/** The failure reason of a socket error. */
function failureOf(err: NodeJS.ErrnoException): CheckOutcome {
  // A failed bind means the local address is not (or no longer) assigned here: the setting is wrong, not the target.
  if (err.syscall === 'bind') return 'interface_error';
  switch (err.code) {
    case 'ECONNREFUSED':
      return 'refused';
    case 'ETIMEDOUT':
      return 'timeout';
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
    case 'EHOSTDOWN':
    case 'ENETDOWN':
    case 'EADDRNOTAVAIL':
      return 'unreachable';
    default:
      return 'error';
  }
}

function result(
  outcome: CheckOutcome,
  error: string | null,
  startedAt: number,
  resolution: Resolution | null,
  connectMs: number | null,
): CheckResult {
  return {
    outcome,
    error,
    startedAt,
    dnsMs: resolution?.dnsMs ?? null,
    connectMs,
    actualHost: resolution?.actualHost ?? null,
    actualIpv4: resolution?.family === 4 ? resolution.address : null,
    actualAddress: resolution?.address ?? null,
  };
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
