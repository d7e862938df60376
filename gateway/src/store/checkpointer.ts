// Checkpoints the SQLite write-ahead log from a worker thread, so that the event loop never waits for it.
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { Db } from './database.js';

/**
 * Without this, SQLite checkpoints on whichever commit makes the WAL pass 1,000 pages: with results written every
 * 30 s at 50,000 probes, that is one results slice in thirty taking 20-170 ms instead of 2 ms (the checkpoint copies
 * the log into the database and fsyncs it), a stall every check due meanwhile waits out. A worker with its own
 * connection runs a PASSIVE checkpoint every interval: it never blocks the gateway's reads or writes, and its fsyncs
 * happen on the worker's thread. The gateway's connection keeps an automatic checkpoint at a much larger size, so
 * the log stays bounded should the worker ever stop.
 */
export interface Checkpointer {
  stop(): Promise<void>;
}

/** The automatic checkpoint left on the gateway's own connection, in pages (4 KiB): a safety net, not the routine. */
export const FALLBACK_AUTOCHECKPOINT_PAGES = 25_000;

// An eval'd CommonJS worker: the same code runs from src/ under tsx (tests) and from dist/ (production).
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file);
db.pragma('busy_timeout = 1000');
const checkpoint = () => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch (error) {
    parentPort.postMessage({ error: String(error && error.message || error) });
  }
};
const timer = setInterval(checkpoint, workerData.intervalMs);
parentPort.on('message', () => {
  clearInterval(timer);
  checkpoint();
  db.close();
  parentPort.postMessage({ stopped: true });
});
`;

export function startCheckpointer(db: Db, file: string, options: { intervalMs?: number; onError?: (message: string) => void } = {}): Checkpointer {
  db.pragma(`wal_autocheckpoint = ${FALLBACK_AUTOCHECKPOINT_PAGES}`);
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { file, driver, intervalMs: options.intervalMs ?? 1000 } });
  // A checkpoint never holds the process open, and a failed one is reported, not thrown: the fallback still works.
  worker.unref();
  let stopped: Promise<void> | undefined;
  const done = new Promise<void>((resolve) => {
    worker.on('message', (message: { error?: string; stopped?: boolean }) => {
      if (message.error) options.onError?.(message.error);
      if (message.stopped) resolve();
    });
    worker.on('error', (error) => {
      options.onError?.(error.message);
      resolve();
    });
    worker.on('exit', () => resolve());
  });
  return {
    stop() {
      stopped ??= (async () => {
        worker.postMessage('stop');
        await done;
        await worker.terminate();
      })();
      return stopped;
    },
  };
}
