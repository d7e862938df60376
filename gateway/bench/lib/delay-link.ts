// A network namespace reached over a link that delays host->namespace packets (tun-delay.py), with listeners inside it.
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { killOnExit, onCleanup } from './cleanup.js';
import { startListenerProcess, type ListenerProcess, type Target } from './listeners.js';

const RELAY = join(dirname(fileURLToPath(import.meta.url)), 'tun-delay.py');

export interface Truth {
  /** SYN out to SYN-ACK back, as seen at the host's end of the link, ms: the round trip a perfect prober would measure. */
  rtts: number[];
  /** How long the relay actually held each host->namespace packet, ms. */
  holds: number[];
}

export interface DelayLink {
  namespace: string;
  hostAddress: string;
  nsAddress: string;
  targets: Target[];
  setDelay(ms: number): void;
  /** Forgets the truth recorded so far (start of a measuring window). */
  resetTruth(): void;
  truth(): Promise<Truth>;
  remove(): Promise<void>;
}

function ip(...args: string[]): void {
  execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

/** A 169.254.A.B/30 that no address of this namespace is in (tests make veth pairs in 169.254/16 at the same time). */
function freeSubnet(): [string, string] {
  const used = new Set([...execFileSync('ip', ['-4', '-o', 'addr', 'show']).toString().matchAll(/inet 169\.254\.(\d+)\.(\d+)/g)]
    .map((m) => `${m[1]}.${Math.floor(Number(m[2]) / 4)}`));
  for (let attempt = 0; attempt < 1000; attempt++) {
    const slot = (process.pid + attempt * 7919) % (80 * 64);
    const third = 170 + Math.floor(slot / 64); // 170-249: above cloud metadata's 169
    const quad = slot % 64;
    if (!used.has(`${third}.${quad}`)) return [`169.254.${third}.${quad * 4 + 1}`, `169.254.${third}.${quad * 4 + 2}`];
  }
  throw new Error('no free /30 in 169.254.170.0-169.254.249.255');
}

/**
 * A free 169.254.A.B/30 (169.254.169.0/24, cloud metadata, is never used). The host end of the link is
 * a TUN device in this namespace, the other end a TUN device moved into the new namespace; the relay process
 * holds both and carries every packet between them.
 */
export async function startDelayLink(listenersPerAddress: number): Promise<DelayLink> {
  const id = `pkd${process.pid % 100_000}`;
  const namespace = `probekit-bench-${process.pid}`;
  const [tunHost, tunNs] = [`${id}a`, `${id}b`];
  const [hostAddress, nsAddress] = freeSubnet();

  const unregisterNamespace = onCleanup(`namespace ${namespace}`, () => {
    try { ip('netns', 'del', namespace); } catch { /* not there */ }
  });
  ip('netns', 'add', namespace);
  // Real-time priority (our own process only) keeps the injected delay exact on a busy machine; the gateway is not favoured.
  const relay = spawn('chrt', ['-f', '10', 'python3', RELAY, tunHost, tunNs], { stdio: ['pipe', 'pipe', 'inherit'] });
  const unregisterRelay = killOnExit(relay, 'tun-delay relay');
  const lines = createInterface({ input: relay.stdout! });
  const pending: ((line: string) => void)[] = [];
  lines.on('line', (line) => pending.shift()?.(line));
  const nextLine = () => new Promise<string>((resolve, reject) => {
    pending.push(resolve);
    relay.once('exit', () => reject(new Error('the tun-delay relay exited')));
  });

  let listeners: ListenerProcess | undefined;
  const remove = async () => {
    await listeners?.close();
    if (relay.exitCode === null && relay.signalCode === null) {
      relay.stdin!.end();
      relay.kill('SIGTERM');
      await once(relay, 'exit');
    }
    unregisterRelay();
    try { ip('netns', 'del', namespace); } catch { /* not there */ }
    unregisterNamespace();
  };

  try {
    if ((await nextLine()) !== 'ready') throw new Error('the tun-delay relay did not start');
    ip('addr', 'add', `${hostAddress}/30`, 'dev', tunHost);
    ip('link', 'set', tunHost, 'up');
    ip('link', 'set', tunNs, 'netns', namespace);
    ip('-n', namespace, 'addr', 'add', `${nsAddress}/30`, 'dev', tunNs);
    ip('-n', namespace, 'link', 'set', tunNs, 'up');
    ip('-n', namespace, 'link', 'set', 'lo', 'up');
    listeners = await startListenerProcess([nsAddress], listenersPerAddress, ['ip', 'netns', 'exec', namespace]);
  } catch (error) {
    await remove();
    throw error;
  }
  const send = (command: string) => relay.stdin!.write(`${command}\n`);
  return {
    namespace,
    hostAddress,
    nsAddress,
    targets: listeners.targets,
    setDelay: (ms) => send(`delay ${ms}`),
    resetTruth: () => send('reset'),
    async truth() {
      const line = nextLine();
      send('report');
      return JSON.parse(await line) as Truth;
    },
    remove,
  };
}
