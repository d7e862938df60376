// Loopback TCP listeners for check tests: one that accepts, one whose full accept queue leaves SYNs unanswered.
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
