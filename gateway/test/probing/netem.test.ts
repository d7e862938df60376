// Connect time is the true SYN/SYN-ACK round trip: measured over a veth link whose delay tc netem sets.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createResolver } from '../../src/probing/resolve.js';
import { checkTcp } from '../../src/probing/tcp.js';
import { createVethNamespace, netnsTestsEnabled, type VethNamespace } from '../helpers/netns.js';

const PORT = 7000;
const DELAY_MS = 30;
const TOLERANCE_MS = 2;

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

  it('measures the round trip that netem adds', async () => {
    // The first connect also waits for ARP to learn the neighbour's MAC; later ones show the bare link.
    expect((await check()).outcome).toBe('success');
    const undelayed = await check();
    expect(undelayed.outcome).toBe('success');
    expect(undelayed.connectMs).toBeLessThan(TOLERANCE_MS);

    // Delay on the host end's egress only: the SYN waits, the SYN-ACK does not, so the round trip is DELAY_MS.
    await ns!.netem(['delay', `${DELAY_MS}ms`]);
    const connectMs: number[] = [];
    for (let i = 0; i < 10; i++) {
      const result = await check();
      expect(result).toMatchObject({ outcome: 'success', actualIpv4: ns!.nsAddress });
      connectMs.push(result.connectMs!);
    }
    const median = [...connectMs].sort((a, b) => a - b)[5]!;
    const all = connectMs.map((ms) => ms.toFixed(3)).join(' ');
    console.info(`netem delay ${DELAY_MS} ms: connectMs median ${median.toFixed(3)}, all ${all}`);
    expect(Math.abs(median - DELAY_MS)).toBeLessThanOrEqual(TOLERANCE_MS);
    for (const ms of connectMs) expect(Math.abs(ms - DELAY_MS)).toBeLessThanOrEqual(TOLERANCE_MS);
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
