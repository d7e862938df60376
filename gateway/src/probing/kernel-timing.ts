// Connect time as the kernel measured it: the handshake's round trip, read with TCP_INFO by the native addon.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Socket } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

interface TcpInfoAddon {
  handshakeRttMs(fd: number): number | null;
}

const ADDON_PATH = join('native', 'build', 'Release', 'tcp_info.node');

/**
 * How connect times are taken here: `kernel` (Linux, with the addon `npm run build` compiles from native/), or
 * `javascript` with the reason, when a connect time also holds how long the event loop took to see the connection.
 */
export type ConnectTiming = { source: 'kernel' } | { source: 'javascript'; reason: string };

function loadAddon(): { addon: TcpInfoAddon | null; timing: ConnectTiming } {
  if (process.platform !== 'linux') return { addon: null, timing: { source: 'javascript', reason: `TCP_INFO timing is Linux-only (this is ${process.platform})` } };
  // The gateway package's native/ folder, above this module wherever it was compiled to (dist/, the benches' copy).
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let level = 0; level < 5; level++, dir = dirname(dir)) {
    const path = join(dir, ADDON_PATH);
    if (!existsSync(path)) continue;
    try {
      return { addon: createRequire(import.meta.url)(path) as TcpInfoAddon, timing: { source: 'kernel' } };
    } catch (error) {
      return { addon: null, timing: { source: 'javascript', reason: `${path} did not load: ${error instanceof Error ? error.message : String(error)}` } };
    }
  }
  return { addon: null, timing: { source: 'javascript', reason: `${ADDON_PATH} was not built (npm run build:native)` } };
}

const { addon, timing } = loadAddon();

export const connectTiming: ConnectTiming = timing;

/**
 * The kernel's SYN to SYN-ACK time of a socket that has just connected, in ms; null when there is none to give
 * (no addon, a retransmitted handshake packet: see native/tcp-info.c), and the caller's own clock then counts.
 */
export function kernelConnectMs(socket: Socket): number | null {
  if (addon === null) return null;
  // A connected TCP socket's handle has its file descriptor on POSIX systems; -1 or none elsewhere.
  const fd = (socket as unknown as { _handle?: { fd?: number } | null })._handle?.fd;
  return fd === undefined || fd < 0 ? null : addon.handshakeRttMs(fd);
}
