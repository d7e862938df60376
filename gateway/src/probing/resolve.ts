// Resolves a probe's host to the address to connect to, the name finally reached after CNAMEs, and the DNS time.
import dns from 'node:dns';
import { isIP } from 'node:net';
import { HostsFile } from './hosts-file.js';

export interface Resolution {
  address: string;
  family: 4 | 6;
  /** The name whose address records were used: the host after following CNAMEs (the host itself when none). */
  actualHost: string;
  /** Time spent resolving; null for an IP literal, which needs no resolution. */
  dnsMs: number | null;
}

export interface Resolver {
  /** Resolves within timeoutMs, preferring IPv4; rejects with a DnsError whose message is meant for the user. */
  resolve(host: string, timeoutMs: number): Promise<Resolution>;
}

/** Name resolution failed: the check's outcome is dns_error. */
export class DnsError extends Error {
  override name = 'DnsError';
}

export interface ResolverOptions {
  /**
   * DNS servers to ask directly ("ip", "ip:port" or "[ipv6]:port"), which lets the actual host after CNAMEs be
   * recorded. Without them the system resolver (getaddrinfo: /etc/hosts, nsswitch) is used, which hides CNAMEs,
   * so the actual host is then the host itself.
   */
  servers?: string[];
  /**
   * Consulted before the DNS servers, as nsswitch's "hosts: files dns" does, so localhost and names pinned in
   * /etc/hosts keep resolving when `servers` are set. Default: /etc/hosts.
   */
  hostsFile?: HostsFile;
}

/** Most CNAMEs followed from one host; real chains have one to three, a longer one is a misconfiguration. */
const MAX_CNAME_HOPS = 8;

export function createResolver(options: ResolverOptions = {}): Resolver {
  const resolveName = options.servers !== undefined && options.servers.length > 0
    ? hostsFirst(options.hostsFile ?? new HostsFile(), serverResolution(options.servers))
    : systemResolution;
  return {
    resolve(host, timeoutMs) {
      const family = isIP(host);
      if (family === 4 || family === 6) {
        return Promise.resolve({ address: host, family, actualHost: host, dnsMs: null });
      }
      return resolveName(host, timeoutMs);
    },
  };
}

type ResolveName = (host: string, timeoutMs: number) => Promise<Resolution>;

function systemResolution(host: string, timeoutMs: number): Promise<Resolution> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    // getaddrinfo runs on libuv's thread pool and cannot be cancelled: on timeout its late answer is ignored.
    const timer = setTimeout(() => reject(timedOut(host, timeoutMs)), timeoutMs);
    dns.lookup(host, { all: true }, (err, addresses) => {
      clearTimeout(timer);
      if (err) {
        reject(toDnsError(err, host, timeoutMs));
        return;
      }
      const chosen = addresses.find((a) => a.family === 4) ?? addresses[0];
      if (chosen === undefined) {
        reject(new DnsError(`${host} has no IPv4 or IPv6 address`));
        return;
      }
      resolve({
        address: chosen.address,
        family: chosen.family === 6 ? 6 : 4,
        actualHost: host,
        dnsMs: performance.now() - started,
      });
    });
  });
}

/**
 * A name the hosts file lists resolves from it, IPv4 first, with no CNAMEs (the file has none: the actual host is the
 * name itself); any other name goes on to `next`.
 */
function hostsFirst(hostsFile: HostsFile, next: ResolveName): ResolveName {
  return (host, timeoutMs) => {
    const started = performance.now();
    const entry = hostsFile.lookup(host);
    if (entry === undefined) return next(host, timeoutMs);
    const family = entry.ipv4.length > 0 ? 4 : 6;
    const address = (family === 4 ? entry.ipv4 : entry.ipv6)[0]!;
    return Promise.resolve({ address, family, actualHost: host, dnsMs: performance.now() - started });
  };
}

function serverResolution(servers: string[]): ResolveName {
  // Apply the list once up front so a bad entry (e.g. in GATEWAY_DNS_SERVERS) fails at start-up, not in every check.
  new dns.promises.Resolver().setServers(servers);

  return async (host, timeoutMs) => {
    const started = performance.now();
    // One resolver per resolution, because cancel() aborts every query of a resolver: a shared one would let one
    // check's timeout fail the others. c-ares retransmits a lost UDP query after one to two `timeout`s (jitter and
    // backoff), so a third of the budget leaves room for one retransmission before our timer, the hard limit, cancels.
    const resolver = new dns.promises.Resolver({ timeout: Math.max(1, Math.round(timeoutMs / 3)), tries: 2 });
    resolver.setServers(servers);
    // Some query is in flight from start to finish (the next one is sent in the same microtask as the previous answer
    // arrives), so cancelling whatever is in flight when the timer fires is enough to stop the whole resolution.
    const timer = setTimeout(() => resolver.cancel(), timeoutMs);
    try {
      const actualHost = await followCnames(resolver, host);
      const { address, family } = await addressOf(resolver, actualHost);
      return { address, family, actualHost, dnsMs: performance.now() - started };
    } catch (err) {
      throw toDnsError(err, host, timeoutMs);
    } finally {
      clearTimeout(timer);
    }
  };
}

/** Asks for CNAMEs until a name has none; that name is the actual host. */
async function followCnames(resolver: dns.promises.Resolver, host: string): Promise<string> {
  const chain = [host];
  let name = host;
  for (;;) {
    const target = await cnameOf(resolver, name);
    if (target === undefined) return name;
    if (chain.some((seen) => sameName(seen, target))) {
      throw new DnsError(`CNAME loop: ${chain.join(' -> ')} -> ${target}`);
    }
    if (chain.length > MAX_CNAME_HOPS) {
      throw new DnsError(`CNAME chain from ${host} has more than ${MAX_CNAME_HOPS} hops`);
    }
    chain.push(target);
    name = target;
  }
}

async function cnameOf(resolver: dns.promises.Resolver, name: string): Promise<string | undefined> {
  try {
    const [target] = await resolver.resolveCname(name);
    return target;
  } catch (err) {
    if (codeOf(err) === dns.NODATA) return undefined;
    throw err;
  }
}

/** The name's IPv4 address, or its IPv6 one for an IPv6-only name. */
async function addressOf(resolver: dns.promises.Resolver, name: string): Promise<{ address: string; family: 4 | 6 }> {
  try {
    const [address] = await resolver.resolve4(name);
    if (address !== undefined) return { address, family: 4 };
  } catch (err) {
    if (codeOf(err) !== dns.NODATA) throw err;
  }
  try {
    const [address] = await resolver.resolve6(name);
    if (address !== undefined) return { address, family: 6 };
  } catch (err) {
    if (codeOf(err) !== dns.NODATA) throw err;
  }
  throw new DnsError(`${name} has no A or AAAA record`);
}

function sameName(a: string, b: string): boolean {
  return a.replace(/\.$/, '').toLowerCase() === b.replace(/\.$/, '').toLowerCase();
}

function codeOf(err: unknown): unknown {
  return (err as NodeJS.ErrnoException | null)?.code;
}

function timedOut(host: string, timeoutMs: number): DnsError {
  return new DnsError(`resolving ${host} timed out after ${timeoutMs} ms`);
}

/** A message the user can act on; c-ares and getaddrinfo codes alone ("queryA ENOTFOUND") are cryptic. */
function toDnsError(err: unknown, host: string, timeoutMs: number): DnsError {
  if (err instanceof DnsError) return err;
  const e = err as NodeJS.ErrnoException & { hostname?: string };
  // The error names the queried name, which after a CNAME is not the host the user entered.
  const name = e.hostname ?? host;
  switch (e.code) {
    case dns.NOTFOUND:
      return new DnsError(`${name}: name not found (NXDOMAIN)`);
    case dns.SERVFAIL:
      return new DnsError(`${name}: the DNS server failed to answer (SERVFAIL)`);
    case dns.REFUSED:
      return new DnsError(`${name}: the DNS server refused the query (REFUSED)`);
    case dns.CONNREFUSED:
      return new DnsError(`${name}: no DNS server listening (connection refused)`);
    case dns.TIMEOUT:
    case dns.CANCELLED:
      return timedOut(host, timeoutMs);
    case 'EAI_AGAIN':
      return new DnsError(`${name}: temporary failure in name resolution (EAI_AGAIN)`);
    default:
      return new DnsError(`resolving ${host} failed: ${e.message}`);
  }
}
