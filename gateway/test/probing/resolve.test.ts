// DNS resolution against a real DNS server on loopback (made-up names never reach the machine's resolver).
import fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HostsFile, parseHosts } from '../../src/probing/hosts-file.js';
import { createResolver, DnsError, type Resolver } from '../../src/probing/resolve.js';
import { checkTcp } from '../../src/probing/tcp.js';
import { startDnsServer, type TestDnsServer, type Zone } from '../helpers/dns-server.js';
import { startListener, type TestListener } from '../helpers/listeners.js';

const longChain: Zone = Object.fromEntries(
  Array.from({ length: 10 }, (_, i) => [`c${i}.example.test`, { CNAME: `c${i + 1}.example.test` }]),
);

const zone: Zone = {
  'www.example.test': { CNAME: 'edge.example.test' },
  'edge.example.test': { CNAME: 'host.example.test' },
  'host.example.test': { A: ['127.0.0.1'] },
  'dual.example.test': { A: ['192.0.2.10'], AAAA: ['2001:db8::10'] },
  'v6only.example.test': { AAAA: ['::1'] },
  'v4only.example.test': { A: ['192.0.2.20'] },
  'dual-cname.example.test': { CNAME: 'dual.example.test' },
  'empty.example.test': {},
  'loop-a.example.test': { CNAME: 'loop-b.example.test' },
  'loop-b.example.test': { CNAME: 'loop-a.example.test' },
  'dangling.example.test': { CNAME: 'gone.example.test' },
  'broken.example.test': { servfail: true },
  'to-slow.example.test': { CNAME: 'slow.example.test' },
  'slow.example.test': { unanswered: true },
  ...longChain,
};

let dns: TestDnsServer;
let deadDns: TestDnsServer;
let resolver: Resolver;

beforeAll(async () => {
  dns = await startDnsServer(zone);
  deadDns = await startDnsServer(zone, { silent: true });
  resolver = createResolver({ servers: [dns.server] });
});

afterAll(async () => {
  await dns.close();
  await deadDns.close();
});

/** The DnsError a resolution rejects with, and how long it took. */
async function failure(promise: Promise<unknown>): Promise<{ message: string; elapsedMs: number }> {
  const started = performance.now();
  const err = await promise.then(
    () => expect.unreachable('resolution should have failed'),
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(DnsError);
  return { message: (err as DnsError).message, elapsedMs: performance.now() - started };
}

describe('resolver with DNS servers', () => {
  it('follows a CNAME chain and reports the final name as the actual host', async () => {
    const resolution = await resolver.resolve('www.example.test', 2000);
    expect(resolution).toMatchObject({ address: '127.0.0.1', family: 4, actualHost: 'host.example.test' });
    expect(resolution.dnsMs).toBeGreaterThan(0);
    expect(resolution.dnsMs).toBeLessThan(100);
  });

  it('uses the name itself as the actual host when it has no CNAME', async () => {
    const resolution = await resolver.resolve('host.example.test', 2000);
    expect(resolution).toMatchObject({ address: '127.0.0.1', actualHost: 'host.example.test' });
  });

  it('prefers IPv4 when a name has both', async () => {
    const resolution = await resolver.resolve('dual.example.test', 2000);
    expect(resolution).toMatchObject({ address: '192.0.2.10', family: 4 });
  });

  it('resolves an IPv6-only name', async () => {
    const resolution = await resolver.resolve('v6only.example.test', 2000);
    expect(resolution).toMatchObject({ address: '::1', family: 6, actualHost: 'v6only.example.test' });
  });

  it('takes IP literals as they are, without asking DNS', async () => {
    const queriesBefore = dns.queries.length;
    expect(await resolver.resolve('192.0.2.7', 2000)).toEqual({
      address: '192.0.2.7',
      family: 4,
      actualHost: '192.0.2.7',
      dnsMs: null,
    });
    expect(await resolver.resolve('2001:db8::7', 2000)).toMatchObject({ address: '2001:db8::7', family: 6 });
    expect(dns.queries.length).toBe(queriesBefore);
  });

  it('reports a name that does not exist', async () => {
    const { message } = await failure(resolver.resolve('missing.example.test', 2000));
    expect(message).toBe('missing.example.test: name not found (NXDOMAIN)');
  });

  it('names the missing target of a dangling CNAME', async () => {
    const { message } = await failure(resolver.resolve('dangling.example.test', 2000));
    expect(message).toBe('gone.example.test: name not found (NXDOMAIN)');
  });

  it('reports a name without address records', async () => {
    const { message } = await failure(resolver.resolve('empty.example.test', 2000));
    expect(message).toBe('empty.example.test has no A or AAAA record');
  });

  it('reports a server failure', async () => {
    const { message } = await failure(resolver.resolve('broken.example.test', 2000));
    expect(message).toBe('broken.example.test: the DNS server failed to answer (SERVFAIL)');
  });

  it('detects a CNAME loop', async () => {
    const { message } = await failure(resolver.resolve('loop-a.example.test', 2000));
    expect(message).toBe('CNAME loop: loop-a.example.test -> loop-b.example.test -> loop-a.example.test');
  });

  it('stops following an overly long CNAME chain', async () => {
    const { message } = await failure(resolver.resolve('c0.example.test', 2000));
    expect(message).toBe('CNAME chain from c0.example.test has more than 8 hops');
  });

  it('gives up on a server that never answers within the timeout', async () => {
    const silent = createResolver({ servers: [deadDns.server] });
    const { message, elapsedMs } = await failure(silent.resolve('host.example.test', 1200));
    expect(message).toBe('resolving host.example.test timed out after 1200 ms');
    // Node arms timers from the loop's cached clock, so they may fire a few ms early; a busy machine makes them late.
    expect(elapsedMs).toBeGreaterThanOrEqual(1195);
    expect(elapsedMs).toBeLessThan(1300);
    // c-ares retransmitted within the budget before it was cancelled.
    expect(deadDns.queries.filter((q) => q === 'CNAME host.example.test').length).toBeGreaterThanOrEqual(2);
  });

  it('times out midway through a chain without disturbing other resolutions', async () => {
    const [slow, fast] = await Promise.allSettled([
      resolver.resolve('to-slow.example.test', 300),
      resolver.resolve('www.example.test', 2000),
    ]);
    expect(slow).toMatchObject({
      status: 'rejected',
      reason: { message: 'resolving to-slow.example.test timed out after 300 ms' },
    });
    expect(fast).toMatchObject({ status: 'fulfilled', value: { actualHost: 'host.example.test' } });
  });

  it('closes every DNS socket afterwards, including those of cancelled resolutions', async () => {
    const openFds = () => fs.readdirSync('/proc/self/fd').length;
    const fdsBefore = openFds();
    for (let batch = 0; batch < 5; batch++) {
      const resolutions = Array.from({ length: 200 }, (_, i) =>
        i % 2 === 0
          ? resolver.resolve('www.example.test', 5000)
          : resolver.resolve('slow.example.test', 100).catch(() => null),
      );
      expect((await Promise.all(resolutions)).filter((r) => r !== null)).toHaveLength(100);
    }
    await expect.poll(openFds, { timeout: 500 }).toBe(fdsBefore);
  });

  it('rejects a malformed server address when created', () => {
    expect(() => createResolver({ servers: ['not-an-ip'] })).toThrow(/not-an-ip/);
  });
});

describe('resolver with DNS servers: ipVersion', () => {
  it('asks only for A records with ipVersion 4, and only for AAAA with 6', async () => {
    const queriesBefore = dns.queries.length;
    expect(await resolver.resolve('dual.example.test', 2000, '4')).toMatchObject({ address: '192.0.2.10', family: 4 });
    expect(dns.queries.slice(queriesBefore)).toEqual(['CNAME dual.example.test', 'A dual.example.test']);
    const v6Before = dns.queries.length;
    expect(await resolver.resolve('dual.example.test', 2000, '6')).toMatchObject({ address: '2001:db8::10', family: 6 });
    expect(dns.queries.slice(v6Before)).toEqual(['CNAME dual.example.test', 'AAAA dual.example.test']);
  });

  it('follows CNAMEs to the address of the family asked for', async () => {
    expect(await resolver.resolve('dual-cname.example.test', 2000, '6')).toMatchObject({
      address: '2001:db8::10', family: 6, actualHost: 'dual.example.test',
    });
  });

  it('keeps auto as before: IPv4 first, else IPv6', async () => {
    expect(await resolver.resolve('dual.example.test', 2000, 'auto')).toMatchObject({ address: '192.0.2.10' });
    expect(await resolver.resolve('v6only.example.test', 2000, 'auto')).toMatchObject({ address: '::1' });
  });

  it('reports a name without an address of the family asked for', async () => {
    expect((await failure(resolver.resolve('v4only.example.test', 2000, '6'))).message).toBe('v4only.example.test has no IPv6 address (AAAA)');
    expect((await failure(resolver.resolve('v6only.example.test', 2000, '4'))).message).toBe('v6only.example.test has no IPv4 address (A)');
    // Other failures keep their own message.
    expect((await failure(resolver.resolve('missing.example.test', 2000, '6'))).message).toBe('missing.example.test: name not found (NXDOMAIN)');
  });

  it('takes a literal of the family asked for, and refuses one of the other family without asking DNS', async () => {
    const queriesBefore = dns.queries.length;
    expect(await resolver.resolve('::1', 2000, '6')).toEqual({ address: '::1', family: 6, actualHost: '::1', dnsMs: null });
    expect(await resolver.resolve('192.0.2.7', 2000, '4')).toMatchObject({ address: '192.0.2.7', family: 4 });
    expect((await failure(resolver.resolve('192.0.2.7', 2000, '6'))).message).toBe('192.0.2.7 is an IPv4 address, but ipVersion is 6');
    expect((await failure(resolver.resolve('2001:db8::7', 2000, '4'))).message).toBe('2001:db8::7 is an IPv6 address, but ipVersion is 4');
    expect(dns.queries.length).toBe(queriesBefore);
  });
});

describe('resolver with DNS servers and a hosts file', () => {
  const dir = fs.mkdtempSync(join(tmpdir(), 'probekit-hosts-'));
  const hostsPath = join(dir, 'hosts');
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('answers names of the hosts file from it, without asking DNS, and other names through DNS with CNAMEs', async () => {
    fs.writeFileSync(hostsPath, [
      '# comment line',
      '127.0.0.1   localhost',
      '::1         localhost ip6-localhost   # trailing comment',
      '192.0.2.50  Pinned.Example.Test pinned   www.example.test',
      '2001:db8::60 v6pinned.example.test',
      'not-an-address ignored.example.test',
    ].join('\n'));
    const withHosts = createResolver({ servers: [dns.server], hostsFile: new HostsFile({ path: hostsPath }) });
    const queriesBefore = dns.queries.length;
    const local = await withHosts.resolve('localhost', 2000);
    expect(local).toMatchObject({ address: '127.0.0.1', family: 4, actualHost: 'localhost' });
    // No round trip: a map lookup (and this first time, reading the file); generous for a loaded machine.
    expect(local.dnsMs).toBeGreaterThanOrEqual(0);
    expect(local.dnsMs).toBeLessThan(50);
    // Case-insensitive, aliases, a trailing dot; a name pinned in the file wins over its CNAME in DNS (hosts first).
    expect(await withHosts.resolve('PINNED.example.test', 2000)).toMatchObject({ address: '192.0.2.50', actualHost: 'PINNED.example.test' });
    expect(await withHosts.resolve('pinned.', 2000)).toMatchObject({ address: '192.0.2.50' });
    expect(await withHosts.resolve('www.example.test', 2000)).toMatchObject({ address: '192.0.2.50', actualHost: 'www.example.test' });
    expect(await withHosts.resolve('ip6-localhost', 2000)).toMatchObject({ address: '::1', family: 6 });
    expect(await withHosts.resolve('v6pinned.example.test', 2000)).toMatchObject({ address: '2001:db8::60', family: 6 });
    expect(dns.queries.length).toBe(queriesBefore);
    // Not in the file: the DNS servers, CNAMEs followed.
    expect(await withHosts.resolve('edge.example.test', 2000)).toMatchObject({ address: '127.0.0.1', actualHost: 'host.example.test' });
    expect((await failure(withHosts.resolve('ignored.example.test', 2000))).message).toBe('ignored.example.test: name not found (NXDOMAIN)');
    expect(dns.queries.length).toBeGreaterThan(queriesBefore);
  });

  it('answers from the hosts file with the family asked for; a listed name without it is a DnsError, DNS not asked', async () => {
    fs.writeFileSync(hostsPath, ['192.0.2.70 both.example.test', '2001:db8::70 both.example.test', '2001:db8::71 v6.example.test', '192.0.2.72 v4.example.test'].join('\n'));
    const withHosts = createResolver({ servers: [dns.server], hostsFile: new HostsFile({ path: hostsPath }) });
    const queriesBefore = dns.queries.length;
    expect(await withHosts.resolve('both.example.test', 2000, '6')).toMatchObject({ address: '2001:db8::70', family: 6 });
    expect(await withHosts.resolve('both.example.test', 2000, '4')).toMatchObject({ address: '192.0.2.70', family: 4 });
    expect(await withHosts.resolve('both.example.test', 2000)).toMatchObject({ address: '192.0.2.70', family: 4 });
    expect(await withHosts.resolve('v6.example.test', 2000)).toMatchObject({ address: '2001:db8::71', family: 6 });
    expect((await failure(withHosts.resolve('v6.example.test', 2000, '4'))).message).toBe('v6.example.test has no IPv4 address in the hosts file');
    expect((await failure(withHosts.resolve('v4.example.test', 2000, '6'))).message).toBe('v4.example.test has no IPv6 address in the hosts file');
    expect(dns.queries.length).toBe(queriesBefore);
  });

  it('reads the file again when it changes, looking at most once per recheck interval, and treats a missing file as empty', () => {
    let now = 0;
    fs.writeFileSync(hostsPath, '192.0.2.1 moving.example.test\n');
    const hosts = new HostsFile({ path: hostsPath, recheckMs: 1000, now: () => now });
    expect(hosts.lookup('moving.example.test')?.ipv4).toEqual(['192.0.2.1']);
    fs.writeFileSync(hostsPath, '192.0.2.2 moving.example.test\n');
    fs.utimesSync(hostsPath, new Date(), new Date(Date.now() + 5000));
    now = 999;
    expect(hosts.lookup('moving.example.test')?.ipv4).toEqual(['192.0.2.1']);
    now = 1000;
    expect(hosts.lookup('moving.example.test')?.ipv4).toEqual(['192.0.2.2']);
    fs.rmSync(hostsPath);
    now = 2000;
    expect(hosts.lookup('moving.example.test')).toBeUndefined();
  });

  it('parses every name and alias of a line, IPv4 and IPv6 apart', () => {
    const table = parseHosts('10.0.0.1 a b\n10.0.0.2 A\nfe80::1 b\n\n   \n#10.0.0.3 c\n');
    expect(Object.fromEntries(table)).toEqual({
      a: { ipv4: ['10.0.0.1', '10.0.0.2'], ipv6: [] },
      b: { ipv4: ['10.0.0.1'], ipv6: ['fe80::1'] },
    });
  });
});

describe('system resolver', () => {
  // Only names from /etc/hosts: made-up names must never leak to the machine's real resolver.
  it('resolves localhost through getaddrinfo, with the host as actual host', async () => {
    const resolution = await createResolver().resolve('localhost', 2000);
    expect(resolution).toMatchObject({ address: '127.0.0.1', family: 4, actualHost: 'localhost' });
    expect(resolution.dnsMs).toBeGreaterThan(0);
  });

  it('filters getaddrinfo\'s answer by ipVersion', async () => {
    expect(await createResolver().resolve('localhost', 2000, '4')).toMatchObject({ address: '127.0.0.1', family: 4 });
  });
});

describe('checkTcp with DNS', () => {
  let listener: TestListener;
  let listenerV6: TestListener;
  beforeAll(async () => {
    listener = await startListener('127.0.0.1');
    listenerV6 = await startListener('::1');
  });
  afterAll(async () => {
    await listener.close();
    await listenerV6.close();
  });

  it('connects to a name behind CNAMEs and records the actual host and IPv4', async () => {
    const result = await checkTcp({ host: 'www.example.test', port: listener.port, timeoutMs: 2000 }, { resolver });
    expect(result).toMatchObject({
      outcome: 'success',
      actualHost: 'host.example.test',
      actualIpv4: '127.0.0.1',
      actualAddress: '127.0.0.1',
    });
    expect(result.dnsMs).toBeGreaterThan(0);
    expect(result.connectMs).toBeGreaterThan(0);
  });

  it('connects to an IPv6-only name', async () => {
    const request = { host: 'v6only.example.test', port: listenerV6.port, timeoutMs: 2000 };
    const result = await checkTcp(request, { resolver });
    expect(result).toMatchObject({ outcome: 'success', actualIpv4: null, actualAddress: '::1' });
  });

  it('reports a DNS failure as dns_error with nothing resolved', async () => {
    const result = await checkTcp({ host: 'missing.example.test', port: listener.port, timeoutMs: 2000 }, { resolver });
    expect(result).toMatchObject({
      outcome: 'dns_error',
      error: 'missing.example.test: name not found (NXDOMAIN)',
      dnsMs: null,
      connectMs: null,
      actualHost: null,
      actualIpv4: null,
      actualAddress: null,
    });
  });

  it('connects to localhost through the system resolver', async () => {
    const request = { host: 'localhost', port: listener.port, timeoutMs: 2000 };
    const result = await checkTcp(request, { resolver: createResolver() });
    expect(result).toMatchObject({ outcome: 'success', actualHost: 'localhost', actualIpv4: '127.0.0.1' });
  });
});
