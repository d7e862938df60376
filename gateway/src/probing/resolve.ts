// Resolves a probe's host to the address to connect to, the name finally reached after CNAMEs, and the DNS time.
import dns from 'node:dns';
import { isIP } from 'node:net';
import { HostsFile } from './hosts-file.js';
import type { IpVersion } from './types.js';

export interface Resolution {
  address: string;
  family: 4 | 6;
  /** The name whose address records were used: the host after following CNAMEs (the host itself when none). */
  actualHost: string;
  /** Time spent resolving; null for an IP literal, which needs no resolution. */
  dnsMs: number | null;
}

export interface Resolver {
  /**
   * Resolves within timeoutMs to an address of the family ipVersion asks for ("auto": IPv4 preferred, else IPv6);
   * rejects with a DnsError whose message is meant for the user.
   */
  resolve(host: string, timeoutMs: number, ipVersion?: IpVersion): Promise<Resolution>;
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
    resolve(host, timeoutMs, ipVersion = 'auto') {
      const family = isIP(host);
      if (family === 4 || family === 6) {
        if (ipVersion !== 'auto' && Number(ipVersion) !== family) {
          return Promise.reject(new DnsError(`${host} is an IPv${family} address, but ipVersion is ${ipVersion}`));
        }
        return Promise.resolve({ address: host, family, actualHost: host, dnsMs: null });
      }
      return resolveName(host, timeoutMs, ipVersion);
    },
  };
}

type ResolveName = (host: string, timeoutMs: number, ipVersion: IpVersion) => Promise<Resolution>;

/** The address of the family asked for among `addresses` (IPv4 first for auto), or undefined. */
function pick<T extends { family: number }>(addresses: readonly T[], ipVersion: IpVersion): T | undefined {
  if (ipVersion === '4') return addresses.find((a) => a.family === 4);
  if (ipVersion === '6') return addresses.find((a) => a.family === 6);
  return addresses.find((a) => a.family === 4) ?? addresses[0];
}

/** The user's message for a name that resolves, but not to the family asked for; `where` says who answered. */
function noAddressOf(name: string, ipVersion: IpVersion, where: 'dns' | 'hosts' | 'system'): DnsError {
  const family = ipVersion === 'auto' ? 'IPv4 or IPv6' : `IPv${ipVersion}`;
  const suffix = where === 'hosts' ? ' in the hosts file' : where === 'dns' ? ` (${ipVersion === '4' ? 'A' : 'AAAA'})` : '';
  return new DnsError(`${name} has no ${family} address${suffix}`);
}

function systemResolution(host: string, timeoutMs: number, ipVersion: IpVersion): Promise<Resolution> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    // getaddrinfo runs on libuv's thread pool and cannot be cancelled: on timeout its late answer is ignored.
    const timer = setTimeout(() => reject(timedOut(host, timeoutMs)), timeoutMs);
    // Both families are asked for whatever ipVersion says and filtered here: a name with addresses of the other
    // family only then says so, where getaddrinfo restricted to one family would call it "not found".
    dns.lookup(host, { all: true }, (err, addresses) => {
      clearTimeout(timer);
      if (err) {
        reject(toDnsError(err, host, timeoutMs));
        return;
      }
      const chosen = pick(addresses, ipVersion);
      if (chosen === undefined) {
        reject(noAddressOf(host, ipVersion, 'system'));
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
 * name itself); any other name goes on to `next`. The file is the answer for the names it lists: one listed with
 * addresses of the other family only does not go on to DNS (a name pinned locally is not asked about elsewhere).
 */
function hostsFirst(hostsFile: HostsFile, next: ResolveName): ResolveName {
  return (host, timeoutMs, ipVersion) => {
    const started = performance.now();
    const entry = hostsFile.lookup(host);
    if (entry === undefined) return next(host, timeoutMs, ipVersion);
    const family = ipVersion === '6' || (ipVersion === 'auto' && entry.ipv4.length === 0) ? 6 : 4;
    const address = (family === 4 ? entry.ipv4 : entry.ipv6)[0];
    if (address === undefined) return Promise.reject(noAddressOf(host, ipVersion, 'hosts'));
    return Promise.resolve({ address, family, actualHost: host, dnsMs: performance.now() - started });
  };
}

function serverResolution(servers: string[]): ResolveName {
  // Apply the list once up front so a bad entry (e.g. in GATEWAY_DNS_SERVERS) fails at start-up, not in every check.
  new dns.promises.Resolver().setServers(servers);

  return async (host, timeoutMs, ipVersion) => {
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
      const { address, family } = await addressOf(resolver, actualHost, ipVersion);
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

/** The name's IPv4 address, or its IPv6 one for an IPv6-only name (auto); only the family asked for otherwise. */
async function addressOf(
  resolver: dns.promises.Resolver,
  name: string,
  ipVersion: IpVersion,
): Promise<{ address: string; family: 4 | 6 }> {
  if (ipVersion !== '6') {
    const address = await firstRecord(resolver.resolve4(name));
    if (address !== undefined) return { address, family: 4 };
  }
  if (ipVersion !== '4') {
    const address = await firstRecord(resolver.resolve6(name));
    if (address !== undefined) return { address, family: 6 };
  }
  throw ipVersion === 'auto' ? new DnsError(`${name} has no A or AAAA record`) : noAddressOf(name, ipVersion, 'dns');
}

/** The first address of an A or AAAA answer; undefined when the name has none of that type (NODATA). */
async function firstRecord(query: Promise<string[]>): Promise<string | undefined> {
  try {
    return (await query)[0];
  } catch (err) {
    if (codeOf(err) === dns.NODATA) return undefined;
    throw err;
  }
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
