// Probe locations on one machine: the test's own namespace is one, each branch is a network namespace (helpers/netns.ts)
// that reaches service addresses on the test's loopback over its veth link; one route in a branch cuts it off from one
// address while the rest of its link (control plane, scrapes) keeps working: a path fault, not a service outage.
//
//   test's namespace: lo carries the service addresses (control plane, targets)
//     ├── veth ── branch namespace 1: route <address>/32 via hostAddress, or `unreachable <address>/32` while cut off
//     └── veth ── branch namespace 2: ...
import { createVethNamespace, type VethNamespace } from './netns.js';
import { runTool } from './prometheus.js';

export interface ServiceAddresses {
  addresses: string[];
  /** Takes the addresses off lo; safe to call more than once. */
  remove(): Promise<void>;
}

/** Addresses one process may put on lo: a block of four per pid. */
const MAX_SERVICE_ADDRESSES = 4;

/**
 * Puts `count` (at most 4) /32 addresses in 198.18.0.0/15 (RFC 2544's benchmarking block, routed nowhere) on the
 * test's lo. They derive from the pid, so parallel test processes get distinct ones (but for pids 2^15 apart).
 */
export async function addServiceAddresses(count: number): Promise<ServiceAddresses> {
  if (count > MAX_SERVICE_ADDRESSES) throw new Error(`at most ${MAX_SERVICE_ADDRESSES} service addresses, not ${count}`);
  const block = process.pid & 0x7fff;
  const prefix = `198.${18 + (block >> 14)}.${(block >> 6) & 0xff}`;
  const addresses = Array.from({ length: count }, (_, i) => `${prefix}.${(block & 63) * MAX_SERVICE_ADDRESSES + i}`);
  const remove = async () => {
    for (const address of addresses) await ip(['addr', 'del', `${address}/32`, 'dev', 'lo']).catch(() => undefined);
  };
  // One left on lo is a leftover of a dead process that had the same pid.
  await remove();
  try {
    for (const address of addresses) await ip(['addr', 'add', `${address}/32`, 'dev', 'lo']);
  } catch (err) {
    await remove();
    throw err;
  }
  return { addresses, remove };
}

export interface Branch {
  namespace: VethNamespace;
  /** Routes `address` over the link to the test's namespace (again). */
  reach(address: string): Promise<void>;
  /** An unreachable route to `address`: a connect from the branch fails at once (EHOSTUNREACH); nothing else changes. */
  cutOff(address: string): Promise<void>;
  remove(): Promise<void>;
}

/** A branch namespace that reaches every one of `addresses`. */
export async function createBranch(addresses: readonly string[]): Promise<Branch> {
  const namespace = await createVethNamespace();
  const route = (args: string[]) => ip(['-n', namespace.name, 'route', 'replace', ...args]);
  const branch: Branch = {
    namespace,
    reach: (address) => route([`${address}/32`, 'via', namespace.hostAddress]),
    cutOff: (address) => route(['unreachable', `${address}/32`]),
    remove: () => namespace.remove(),
  };
  try {
    for (const address of addresses) await branch.reach(address);
  } catch (err) {
    await namespace.remove();
    throw err;
  }
  return branch;
}

async function ip(args: string[]): Promise<void> {
  await runTool('ip', args);
}
