// Looks names up in a hosts file (/etc/hosts) as the system's "files" source does, re-reading it when it changes.
import { readFileSync, statSync } from 'node:fs';
import { isIP } from 'node:net';

/** Addresses of one name in the hosts file, in file order. */
export interface HostsEntry {
  ipv4: string[];
  ipv6: string[];
}

/** Name (lower case, no trailing dot) to its addresses: every name and alias on a line gets that line's address. */
export type HostsTable = ReadonlyMap<string, HostsEntry>;

/** Parses hosts-file text: "address name [aliases...]" per line, '#' starts a comment; lines without a valid address are ignored. */
export function parseHosts(text: string): HostsTable {
  const table = new Map<string, HostsEntry>();
  for (const line of text.split('\n')) {
    const [address, ...names] = line.replace(/#.*/, '').trim().split(/\s+/);
    const family = address === undefined ? 0 : isIP(address);
    if (family === 0) continue;
    for (const name of names) {
      const key = normalName(name);
      let entry = table.get(key);
      if (!entry) table.set(key, (entry = { ipv4: [], ipv6: [] }));
      const addresses = family === 4 ? entry.ipv4 : entry.ipv6;
      if (!addresses.includes(address!)) addresses.push(address!);
    }
  }
  return table;
}

/** Host names compare case-insensitively, and "name." is the same name as "name". */
export function normalName(name: string): string {
  return name.replace(/\.$/, '').toLowerCase();
}

export interface HostsFileOptions {
  /** Default /etc/hosts. */
  path?: string;
  /** How often, at most, the file's modification time is looked at (default 1 s): a stat per check would be wasted. */
  recheckMs?: number;
  now?: () => number;
}

/** A hosts file kept in memory; it is read again when its modification time or size has changed. A missing file is empty. */
export class HostsFile {
  private readonly path: string;
  private readonly recheckMs: number;
  private readonly now: () => number;
  private table: HostsTable = new Map();
  /** mtime and size of the version read, to notice a change; null before the first read or while the file is missing. */
  private version: string | null = null;
  private checkedAt = -Infinity;

  constructor(options: HostsFileOptions = {}) {
    this.path = options.path ?? '/etc/hosts';
    this.recheckMs = options.recheckMs ?? 1000;
    this.now = options.now ?? Date.now;
  }

  /** The name's addresses, or undefined when the hosts file does not list it. */
  lookup(name: string): HostsEntry | undefined {
    this.refresh();
    return this.table.get(normalName(name));
  }

  private refresh(): void {
    const now = this.now();
    if (now - this.checkedAt < this.recheckMs) return;
    this.checkedAt = now;
    let version: string | null;
    try {
      const stat = statSync(this.path);
      version = `${stat.mtimeMs}:${stat.size}`;
    } catch {
      version = null;
    }
    if (version === this.version) return;
    this.version = version;
    try {
      this.table = version === null ? new Map() : parseHosts(readFileSync(this.path, 'utf8'));
    } catch {
      // Gone or unreadable between stat and read: like a missing file, and read again at the next look.
      this.table = new Map();
      this.version = null;
    }
  }
}
