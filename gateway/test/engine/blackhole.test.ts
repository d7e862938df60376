// A site goes dark: 2,000 probes against a port that drops SYNs must not make 50 healthy probes late (real sockets).
import { loadavg } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBlackhole, quantile, type BlackholeReport } from '../helpers/blackhole.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { startListener, startUnansweredListener, type TestListener } from '../helpers/listeners.js';

let healthyListener: TestListener;
let darkListener: TestListener;

beforeAll(async () => {
  healthyListener = await startListener();
  darkListener = await startUnansweredListener();
});
afterAll(async () => {
  await healthyListener?.close();
  await darkListener?.close();
});

const MiB = 1024 * 1024;
/** The scenario: 2,000 probes every 5 s with a 4 s timeout (1,600 checks waiting at any time), 50 healthy every second. */
const SCENARIO = { dark: 2000, darkIntervalSeconds: 5, darkTimeoutMs: 4000, healthy: 50, warmupMs: 10_000, measureMs: 30_000 };

function summary(report: BlackholeReport) {
  return {
    healthySlotRatio: report.healthyStarted / report.healthySlots,
    healthyLagP50: quantile(report.healthyLagsMs, 0.5),
    healthyLagP99: quantile(report.healthyLagsMs, 0.99),
    healthyLagMax: report.healthyLagsMs.at(-1),
    darkStarted: report.darkStarted,
    darkLagP99: quantile(report.darkLagsMs, 0.99),
    missed: report.missed,
    fdsBefore: report.fdsBefore,
    fdsMax: report.fdsMax,
    rssBeforeMiB: Math.round(report.rssBeforeBytes / MiB),
    rssMaxMiB: Math.round(report.rssMaxBytes / MiB),
    inFlightMax: report.inFlightMax,
    loopDelayP99Ms: report.loopDelayP99Ms,
    loopDelayMaxMs: report.loopDelayMaxMs,
    loadAverage: loadavg()[0],
  };
}

async function scenario(env: Record<string, string>) {
  const gateway: TestGateway = await startTestGateway(env);
  try {
    const report = await runBlackhole(gateway, { ...SCENARIO, darkPort: darkListener.port, healthyTargets: [{ host: '127.0.0.1', port: healthyListener.port }] });
    const figures = summary(report);
    console.log(JSON.stringify(figures));
    return { report, figures, status: await gateway.engine.status() };
  } finally {
    await gateway.dispose();
  }
}

/** What holds whatever the cap: the healthy probes keep ≥ 95 % of their slots, on time; fds and RSS stay bounded. */
function expectHealthyOnTime(report: BlackholeReport, figures: ReturnType<typeof summary>, inFlightBound: number) {
  expect(report.healthySlots).toBeGreaterThanOrEqual(SCENARIO.healthy * (SCENARIO.measureMs / 1000 - 1));
  expect(figures.healthySlotRatio).toBeGreaterThanOrEqual(0.95);
  // The bound is on the gateway: when other processes keep this one off the CPU (two cores, shared with other test
  // runs), its event loop itself stalls, and every check due in a stall starts late alike. So the 50 ms are widened by
  // the loop's longest stall beyond 20 ms: on a quiet machine that is nothing, on a loaded one a few hundred ms, still
  // far below what waiting behind silent checks costs (seconds: a FIFO queue gave a p99 of 2.25 s here).
  expect(figures.healthyLagP99).toBeLessThanOrEqual(50 + Math.max(0, report.loopDelayMaxMs - 20));
  // One descriptor per check in flight (the dark ones), the healthy ones' both ends, and some slack for the rest.
  expect(report.fdsMax - report.fdsBefore).toBeLessThanOrEqual(inFlightBound + 2 * SCENARIO.healthy + 200);
  // ~6 KiB a pending connect plus the probes' own state and the import's garbage: well under 150 MiB.
  expect(report.rssMaxBytes - report.rssBeforeBytes).toBeLessThan(150 * MiB);
}

describe('a site that drops SYNs beside healthy targets', () => {
  it('with the cap sized to the machine: every dark check runs on its slot and times out, the healthy ones stay on time', async () => {
    const { report, figures } = await scenario({});
    expectHealthyOnTime(report, figures, SCENARIO.dark);
    // All 1,600 waiting checks fit: the dark probes keep their slots too (they time out, which is what they report).
    expect(report.inFlightMax).toBeGreaterThanOrEqual(1500);
    expect(report.darkStarted).toBeGreaterThanOrEqual(0.95 * SCENARIO.dark * (SCENARIO.measureMs / 1000 / SCENARIO.darkIntervalSeconds));
    expect(report.missed).toEqual({ overlap: 0, queued: 0, late: 0 });
  }, 90_000);

  it('with a cap that binds (600, where 1,600 are needed): the dark probes wait behind the healthy ones and say so', async () => {
    const { report, figures, status } = await scenario({ GATEWAY_MAX_IN_FLIGHT: '600' });
    expectHealthyOnTime(report, figures, 600);
    expect(report.inFlightMax).toBeLessThanOrEqual(600);
    // 540 slots (the cap less its headroom) for checks that hold one 4 s each: ~135 a second of the 400 due.
    expect(report.missed.queued).toBeGreaterThan(1000);
    expect(report.missed.late).toBeGreaterThan(1000);
    const dark = status.filter((s) => s.target === `127.0.0.1:${darkListener.port}`);
    expect(dark.filter((s) => s.timeliness !== 'on_time').length).toBeGreaterThan(dark.length / 2);
    expect(dark.find((s) => s.timeliness === 'skipped')).toMatchObject({ missedSlotReason: expect.stringMatching(/^(queued|overlap)$/), missedSlotAt: expect.any(String) });
    const healthy = status.filter((s) => s.target === `127.0.0.1:${healthyListener.port}`);
    expect(healthy.filter((s) => s.timeliness === 'on_time').length).toBeGreaterThanOrEqual(healthy.length - 1);
  }, 90_000);
});
