// Cleans up what a bench started (child processes, namespaces) on normal exit, on failure and on Ctrl-C.
import type { ChildProcess } from 'node:child_process';

type Cleanup = { name: string; sync: () => void };
const cleanups: Cleanup[] = [];
let installed = false;

/** Registers a synchronous last-resort cleanup; returns a function that unregisters it (after a normal async stop). */
export function onCleanup(name: string, sync: () => void): () => void {
  install();
  const entry = { name, sync };
  cleanups.push(entry);
  return () => {
    const index = cleanups.indexOf(entry);
    if (index !== -1) cleanups.splice(index, 1);
  };
}

/** Kills a child we started (by its own pid only) if it is still running when the bench exits. */
export function killOnExit(child: ChildProcess, name: string): () => void {
  return onCleanup(name, () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
}

export function runCleanups(): void {
  for (const entry of cleanups.splice(0).reverse()) {
    try {
      entry.sync();
    } catch (error) {
      process.stderr.write(`cleanup ${entry.name} failed: ${(error as Error).message}\n`);
    }
  }
}

function install(): void {
  if (installed) return;
  installed = true;
  process.on('exit', runCleanups);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      runCleanups();
      process.exit(130);
    });
  }
  process.on('uncaughtException', (error) => {
    process.stderr.write(`${error.stack ?? error}\n`);
    runCleanups();
    process.exit(1);
  });
}

/** Waits ms milliseconds. */
export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
