// Loopback TCP listeners for check tests: one that accepts, one whose full accept queue leaves SYNs unanswered, hostile ones.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import net, { type AddressInfo } from 'node:net';
import { Worker } from 'node:worker_threads';

export interface TestListener {
  port: number;
  close(): Promise<void>;
}

/** A listener that accepts connections, noting each client's address, and drops them when the client leaves. */
export async function startListener(host = '127.0.0.1'): Promise<TestListener & { clients: string[] }> {
  const clients: string[] = [];
  const server = net.createServer((socket) => {
    clients.push(socket.remoteAddress ?? '');
    socket.on('error', () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  return {
    port: (server.address() as AddressInfo).port,
    clients,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/**
 * A listener that never accepts, with its accept queue filled: Linux then drops new SYNs, so a connect to it
 * times out as against a firewall that drops packets. The listening socket lives in a worker thread whose event
 * loop is blocked (a plain Node listener would accept everything); closing wakes the worker, which then exits.
 */
export async function startUnansweredListener(): Promise<TestListener> {
  const wake = new Int32Array(new SharedArrayBuffer(4));
  const worker = new Worker(
    `
    const { parentPort, workerData: wake } = require('node:worker_threads');
    const server = require('node:net').createServer();
    server.listen({ port: 0, host: '127.0.0.1', backlog: 1 }, () => {
      parentPort.postMessage(server.address().port);
      Atomics.wait(wake, 0, 0);
      server.close();
      parentPort.close();
    });`,
    { eval: true, workerData: wake },
  );
  const port = await new Promise<number>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });

  // Connections that complete the handshake sit in the accept queue; once one no longer connects, the queue is full.
  const fillers: net.Socket[] = [];
  let full = false;
  while (!full && fillers.length < 16) {
    const socket = net.connect({ host: '127.0.0.1', port }).on('error', () => {});
    fillers.push(socket);
    full = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(true), 100);
      socket.once('connect', () => {
        clearTimeout(timer);
        resolve(false);
      });
    });
  }
  if (!full) throw new Error('the accept queue of the unanswered listener did not fill up');

  return {
    port,
    close: async () => {
      for (const socket of fillers) socket.destroy();
      Atomics.store(wake, 0, 1);
      Atomics.notify(wake, 0);
      await new Promise((resolve) => worker.once('exit', resolve));
    },
  };
}

/** What a hostile listener does with each connection it accepts; none of them ever reads. */
export type HostileBehaviour =
  /** Holds the connection open, answering neither data nor the client's FIN: the client must close. */
  | 'never-reads'
  /** Resets it right after accept (RST instead of FIN), as a service that turns clients away. */
  | 'resets'
  /** Writes 64 KiB chunks as fast as the client takes them, up to 10 MB, until the client goes. */
  | 'floods';

export interface HostileListener extends TestListener {
  /** Connections accepted so far, and bytes queued to them (the flood's). */
  stats(): Promise<{ accepted: number; bytesWritten: number }>;
}

// Runs in a child process: its sockets, memory and event loop (busy when flooding) stay out of the test process,
// whose descriptors and RSS the tests measure.
const HOSTILE_PROGRAM = `
const net = require('node:net');
const behaviour = process.argv[1];
const chunk = Buffer.alloc(64 * 1024, 0x2a);
const floodBytes = 10 * 1024 * 1024;
let accepted = 0;
let bytesWritten = 0;
const behaviours = {
  // Paused, the socket never sees the client's FIN: it stays open (CLOSE_WAIT) until the process ends.
  'never-reads': () => {},
  resets: (socket) => socket.resetAndDestroy(),
  floods: (socket) => {
    let queued = 0;
    const write = () => {
      while (queued < floodBytes && !socket.destroyed) {
        queued += chunk.length;
        bytesWritten += chunk.length;
        if (!socket.write(chunk)) return void socket.once('drain', write);
      }
      socket.end();
    };
    write();
  },
};
// pauseOnConnect: the listener never reads, so nothing the client does is consumed on this side.
const server = net.createServer({ pauseOnConnect: true }, (socket) => {
  accepted++;
  socket.on('error', () => socket.destroy());
  behaviours[behaviour](socket);
});
process.on('message', () => process.send({ accepted, bytesWritten }));
// Without its parent (a test run killed) the listener has no one to serve.
process.on('disconnect', () => process.exit());
server.listen({ host: '127.0.0.1', port: 0, backlog: 4096 }, () => process.send({ port: server.address().port }));`;

/** A loopback listener in its own process that treats every connection as `behaviour` says. */
export async function startHostileListener(behaviour: HostileBehaviour): Promise<HostileListener> {
  const child = spawn(process.execPath, ['-e', HOSTILE_PROGRAM, behaviour], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const [started] = (await Promise.race([once(child, 'message'), once(child, 'exit')])) as [{ port: number } | number | null];
  if (typeof started !== 'object' || started === null) throw new Error(`the ${behaviour} listener exited before listening`);
  return {
    port: started.port,
    async stats() {
      child.send('stats');
      const [stats] = (await once(child, 'message')) as [{ accepted: number; bytesWritten: number }];
      return stats;
    },
    async close() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGKILL');
      await once(child, 'exit');
    },
  };
}

/** A listener that notes when each connection arrives, to see which slots were probed. */
export async function recordingListener() {
  const arrivals: number[] = [];
  const server = net.createServer((socket) => {
    arrivals.push(Date.now());
    socket.on('error', () => {});
    socket.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as AddressInfo).port, arrivals, close: () => new Promise<void>((r) => server.close(() => r())) };
}
