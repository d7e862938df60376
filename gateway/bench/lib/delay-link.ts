// A network namespace reached over a link that delays host->namespace packets (the tests' delay line), with listeners inside it.
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { DELAY_LINE_SCRIPT } from '../../test/helpers/netns.js';
import { killOnExit, onCleanup } from './cleanup.js';
import { startListenerProcess, type ListenerProcess, type Target } from './listeners.js';

export interface Truth {
  /** SYN out to SYN-ACK back, as seen at the host's end of the link, ms: the round trip a perfect prober would measure. */
  rtts: number[];
  /** How late the line let delayed packets go, past their due time, µs. */
  lateUs: { n: number; p50: number | null; p99: number | null; max: number | null };
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
 * a TUN device in this namespace, the other end a TUN device moved into the new namespace; the delay line
 * (test/helpers/delay-line.py, the tests' stand-in for netem) holds both and carries every packet between them.
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
  // Real-time priority (the line's own process only) keeps the injected delay exact on a busy machine; the gateway is not favoured.
  const relay = spawn('python3', [DELAY_LINE_SCRIPT, tunHost, tunNs, '--rt-priority', '10', '--spin-us', process.env.BENCH_LINE_SPIN_US ?? '200'], { stdio: ['pipe', 'pipe', 'inherit'] });
  const unregisterRelay = killOnExit(relay, 'delay line');
  const lines = createInterface({ input: relay.stdout! });
  const pending: { resolve: (line: string) => void; reject: (error: Error) => void }[] = [];
  lines.on('line', (line) => pending.shift()?.resolve(line));
  // One exit listener for every answer still awaited (one per command would pile up past Node's warning limit).
  relay.once('exit', () => pending.splice(0).forEach(({ reject }) => reject(new Error('the delay line exited'))));
  const nextLine = () => new Promise<string>((resolve, reject) => {
    if (relay.exitCode !== null || relay.signalCode !== null) reject(new Error('the delay line exited'));
    else pending.push({ resolve, reject });
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
    if ((await nextLine()) !== 'ready') throw new Error('the delay line did not start');
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
  // Every command is answered with one line, in order.
  const command = (text: string) => {
    const answer = nextLine();
    relay.stdin!.write(`${text}\n`);
    return answer;
  };
  return {
    namespace,
    hostAddress,
    nsAddress,
    targets: listeners.targets,
    setDelay: (ms) => void command(`delay ${ms}`),
    // Both answer with what was collected since they were last given, and start afresh: here only the restart matters.
    resetTruth: () => {
      void command('handshakes');
      void command('stats');
    },
    async truth() {
      const [handshakes, stats] = await Promise.all([command('handshakes'), command('stats')]);
      const { rtt_ms: rtts } = JSON.parse(handshakes) as { rtt_ms: number[] };
      const { late_us: lateUs } = JSON.parse(stats) as { late_us: Truth['lateUs'] };
      return { rtts, lateUs };
    },
    remove,
  };
}
