// Loopback TLS listeners (node:tls) in their own process, the TLS counterpart of listeners.ts: the same target spread,
// so the TLS benches' checkers face identical servers and their handshake work is not charged to a measured process.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { killOnExit } from './cleanup.js';
import type { ListenerProcess } from './listeners.js';

// Completes the handshake, reads to EOF and never writes: what a check that connects, handshakes and leaves needs.
// The PEMs come on stdin (too long for comfort on a command line).
const PROGRAM = `
const tls = require('node:tls');
const hosts = JSON.parse(process.argv[1]);
const perHost = Number(process.argv[2]);
let input = '';
process.stdin.setEncoding('utf8').on('data', (chunk) => { input += chunk; }).on('end', () => {
  const { cert, key } = JSON.parse(input);
  const targets = [];
  let pending = hosts.length * perHost;
  for (const host of hosts) {
    for (let i = 0; i < perHost; i++) {
      const server = tls.createServer({ cert, key }, (socket) => { socket.on('error', () => {}); socket.resume(); });
      server.on('tlsClientError', () => {});
      server.listen({ host, port: 0, backlog: 4096 }, () => {
        targets.push({ host, port: server.address().port });
        if (--pending === 0) console.log(JSON.stringify(targets));
      });
    }
  }
});`;

/** TLS listeners on every host × portsPerHost, serving `cert` (leaf first, then any intermediates) with `key`. */
export async function startTlsListenerProcess(hosts: string[], portsPerHost: number, pem: { cert: string; key: string }): Promise<ListenerProcess> {
  const child = spawn(process.execPath, ['-e', PROGRAM, JSON.stringify(hosts), String(portsPerHost)], { stdio: ['pipe', 'pipe', 'inherit'] });
  const unregister = killOnExit(child, 'tls listeners');
  child.stdin!.end(JSON.stringify(pem));
  const lines = createInterface({ input: child.stdout! });
  const timeout = setTimeout(() => child.kill('SIGKILL'), 10_000);
  const [line] = (await Promise.race([once(lines, 'line'), once(child, 'exit')])) as unknown[];
  clearTimeout(timeout);
  lines.close();
  if (typeof line !== 'string') throw new Error('the TLS listener process did not start');
  return {
    pid: child.pid!,
    targets: JSON.parse(line) as ListenerProcess['targets'],
    async close() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        await once(child, 'exit');
      }
      unregister();
    },
  };
}
