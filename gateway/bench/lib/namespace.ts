// A veth-linked network namespace (test helper createVethNamespace) with listeners, removed even if the bench dies.
import { execFileSync } from 'node:child_process';
import { createVethNamespace, type VethNamespace } from '../../test/helpers/netns.js';
import { onCleanup } from './cleanup.js';
import type { Target } from './listeners.js';

export interface BenchNamespace {
  ns: VethNamespace;
  targets: Target[];
  remove(): Promise<void>;
}

/** Synchronous last resort: kill the listeners inside the namespace (all ours: it is our namespace), then delete it. */
function removeNow(ns: VethNamespace): void {
  const pids = (() => {
    try {
      return execFileSync('ip', ['netns', 'pids', ns.name]).toString().split('\n').filter(Boolean).map(Number);
    } catch {
      return [];
    }
  })();
  for (const pid of pids) {
    try { process.kill(pid, 'SIGKILL'); } catch { /* gone already */ }
  }
  for (const args of [['netns', 'del', ns.name], ['link', 'del', ns.hostInterface]]) {
    try { execFileSync('ip', args, { stdio: 'ignore' }); } catch { /* gone already */ }
  }
}

export async function startNamespace(ports: number[]): Promise<BenchNamespace> {
  const ns = await createVethNamespace();
  const unregister = onCleanup(`namespace ${ns.name}`, () => removeNow(ns));
  try {
    for (const port of ports) await ns.listen(port);
  } catch (error) {
    await ns.remove();
    unregister();
    throw error;
  }
  return {
    ns,
    targets: ports.map((port) => ({ host: ns.nsAddress, port })),
    async remove() {
      await ns.remove();
      unregister();
    },
  };
}
