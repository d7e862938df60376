// Network namespaces joined to the test's by a veth pair: real links between probe and target, shaped by tc netem.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';

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

export interface VethNamespace {
  /** The namespace's name. */
  name: string;
  /** The veth end left in the test's namespace; shape traffic towards the namespace here. */
  hostInterface: string;
  hostAddress: string;
  /** The address of the veth end inside the namespace. */
  nsAddress: string;
  /** Replaces the netem qdisc on the host end, e.g. netem(['delay', '30ms']); no arguments removes it. */
  netem(args?: string[]): Promise<void>;
  /** Starts a TCP listener inside the namespace on nsAddress:port that accepts connections. */
  listen(port: number): Promise<void>;
  /** Stops the listeners and removes the namespace and both veth ends; safe to call more than once. */
  remove(): Promise<void>;
}

let created = 0;

/**
 * Creates a namespace linked by a /30 in 169.254.0.0/16. Names and subnet derive from the pid and a counter, so
 * parallel test processes get distinct names and (but for a 1 in 16,000 chance) distinct subnets; 169.254.169.0/24
 * (cloud metadata) is never used.
 */
export async function createVethNamespace(): Promise<VethNamespace> {
  const id = `${process.pid}n${created}`;
  const slot = (process.pid * 8 + created) % (250 * 64);
  created += 1;
  const thirdOctet = 1 + Math.floor(slot / 64);
  const base = `169.254.${thirdOctet >= 169 ? thirdOctet + 1 : thirdOctet}`;
  const firstHost = (slot % 64) * 4 + 1;

  const name = `probekit-${id}`;
  const hostInterface = `pk${id}h`;
  const nsInterface = `pk${id}s`;
  const hostAddress = `${base}.${firstHost}`;
  const nsAddress = `${base}.${firstHost + 1}`;
  const children: ChildProcess[] = [];
  let hasNetem = false;

  const namespace: VethNamespace = {
    name,
    hostInterface,
    hostAddress,
    nsAddress,
    async netem(args = []) {
      if (hasNetem) await run('tc', ['qdisc', 'del', 'dev', hostInterface, 'root']);
      hasNetem = args.length > 0;
      if (hasNetem) {
        await run('tc', ['qdisc', 'add', 'dev', hostInterface, 'root', 'netem', ...args]).catch((err: Error) => {
          hasNetem = false;
          throw /qdisc kind is unknown/.test(err.message)
            ? new Error(`${err.message} This kernel has no netem qdisc (CONFIG_NET_SCH_NETEM, module sch_netem).`)
            : err;
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
  } catch (err) {
    await namespace.remove();
    throw err;
  }
  return namespace;
}

function run(command: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(command, args, (err, _stdout, stderr) => {
      if (err) reject(new Error(`${command} ${args.join(' ')} failed: ${stderr.trim() || err.message}`));
      else resolve();
    });
  });
}
