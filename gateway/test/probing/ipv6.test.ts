// IPv6 checks: [::1] on loopback, ipVersion against a loopback DNS server, and a network namespace with IPv6 addresses
// on its link, where the check connects from an interface's IPv6 source address.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import type os from 'node:os';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pickIpv6 } from '../../src/probing/interface.js';
import { createResolver, type Resolver } from '../../src/probing/resolve.js';
import { checkTcp } from '../../src/probing/tcp.js';
import type { CheckRequest } from '../../src/probing/types.js';
import { startDnsServer, type TestDnsServer } from '../helpers/dns-server.js';
import { startListener, type TestListener } from '../helpers/listeners.js';
import { createVethNamespace, netnsTestsEnabled, type VethNamespace } from '../helpers/netns.js';

const run = promisify(execFile);

/** interface.ts reads os.networkInterfaces() at most once a second: after a change, wait that long. */
const interfacesReread = () => new Promise((resolve) => setTimeout(resolve, 1100));

describe('IPv6 on loopback', () => {
  let dns: TestDnsServer;
  let resolver: Resolver;
  let v4: TestListener & { clients: string[] };
  let v6: TestListener & { clients: string[] };
  beforeAll(async () => {
    v4 = await startListener('127.0.0.1');
    v6 = await startListener('::1');
    dns = await startDnsServer({
      'dual.example.test': { A: ['127.0.0.1'], AAAA: ['::1'] },
      'v6only.example.test': { AAAA: ['::1'] },
      'v4only.example.test': { A: ['127.0.0.1'] },
    });
    resolver = createResolver({ servers: [dns.server] });
  });
  afterAll(async () => {
    await v4.close();
    await v6.close();
    await dns.close();
  });

  const check = (request: Omit<CheckRequest, 'timeoutMs'>) => checkTcp({ timeoutMs: 2000, ...request }, { resolver });

  it('connects to a listener on [::1] and records the IPv6 address used', async () => {
    const result = await check({ host: '::1', port: v6.port });
    expect(result).toMatchObject({ outcome: 'success', error: null, dnsMs: null, actualHost: '::1', actualIpv4: null, actualAddress: '::1' });
    expect(result.connectMs).toBeGreaterThan(0);
    await expect.poll(() => v6.clients.at(-1)).toBe('::1');
  });

  it('connects over IPv6 with ipVersion 6 to a name that has both A and AAAA records', async () => {
    const clientsBefore = v6.clients.length;
    const result = await check({ host: 'dual.example.test', port: v6.port, ipVersion: '6' });
    expect(result).toMatchObject({ outcome: 'success', actualHost: 'dual.example.test', actualIpv4: null, actualAddress: '::1' });
    expect(result.dnsMs).toBeGreaterThan(0);
    await expect.poll(() => v6.clients.length).toBe(clientsBefore + 1);
    // The same name with ipVersion 4 (and auto, IPv4 first) goes to the IPv4 address.
    for (const ipVersion of ['4', 'auto'] as const) {
      const over4 = await check({ host: 'dual.example.test', port: v4.port, ipVersion });
      expect(over4, ipVersion).toMatchObject({ outcome: 'success', actualIpv4: '127.0.0.1', actualAddress: '127.0.0.1' });
    }
  });

  it('refuses an IPv6-only name with ipVersion 4, and an IPv4-only one with 6, without connecting', async () => {
    const clientsBefore = [v4.clients.length, v6.clients.length];
    expect(await check({ host: 'v6only.example.test', port: v6.port, ipVersion: '4' })).toMatchObject({
      outcome: 'dns_error', error: 'v6only.example.test has no IPv4 address (A)', actualAddress: null, connectMs: null,
    });
    expect(await check({ host: 'v4only.example.test', port: v4.port, ipVersion: '6' })).toMatchObject({
      outcome: 'dns_error', error: 'v4only.example.test has no IPv6 address (AAAA)', actualAddress: null,
    });
    expect(await check({ host: '127.0.0.1', port: v4.port, ipVersion: '6' })).toMatchObject({
      outcome: 'dns_error', error: '127.0.0.1 is an IPv4 address, but ipVersion is 6',
    });
    expect([v4.clients.length, v6.clients.length]).toEqual(clientsBefore);
    // Auto still reaches the IPv6-only name.
    expect(await check({ host: 'v6only.example.test', port: v6.port })).toMatchObject({ outcome: 'success', actualAddress: '::1' });
  });

  it('connects from lo\'s IPv6 address to an IPv6 target named through DNS', async () => {
    const result = await check({ host: 'dual.example.test', port: v6.port, ipVersion: '6', networkInterface: 'lo' });
    expect(result).toMatchObject({ outcome: 'success', actualAddress: '::1' });
  });
});

describe('pickIpv6 (an interface\'s IPv6 source address)', () => {
  const address = (address: string, scopeid = 0): os.NetworkInterfaceInfo => ({
    address, family: 'IPv6', scopeid, netmask: 'ffff:ffff:ffff:ffff::', mac: '02:00:00:00:00:01', internal: false, cidr: `${address}/64`,
  });
  const v4: os.NetworkInterfaceInfo = { address: '192.0.2.1', family: 'IPv4', netmask: '255.255.255.0', mac: '02:00:00:00:00:01', internal: false, cidr: '192.0.2.1/24' };

  it('prefers a global address, then a unique local one, and never a link-local one for a routed target', () => {
    expect(pickIpv6('eth0', [v4, address('fe80::1', 2), address('fd00:17::1'), address('2001:db8::1')], false)).toBe('2001:db8::1');
    expect(pickIpv6('eth0', [v4, address('fe80::1', 2), address('fd00:17::1'), address('fc00::1')], false)).toBe('fd00:17::1');
    expect(pickIpv6('eth0', [v4, address('fe80::1', 2)], false)).toBeUndefined();
  });

  it('gives a link-local target the interface\'s link-local address with its scope', () => {
    expect(pickIpv6('eth0', [address('2001:db8::1'), address('fe80::1', 2)], true)).toBe('fe80::1%eth0');
    expect(pickIpv6('eth0', [address('2001:db8::1')], true)).toBeUndefined();
  });
});

/** A TCP listener inside the namespace on [address]:port-of-its-choosing that notes each client's address. */
async function listenInNamespace(namespace: string, address: string): Promise<{ port: number; clients: string[]; close(): Promise<void> }> {
  const program = `
    const server = require('node:net').createServer((socket) => {
      console.log('client ' + socket.remoteAddress);
      socket.on('error', () => {});
    });
    server.listen(0, ${JSON.stringify(address)}, () => console.log('port ' + server.address().port));`;
  const child: ChildProcess = spawn('ip', ['netns', 'exec', namespace, process.execPath, '-e', program], { stdio: ['ignore', 'pipe', 'inherit'] });
  const clients: string[] = [];
  const lines = createInterface({ input: child.stdout! });
  const port = await new Promise<number>((resolve, reject) => {
    lines.on('line', (line) => {
      if (line.startsWith('port ')) resolve(Number(line.slice(5)));
      else if (line.startsWith('client ')) clients.push(line.slice(7));
    });
    child.once('exit', (code) => reject(new Error(`listener in ${namespace} on [${address}] exited (${code})`)));
  });
  return {
    port,
    clients,
    async close() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill();
      await once(child, 'exit');
    },
  };
}

describe.runIf(netnsTestsEnabled('ipv6 namespace tests'))('IPv6 in a network namespace', () => {
  let ns: VethNamespace;
  let nsInterface: string;
  let listener: Awaited<ReturnType<typeof listenInNamespace>>;
  let dns: TestDnsServer;
  // A unique local /64 per test process, so parallel runs do not share addresses.
  const prefix = `fd00:17:${(process.pid % 0xffff).toString(16)}:`;
  const hostAddress = `${prefix}:1`;
  const nsAddress = `${prefix}:2`;
  // Link-local addresses of our own, usable at once (nodad), in place of the kernel's (which wait for DAD).
  const hostLinkLocal = 'fe80::17:1';
  const nsLinkLocal = 'fe80::17:2';

  beforeAll(async () => {
    ns = await createVethNamespace();
    const { stdout } = await run('ip', ['-n', ns.name, '-o', 'link', 'show', 'type', 'veth']);
    nsInterface = /^\d+: ([^@:]+)/.exec(stdout)![1]!;
    for (const [args, device] of [[[], ns.hostInterface], [['-n', ns.name], nsInterface]] as const) {
      await run('ip', [...args, '-6', 'addr', 'flush', 'dev', device, 'scope', 'link']);
    }
    await run('ip', ['-6', 'addr', 'add', `${hostLinkLocal}/64`, 'dev', ns.hostInterface, 'nodad']);
    await run('ip', ['-n', ns.name, '-6', 'addr', 'add', `${nsLinkLocal}/64`, 'dev', nsInterface, 'nodad']);
    await run('ip', ['-n', ns.name, '-6', 'addr', 'add', `${nsAddress}/64`, 'dev', nsInterface, 'nodad']);
    // Listening on [::] takes IPv4 too (its clients then read ::ffff:a.b.c.d), so one listener shows which family came.
    listener = await listenInNamespace(ns.name, '::');
    dns = await startDnsServer({ 'ns.example.test': { A: [ns.nsAddress], AAAA: [nsAddress] } });
    await interfacesReread();
  }, 30_000);

  afterAll(async () => {
    await listener?.close();
    await dns?.close();
    await ns?.remove();
  });

  const check = (request: Omit<CheckRequest, 'timeoutMs' | 'port'>) =>
    checkTcp({ timeoutMs: 2000, port: listener.port, ...request }, { resolver: createResolver({ servers: [dns.server] }) });

  it('reports an interface without a routable IPv6 address as interface_error, before connecting', async () => {
    // So far the host's end has only its link-local address.
    const result = await check({ host: nsAddress, networkInterface: ns.hostInterface });
    expect(result).toMatchObject({
      outcome: 'interface_error',
      error: `network interface "${ns.hostInterface}" has no IPv6 address (the target is ${nsAddress})`,
      actualAddress: nsAddress,
    });
    expect(listener.clients).toEqual([]);
  });

  it('connects from the interface\'s IPv6 address, not its link-local one, and records the address used', async () => {
    await run('ip', ['-6', 'addr', 'add', `${hostAddress}/64`, 'dev', ns.hostInterface, 'nodad']);
    await interfacesReread();
    const result = await check({ host: nsAddress, networkInterface: ns.hostInterface });
    expect(result).toMatchObject({ outcome: 'success', actualIpv4: null, actualAddress: nsAddress });
    await expect.poll(() => listener.clients.at(-1)).toBe(hostAddress);
  });

  it('goes over IPv6 or IPv4 by ipVersion to a name with both, from the interface\'s address of that family', async () => {
    const over6 = await check({ host: 'ns.example.test', ipVersion: '6', networkInterface: ns.hostInterface });
    expect(over6).toMatchObject({ outcome: 'success', actualAddress: nsAddress, actualIpv4: null });
    await expect.poll(() => listener.clients.at(-1)).toBe(hostAddress);
    const over4 = await check({ host: 'ns.example.test', ipVersion: '4', networkInterface: ns.hostInterface });
    expect(over4).toMatchObject({ outcome: 'success', actualAddress: ns.nsAddress, actualIpv4: ns.nsAddress });
    await expect.poll(() => listener.clients.at(-1)).toBe(`::ffff:${ns.hostAddress}`);
  });

  it('reaches a link-local target from the interface\'s link-local address', async () => {
    const result = await check({ host: `${nsLinkLocal}%${ns.hostInterface}`, networkInterface: ns.hostInterface });
    expect(result).toMatchObject({ outcome: 'success', actualAddress: `${nsLinkLocal}%${ns.hostInterface}` });
    await expect.poll(() => listener.clients.at(-1)).toBe(`${hostLinkLocal}%${nsInterface}`);
  });
});
