// Network namespaces joined to the test's by a veth pair: real links between probe and target, shaped by tc netem, or
// where the kernel has no netem (Firecracker guest kernels lack CONFIG_NET_SCH_NETEM) by a userspace delay line.
//
// The delay line's topology: the veth pair carries everything as usual, but while shaping is on, a tc filter on the
// host end's egress (clsact, u32 matching all IPv4, mirred) steals each IPv4 packet headed into the namespace and
// hands it to a TUN device, lineIn, instead of the wire. delay-line.py reads it there, holds it for the delay (or
// drops it), and writes it to its second TUN device, lineOut, which sits inside the namespace: the namespace receives
// it as if from the wire and answers over the veth pair (rp_filter is off on lineOut, so a packet arriving there for
// the veth end's address is accepted). That is what netem on the host end's egress does: only the traffic towards
// the namespace passes the shaper, and with no shaping (netem() without arguments) there is no filter and the link is
// the bare veth pair. ARP and IPv6 keep to the veth pair.
//
//   test's namespace                                           the namespace
//   hostInterface (veth, hostAddress) ◀── replies, ARP, IPv6 ──▶ nsInterface (veth, nsAddress)
//     │ egress, only while shaping: tc clsact, u32 matching all IPv4, mirred redirect
//     ▼
//   lineIn (TUN) ──▶ delay-line.py (due-time heap, loss) ──▶ lineOut (TUN, inside) ──▶ the namespace's IP stack
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { release } from 'node:os';
import { createInterface, type Interface } from 'node:readline';
import { fileURLToPath } from 'node:url';

/**
 * Whether namespace tests run here. They need root (ip netns, tc); without it they fail loudly rather than
 * pass unnoticed, unless PROBEKIT_SKIP_NETNS=1 opts out explicitly.
 */
export function netnsTestsEnabled(suite: string): boolean {
  if (process.env.PROBEKIT_SKIP_NETNS === '1') {
    console.warn(`${suite}: skipped because PROBEKIT_SKIP_NETNS=1`);
    return false;
  }
  if (process.getuid?.() !== 0) {
    throw new Error(
      `${suite} needs root to create network namespaces and tc qdiscs (ip, tc); ` +
        'run it as root, or set PROBEKIT_SKIP_NETNS=1 to skip it',
    );
  }
  return true;
}

/** How a namespace's link is shaped: the kernel's netem qdisc on a veth pair, or the userspace TUN delay line. */
export type Shaper = 'netem' | 'delay-line';

export interface VethNamespace {
  /** The namespace's name. */
  name: string;
  /** What netem() drives; 'delay-line' only where the kernel has no netem, or PROBEKIT_DELAY_LINE=1 asks for it. */
  shaper: Shaper;
  /** The veth end left in the test's namespace; netem() shapes the traffic it sends towards the namespace. */
  hostInterface: string;
  hostAddress: string;
  /** The address of the veth end inside the namespace. */
  nsAddress: string;
  /** The userspace delay line carrying the link, when shaper is 'delay-line'; null with kernel netem. */
  delayLine: DelayLine | null;
  /**
   * Shapes the traffic towards the namespace like `tc qdisc replace dev hostInterface root netem ARGS`, e.g.
   * netem(['delay', '30ms']) or netem(['loss', '100%']); each call replaces the last; no arguments removes shaping.
   * The delay line understands only `delay TIME` and `loss PERCENT` and rejects anything else.
   */
  netem(args?: string[]): Promise<void>;
  /** Starts a TCP listener inside the namespace on nsAddress:port that accepts connections. */
  listen(port: number): Promise<void>;
  /** Stops the listeners and the delay line, removes the namespace and both veth ends; safe to call more than once. */
  remove(): Promise<void>;
}

let created = 0;
let netemProbe: Promise<boolean> | undefined;

/**
 * Whether this kernel has the netem qdisc, found out once per process by adding one to the loopback device of a
 * throwaway namespace (which also loads sch_netem where it is a module). PROBEKIT_DELAY_LINE=1 answers false, so
 * the delay line can be exercised on kernels that do have netem.
 */
export function kernelHasNetem(): Promise<boolean> {
  netemProbe ??= (async () => {
    if (process.env.PROBEKIT_DELAY_LINE === '1') {
      console.warn('netns: PROBEKIT_DELAY_LINE=1, so links are shaped by the userspace delay line, not kernel netem');
      return false;
    }
    const name = `probekit-${process.pid}netem`;
    await run('ip', ['netns', 'del', name]).catch(() => undefined);
    await run('ip', ['netns', 'add', name]);
    try {
      await run('tc', ['-n', name, 'qdisc', 'add', 'dev', 'lo', 'root', 'netem', 'delay', '1ms']);
      return true;
    } catch (err) {
      if (!/qdisc kind is unknown/.test((err as Error).message)) throw err;
      console.warn(
        `netns: kernel ${release()} has no netem qdisc (CONFIG_NET_SCH_NETEM); netem() shapes namespace links with ` +
          'the userspace delay line test/helpers/delay-line.py instead (tc mirred redirects through TUN devices)',
      );
      return false;
    } finally {
      await run('ip', ['netns', 'del', name]).catch(() => undefined);
    }
  })();
  return netemProbe;
}

/**
 * Creates a namespace linked by a /30 in 169.254.0.0/16. Names and subnet derive from the pid and a counter, so
 * parallel test processes get distinct names and (but for a 1 in 16,000 chance) distinct subnets; 169.254.169.0/24
 * (cloud metadata) is never used. options.delayLine tunes the delay line, where one is used.
 */
export async function createVethNamespace(options: { delayLine?: DelayLineOptions } = {}): Promise<VethNamespace> {
  const shaper: Shaper = (await kernelHasNetem()) ? 'netem' : 'delay-line';
  const id = `${process.pid}n${created}`;
  const slot = (process.pid * 8 + created) % (250 * 64);
  created += 1;
  const thirdOctet = 1 + Math.floor(slot / 64);
  const base = `169.254.${thirdOctet >= 169 ? thirdOctet + 1 : thirdOctet}`;
  const firstHost = (slot % 64) * 4 + 1;

  const name = `probekit-${id}`;
  const hostInterface = `pk${id}h`;
  const nsInterface = `pk${id}s`;
  const lineIn = `pk${id}i`;
  const lineOut = `pk${id}o`;
  const hostAddress = `${base}.${firstHost}`;
  const nsAddress = `${base}.${firstHost + 1}`;
  const children: ChildProcess[] = [];
  let hasNetem = false;
  let redirected = false;

  const namespace: VethNamespace = {
    name,
    shaper,
    hostInterface,
    hostAddress,
    nsAddress,
    delayLine: null,
    async netem(args = []) {
      if (namespace.delayLine) {
        const redirect = ['dev', hostInterface, 'egress', 'protocol', 'ip', 'pref', '1'];
        if (args.length === 0) {
          if (redirected) await run('tc', ['filter', 'del', ...redirect]);
          redirected = false;
        }
        await namespace.delayLine.shape(args);
        if (args.length > 0 && !redirected) {
          await run('tc', ['filter', 'add', ...redirect, 'u32', 'match', 'u32', '0', '0',
            'action', 'mirred', 'egress', 'redirect', 'dev', lineIn]);
          redirected = true;
        }
        return;
      }
      if (hasNetem) await run('tc', ['qdisc', 'del', 'dev', hostInterface, 'root']);
      hasNetem = args.length > 0;
      if (hasNetem) {
        await run('tc', ['qdisc', 'add', 'dev', hostInterface, 'root', 'netem', ...args]).catch((err: Error) => {
          hasNetem = false;
          throw err;
        });
      }
    },
    async listen(port) {
      const program = `
        const server = require('node:net').createServer((socket) => socket.on('error', () => {}));
        server.listen(${port}, '${nsAddress}', () => console.log('listening'));`;
      const child = spawn('ip', ['netns', 'exec', name, process.execPath, '-e', program], {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      children.push(child);
      const lines = createInterface({ input: child.stdout! });
      const [line] = (await Promise.race([once(lines, 'line'), once(child, 'exit')])) as unknown[];
      lines.close();
      if (line !== 'listening') throw new Error(`listener in ${name} on ${nsAddress}:${port} did not start`);
    },
    async remove() {
      for (const child of children.splice(0)) {
        if (child.exitCode === null && child.signalCode === null) {
          child.kill();
          await once(child, 'exit');
        }
      }
      // The delay line's TUN devices are not persistent: they go when it exits, wherever they are.
      await namespace.delayLine?.stop();
      namespace.delayLine = null;
      redirected = false;
      // Deleting the namespace deletes its veth end and with it the pair; the link delete covers a half-built pair.
      await run('ip', ['netns', 'del', name]).catch(() => undefined);
      await run('ip', ['link', 'del', hostInterface]).catch(() => undefined);
    },
  };

  try {
    // A namespace already carrying this pid is a leftover of a dead process that had the same pid.
    await namespace.remove();
    await run('ip', ['netns', 'add', name]);
    await run('ip', ['link', 'add', hostInterface, 'type', 'veth', 'peer', 'name', nsInterface]);
    await run('ip', ['link', 'set', nsInterface, 'netns', name]);
    await run('ip', ['addr', 'add', `${hostAddress}/30`, 'dev', hostInterface]);
    await run('ip', ['link', 'set', hostInterface, 'up']);
    await run('ip', ['-n', name, 'addr', 'add', `${nsAddress}/30`, 'dev', nsInterface]);
    await run('ip', ['-n', name, 'link', 'set', nsInterface, 'up']);
    await run('ip', ['-n', name, 'link', 'set', 'lo', 'up']);
    if (shaper === 'delay-line') {
      namespace.delayLine = await DelayLine.start(lineIn, lineOut, options.delayLine);
      await run('ip', ['link', 'set', lineOut, 'netns', name]);
      // No IPv6 link-local addresses, so no router or multicast listener messages of their own on the TUN devices.
      await run('ip', ['link', 'set', lineIn, 'addrgenmode', 'none']);
      await run('ip', ['link', 'set', lineIn, 'up']);
      await run('ip', ['-n', name, 'link', 'set', lineOut, 'addrgenmode', 'none']);
      await run('ip', ['-n', name, 'link', 'set', lineOut, 'up']);
      // Reverse-path filtering would drop what arrives on lineOut: the route back to hostAddress is the veth end.
      await run('ip', ['netns', 'exec', name, 'sysctl', '-qw', 'net.ipv4.conf.all.rp_filter=0',
        `net.ipv4.conf.${lineOut}.rp_filter=0`]);
      await run('tc', ['qdisc', 'add', 'dev', hostInterface, 'clsact']);
    }
  } catch (err) {
    await namespace.remove();
    throw err;
  }
  return namespace;
}

/** What the delay line's "stats" command reports; late_us covers the delayed packets since the previous stats. */
export interface DelayLineStats {
  to_far: { forwarded: number; dropped: number; queued: number };
  to_near: { forwarded: number; dropped: number; queued: number };
  /** Microseconds delayed packets left after their due time; null when none were delayed. */
  late_us: { n: number; p50: number | null; p99: number | null; max: number | null };
}

export interface DelayLineOptions {
  /** How long before a due time the line stops sleeping and polls; default 200 us. */
  spinUs?: number;
  /** SCHED_FIFO priority of the line (default 1, the lowest real-time one); 0 runs it as an ordinary process. */
  rtPriority?: number;
}

export const DELAY_LINE_SCRIPT = fileURLToPath(new URL('./delay-line.py', import.meta.url));
// Debian's Python (standard library only); PROBEKIT_PYTHON names another.
const PYTHON = process.env.PROBEKIT_PYTHON ?? '/usr/bin/python3';

/**
 * The userspace delay line (delay-line.py): a Python process that owns two TUN devices, near and far, and forwards
 * packets between them, delaying or dropping those from near to far as netem would. It exits, taking the devices with
 * it, when its stdin closes, so it cannot outlive this process (nor can its devices, wherever they were moved).
 */
export class DelayLine {
  private readonly replies: Array<{ resolve(line: string): void; reject(err: Error): void }> = [];
  private exited = false;

  private constructor(
    private readonly child: ChildProcess,
    private readonly lines: Interface,
  ) {
    lines.on('line', (line) => {
      const waiter = this.replies.shift();
      if (!waiter) return;
      if (line.startsWith('error')) waiter.reject(new Error(`delay line: ${line}`));
      else waiter.resolve(line);
    });
    child.once('exit', () => {
      this.exited = true;
      for (const waiter of this.replies.splice(0)) waiter.reject(new Error('delay line exited'));
    });
  }

  /** Creates the TUN devices near and far (both in this namespace; move far where it belongs) and starts forwarding. */
  static async start(near: string, far: string, options: DelayLineOptions = {}): Promise<DelayLine> {
    const args = [DELAY_LINE_SCRIPT, near, far];
    if (options.spinUs !== undefined) args.push('--spin-us', String(options.spinUs));
    if (options.rtPriority !== undefined) args.push('--rt-priority', String(options.rtPriority));
    const child = spawn(PYTHON, args, { stdio: ['pipe', 'pipe', 'inherit'] });
    child.stdin!.on('error', () => undefined); // EPIPE once it has exited; the 'exit' handler reports that
    const lines = createInterface({ input: child.stdout! });
    const started = await new Promise<string>((resolve) => {
      lines.once('line', resolve);
      child.once('exit', (code, signal) => resolve(`it exited (${code ?? signal})`));
      child.once('error', (err) => resolve(err.message));
    });
    if (started !== 'ready') {
      child.kill('SIGKILL');
      throw new Error(`delay line ${PYTHON} ${args.join(' ')} did not start: ${started}`);
    }
    return new DelayLine(child, lines);
  }

  get pid(): number {
    return this.child.pid!;
  }

  /** Sends one command line and resolves with its answer ("ok ..." or the stats JSON); rejects on "error ...". */
  command(line: string): Promise<string> {
    if (this.exited) return Promise.reject(new Error('delay line exited'));
    return new Promise((resolve, reject) => {
      this.replies.push({ resolve, reject });
      this.child.stdin!.write(`${line}\n`);
    });
  }

  /** Applies netem-style arguments (`delay TIME`, `loss PERCENT`); those left out go back to 0, as a new qdisc would. */
  async shape(args: string[]): Promise<void> {
    const { delayMs, lossPercent } = parseNetemArgs(args);
    await this.command(`delay ${delayMs}`);
    await this.command(`loss ${lossPercent}`);
  }

  async stats(): Promise<DelayLineStats> {
    return JSON.parse(await this.command('stats')) as DelayLineStats;
  }

  /** Ends the line by closing its stdin; SIGKILL if it has not exited within 2 s. Safe to call more than once. */
  async stop(): Promise<void> {
    if (this.exited) return;
    const exit = once(this.child, 'exit');
    this.child.stdin!.end();
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 2000);
    await exit;
    clearTimeout(timer);
    this.lines.close();
  }
}

const TIME_UNITS: Record<string, number> = { s: 1000, sec: 1000, secs: 1000, ms: 1, msec: 1, msecs: 1, us: 1e-3, usec: 1e-3, usecs: 1e-3 };

/** The subset of netem's arguments the delay line can honour; anything else is an error, not silently ignored. */
export function parseNetemArgs(args: string[]): { delayMs: number; lossPercent: number } {
  let delayMs = 0;
  let lossPercent = 0;
  const unsupported = () =>
    new Error(`the userspace delay line supports only "delay TIME" and "loss PERCENT"; got netem ${args.join(' ')}`);
  for (let i = 0; i < args.length; i += 2) {
    const [key, value] = [args[i], args[i + 1] ?? ''];
    if (key === 'delay') {
      // As tc: a bare number is microseconds.
      const match = /^(\d+(?:\.\d+)?)([a-z]*)$/.exec(value);
      const unit = match ? TIME_UNITS[match[2] || 'us'] : undefined;
      if (!match || unit === undefined) throw unsupported();
      delayMs = Number(match[1]) * unit;
    } else if (key === 'loss') {
      const match = /^(\d+(?:\.\d+)?)%$/.exec(value);
      if (!match || Number(match[1]) > 100) throw unsupported();
      lossPercent = Number(match[1]);
    } else {
      throw unsupported();
    }
  }
  return { delayMs, lossPercent };
}

function run(command: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(command, args, (err, _stdout, stderr) => {
      if (err) reject(new Error(`${command} ${args.join(' ')} failed: ${stderr.trim() || err.message}`));
      else resolve();
    });
  });
}
