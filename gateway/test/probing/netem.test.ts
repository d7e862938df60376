// Connect time is the true SYN/SYN-ACK round trip: measured over a link whose delay netem sets (tc netem on a veth
// pair, or, where the kernel has no netem, the userspace TUN delay line: see helpers/netns.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createResolver } from '../../src/probing/resolve.js';
import { checkTcp } from '../../src/probing/tcp.js';
import { createVethNamespace, netnsTestsEnabled, type VethNamespace } from '../helpers/netns.js';

const PORT = 7000;
const DELAY_MS = 30;
const TOLERANCE_MS = 2;
const SAMPLES = 20;

describe.skipIf(!netnsTestsEnabled('netem.test.ts'))('connect time over a delayed link', () => {
  const resolver = createResolver();
  let ns: VethNamespace | undefined;

  beforeAll(async () => {
    ns = await createVethNamespace();
    await ns.listen(PORT);
  });

  afterAll(async () => {
    await ns?.remove();
  });

  const check = (timeoutMs = 2000) => checkTcp({ host: ns!.nsAddress, port: PORT, timeoutMs }, { resolver });

  /** Connect times of SAMPLES checks made one after another, sorted. */
  const connectTimes = async () => {
    const connectMs: number[] = [];
    for (let i = 0; i < SAMPLES; i++) {
      const result = await check();
      expect(result).toMatchObject({ outcome: 'success', actualIpv4: ns!.nsAddress });
      connectMs.push(result.connectMs!);
    }
    return connectMs.sort((a, b) => a - b);
  };
  /** Nearest-rank quantile of sorted values. */
  const quantile = (sorted: number[], q: number) => sorted[Math.ceil(q * sorted.length) - 1]!;
  const show = (sorted: number[]) =>
    `median ${quantile(sorted, 0.5).toFixed(3)}, p90 ${quantile(sorted, 0.9).toFixed(3)}, all ${sorted.map((ms) => ms.toFixed(3)).join(' ')}`;

  it('measures the round trip that netem adds', async () => {
    // The first connect also waits for ARP to learn the neighbour's MAC; later ones show the bare link.
    expect((await check()).outcome).toBe('success');
    const bare = await connectTimes();
    console.info(`bare link: connectMs ${show(bare)}`);
    expect(quantile(bare, 0.5)).toBeLessThan(TOLERANCE_MS);

    // The shaper's own cost, with no delay: for netem next to nothing; the delay line takes every packet towards the
    // namespace through a userspace process (a wake-up and a copy, ~0.1-0.3 ms), and the connect now completes after
    // this process has gone to sleep rather than within its connect call, so this process's wake-up counts too.
    await ns!.netem(['delay', '0ms']);
    const zero = await connectTimes();
    const baselineMs = quantile(zero, 0.5);
    console.info(`${ns!.shaper}, delay 0: connectMs ${show(zero)}`);
    expect(baselineMs).toBeLessThan(TOLERANCE_MS);

    // Delay on the host end's egress only: the SYN waits, the SYN-ACK does not, so the round trip is DELAY_MS more.
    await ns!.netem(['delay', `${DELAY_MS}ms`]);
    await ns!.delayLine?.stats(); // restarts its lateness record
    const delayed = await connectTimes();
    const expectedMs = DELAY_MS + baselineMs;
    // With the delay line, also how late it sent the delayed packets: its own stalls, as opposed to this process's.
    const late = (await ns!.delayLine?.stats())?.late_us;
    const lineLate = late ? `; delay line late p50 ${late.p50} us, p99 ${late.p99} us, max ${late.max} us` : '';
    console.info(`${ns!.shaper}, delay ${DELAY_MS} ms: connectMs ${show(delayed)}; expected ${expectedMs.toFixed(3)}${lineLate}`);
    // Not every sample is held within TOLERANCE_MS of the delay: a sample is one SYN/SYN-ACK exchange timed by this
    // process, so a scheduling stall of this process (or of the delay line) lands in it whole. On this kind of machine
    // (2 vCPUs, test files in parallel) under load, single samples 3-40 ms too long were seen over the delay line and
    // over the bare veth pair alike, while the delay line sent the delayed SYNs within 0.5 ms of their due time (its
    // late_us above). What is held: no connect is faster than the injected delay (a SYN never leaves early); the
    // median is the injected delay plus the shaper's cost at delay 0 within TOLERANCE_MS; and so is the 90th
    // percentile, so at most 2 of 20 samples may be stalled.
    for (const ms of delayed) expect(ms).toBeGreaterThanOrEqual(DELAY_MS);
    expect(Math.abs(quantile(delayed, 0.5) - expectedMs)).toBeLessThanOrEqual(TOLERANCE_MS);
    expect(quantile(delayed, 0.9) - expectedMs).toBeLessThanOrEqual(TOLERANCE_MS);
  });

  it('counts a resent SYN in the connect time: the kernel takes no handshake sample then, the clock does', async () => {
    await ns!.netem(['loss', '100%']);
    const pending = check(3000);
    await new Promise((resolve) => setTimeout(resolve, 300));
    await ns!.netem(['delay', '0ms']);
    const result = await pending;
    expect(result.outcome).toBe('success');
    // Linux sends an unanswered SYN again after 1 s; the kernel's round trip alone would be well under 1 ms here.
    expect(result.connectMs).toBeGreaterThanOrEqual(950);
    expect(result.connectMs).toBeLessThan(1500);
  });

  it('times out when the link drops every packet', async () => {
    await ns!.netem(['loss', '100%']);
    const started = performance.now();
    const result = await check(300);
    const elapsedMs = performance.now() - started;
    expect(result).toMatchObject({ outcome: 'timeout', connectMs: null });
    // Node arms timers from the loop's cached clock, so they may fire a few ms early; a busy machine makes them late.
    expect(elapsedMs).toBeGreaterThanOrEqual(295);
    expect(elapsedMs).toBeLessThan(400);
  });
});
