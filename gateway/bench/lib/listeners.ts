// Loopback TCP listeners in their own process (so they load neither the measured process nor the bench's event loop).
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { killOnExit } from './cleanup.js';

export interface Target {
  host: string;
  port: number;
}

export interface ListenerProcess {
  pid: number;
  targets: Target[];
  close(): Promise<void>;
}

// Accepts, reads to EOF (so the server side closes when the client's FIN arrives) and never writes.
const PROGRAM = `
const net = require('node:net');
const hosts = JSON.parse(process.argv[1]);
const perHost = Number(process.argv[2]);
const targets = [];
let pending = hosts.length * perHost;
for (const host of hosts) {
  for (let i = 0; i < perHost; i++) {
    const server = net.createServer((socket) => { socket.on('error', () => {}); socket.resume(); });
    server.listen({ host, port: 0, backlog: 4096 }, () => {
      targets.push({ host, port: server.address().port });
      if (--pending === 0) console.log(JSON.stringify(targets));
    });
  }
}`;

/**
 * Several listeners spread over hosts (e.g. 127.0.0.1-127.0.0.4) and ports: each distinct (address, port) is a
 * separate four-tuple space for the client's ephemeral ports, so TIME_WAIT on the client side cannot exhaust them.
 */
export async function startListenerProcess(hosts: string[], portsPerHost: number, wrap: string[] = []): Promise<ListenerProcess> {
  // `wrap` runs it through another command, e.g. ['ip', 'netns', 'exec', NAME] (which execs node in place: same pid).
  const command = [...wrap, process.execPath, '-e', PROGRAM, JSON.stringify(hosts), String(portsPerHost)];
  const child = spawn(command[0]!, command.slice(1), { stdio: ['ignore', 'pipe', 'inherit'] });
  const unregister = killOnExit(child, 'listeners');
  const lines = createInterface({ input: child.stdout! });
  const timeout = setTimeout(() => child.kill('SIGKILL'), 10_000);
  const [line] = (await Promise.race([once(lines, 'line'), once(child, 'exit')])) as unknown[];
  clearTimeout(timeout);
  lines.close();
  if (typeof line !== 'string') throw new Error('the listener process did not start');
  return {
    pid: child.pid!,
    targets: JSON.parse(line) as Target[],
    async close() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        await once(child, 'exit');
      }
      unregister();
    },
  };
}

/** 127.0.0.1 .. 127.0.0.n */
export function loopbackHosts(n: number): string[] {
  return Array.from({ length: n }, (_, i) => `127.0.0.${i + 1}`);
}
