// How many checks may run at once on this machine: the open-file limit less a reserve, within a share of the memory.
import { readFileSync } from 'node:fs';
import { totalmem } from 'node:os';

/** Where the open-file limit is unknown (not Linux): the cap the gateway always had. */
export const FALLBACK_MAX_IN_FLIGHT = 512;

/**
 * Memory one pending connect costs: measured 5.4-5.9 KiB of RSS per connect waiting on a target that drops SYNs
 * (5,000 and 15,000 at once, Node 20, x64), rounded up for the kernel's socket, which RSS does not show.
 */
export const BYTES_PER_CHECK = 8 * 1024;

/** In-flight checks may take this share of the machine's (or the container's) memory. */
export const MEMORY_SHARE = 1 / 8;

/**
 * Descriptors kept for everything else: API and scrape connections, SQLite (database, WAL, shared memory and the
 * checkpointer's connection), DNS sockets, the agent's long poll, stdio and the event loop's own.
 */
export function reservedDescriptors(openFilesLimit: number): number {
  return Math.max(128, Math.ceil(openFilesLimit * 0.1));
}

/** A floor, so a tiny limit still probes. */
const MIN_MAX_IN_FLIGHT = 16;

export interface InFlightCap {
  maxInFlight: number;
  /** What set it: the setting, the open-file limit, the memory share, or the fallback where the limit is unknown. */
  source: 'setting' | 'open-files' | 'memory' | 'fallback';
  /** The soft RLIMIT_NOFILE, null where unknown. */
  openFilesLimit: number | null;
  /** The most checks the descriptors allow (limit less reserve), null where unknown. */
  descriptorCap: number | null;
  /** Set when the configured cap is above what the descriptors allow: checks beyond it would fail with EMFILE. */
  warning: string | null;
}

/** Pure: the cap from what is configured (null: size it), the soft open-file limit and the memory available. */
export function sizeInFlightCap(configured: number | null, openFilesLimit: number | null, memoryBytes: number): InFlightCap {
  const descriptorCap = openFilesLimit === null ? null : Math.max(MIN_MAX_IN_FLIGHT, openFilesLimit - reservedDescriptors(openFilesLimit));
  if (configured !== null) {
    const warning = descriptorCap !== null && configured > descriptorCap
      ? `GATEWAY_MAX_IN_FLIGHT=${configured} is more than the open-file limit (${openFilesLimit}) allows with its reserve (${descriptorCap}): checks beyond that fail with EMFILE; raise the limit (ulimit -n, LimitNOFILE=) or lower the setting`
      : null;
    return { maxInFlight: configured, source: 'setting', openFilesLimit, descriptorCap, warning };
  }
  if (descriptorCap === null) return { maxInFlight: FALLBACK_MAX_IN_FLIGHT, source: 'fallback', openFilesLimit, descriptorCap, warning: null };
  const memoryCap = Math.max(MIN_MAX_IN_FLIGHT, Math.floor((memoryBytes * MEMORY_SHARE) / BYTES_PER_CHECK));
  return memoryCap < descriptorCap
    ? { maxInFlight: memoryCap, source: 'memory', openFilesLimit, descriptorCap, warning: null }
    : { maxInFlight: descriptorCap, source: 'open-files', openFilesLimit, descriptorCap, warning: null };
}

/** The soft "Max open files" of /proc/self/limits (Node raises it to the hard limit at start-up); null if absent. */
export function parseSoftOpenFiles(limitsText: string): number | null {
  const match = /^Max open files\s+(\d+|unlimited)\s/m.exec(limitsText);
  if (match === null) return null;
  return match[1] === 'unlimited' ? Number.MAX_SAFE_INTEGER : Number(match[1]);
}

/** The cap for this process: its open-file limit (Linux), and its memory (a container's limit where there is one). */
export function machineInFlightCap(configured: number | null): InFlightCap {
  let limits: string | null = null;
  try {
    limits = readFileSync('/proc/self/limits', 'utf8');
  } catch { /* not Linux: the fallback */ }
  // constrainedMemory(): the cgroup's limit, 0 or undefined without one (Node 20 has it, as experimental).
  const constrained = (process as { constrainedMemory?: () => number | undefined }).constrainedMemory?.() ?? 0;
  const memory = constrained > 0 ? Math.min(constrained, totalmem()) : totalmem();
  return sizeInFlightCap(configured, limits === null ? null : parseSoftOpenFiles(limits), memory);
}
