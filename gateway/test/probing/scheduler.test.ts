// The scheduler against a deterministic fake clock (phases, re-phasing, cap, overlap, skips, lag, stop), and once against real time.
import { describe, expect, it } from 'vitest';
import { EARLY_CHECKS_PER_SECOND, lateAfterMs, nextDueAt, phaseOffsetMs, Scheduler, SOON_SLOT_MARGIN_MS, type SchedulerClock, type SchedulerOptions, type SkipReason } from '../../src/probing/scheduler.js';

/** A clock whose time moves only when the test says; timers fire in due order at their own instants. */
class FakeClock implements SchedulerClock {
  private readonly timers = new Map<number, { at: number; fn: () => void }>();
  private nextHandle = 1;
  /** The most timers ever pending at once. */
  maxPending = 0;

  constructor(private nowMs: number) {}

  now(): number {
    return this.nowMs;
  }

  setTimer(fn: () => void, ms: number): unknown {
    const handle = this.nextHandle++;
    this.timers.set(handle, { at: this.nowMs + ms, fn });
    this.maxPending = Math.max(this.maxPending, this.timers.size);
    return handle;
  }

  clearTimer(handle: unknown): void {
    this.timers.delete(handle as number);
  }

  get pending(): number {
    return this.timers.size;
  }

  /** Moves time to `untilMs`, firing each timer at its instant and letting promise callbacks settle after it. */
  async advanceTo(untilMs: number): Promise<void> {
    for (;;) {
      let earliest: [number, { at: number; fn: () => void }] | undefined;
      for (const entry of this.timers) {
        if (entry[1].at <= untilMs && (earliest === undefined || entry[1].at < earliest[1].at)) earliest = entry;
      }
      if (earliest === undefined) break;
      this.timers.delete(earliest[0]);
      this.nowMs = Math.max(this.nowMs, earliest[1].at);
      earliest[1].fn();
      await settle();
    }
    this.nowMs = Math.max(this.nowMs, untilMs);
    await settle();
  }

  advance(ms: number): Promise<void> {
    return this.advanceTo(this.nowMs + ms);
  }

  /** Moves time without firing timers, as a blocked event loop or a suspended host would. */
  stall(ms: number): void {
    this.nowMs += ms;
  }
}

/** Lets every pending promise callback run. */
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** A promise the test resolves by hand. */
function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => { resolve = r; });
  return { promise, resolve };
}

/** A start time on every grid whose interval divides a minute, so due times are easy to read. */
const T0 = Date.UTC(2026, 0, 1);

interface Run { probeId: string; dueAt: number; startedAt: number }

/** A scheduler on a fake clock that records runs, lags and skips; checks finish at once unless `hold` is set. */
function harness(options: Partial<SchedulerOptions> & { hold?: boolean } = {}) {
  const clock = new FakeClock(T0);
  const runs: Run[] = [];
  const lags: number[] = [];
  const skips: { probeId: string; dueAt: number; reason: SkipReason }[] = [];
  const inFlightSeen: number[] = [];
  const held = new Map<string, () => void>();
  /** Probes whose check was started while their previous one still ran. */
  const overlapping: string[] = [];
  const scheduler = new Scheduler({
    maxInFlight: 100,
    clock,
    runCheck: (probeId, dueAt) => {
      runs.push({ probeId, dueAt, startedAt: clock.now() });
      if (held.has(probeId)) overlapping.push(probeId);
      if (!options.hold) return Promise.resolve();
      const { promise, resolve } = deferred();
      held.set(probeId, resolve);
      return promise;
    },
    onLag: (lag) => lags.push(lag),
    onSkip: (probeId, dueAt, reason) => skips.push({ probeId, dueAt, reason }),
    onInFlightChange: (n) => inFlightSeen.push(n),
    ...options,
  });
  /** Finishes a held check. */
  const finish = async (probeId: string): Promise<void> => {
    const resolve = held.get(probeId);
    if (resolve === undefined) throw new Error(`no check of ${probeId} is running`);
    held.delete(probeId);
    resolve();
    await settle();
  };
  return { clock, scheduler, runs, lags, skips, inFlightSeen, overlapping, finish };
}

/** Ids in the order they fall due in the first interval after T0. */
function idsByPhase(count: number, intervalMs: number): string[] {
  return Array.from({ length: count }, (_, i) => `probe-${i}`)
    .sort((a, b) => nextDueAt(T0 + 1, a, intervalMs) - nextDueAt(T0 + 1, b, intervalMs));
}

describe('phaseOffsetMs and nextDueAt', () => {
  it('keeps the phase of an id fixed (a restart or an upgrade must not re-phase every probe)', () => {
    expect(phaseOffsetMs('probe-1', 60_000)).toBe(phaseOffsetMs('probe-1', 60_000));
    // Pinned values: changing the hash would move every probe's phase on upgrade.
    expect(phaseOffsetMs('probe-1', 60_000)).toBe(39_355);
    expect(phaseOffsetMs('3f2504e0-4f89-11d3-9a0c-0305e82c3301', 300_000)).toBe(273_129);
    expect(phaseOffsetMs('', 60_000)).toBe(18_923);
  });

  it('lies within the interval', () => {
    for (const interval of [1, 2, 7, 1000, 60_000, 86_400_000]) {
      for (let i = 0; i < 1000; i++) {
        const phase = phaseOffsetMs(`p${i}`, interval);
        expect(Number.isInteger(phase) && phase >= 0 && phase < interval).toBe(true);
      }
    }
  });

  // 10,000 ids over 60 one-second buckets: 166.7 expected per bucket, standard deviation 12.8.
  // The bounds 100..240 sit more than 5 standard deviations out (a uniform hash breaks them with
  // probability ~2e-6); the chi-square bound is the 0.999 quantile for 59 degrees of freedom.
  it.each([
    ['sequential ids', (i: number) => `probe-${i}`],
    ['UUID-shaped ids', (i: number) => `00000000-0000-4000-8000-${i.toString(16).padStart(12, '0')}`],
    ['numeric ids', (i: number) => String(i)],
  ])('spreads 10,000 %s evenly over a 60 s interval', (_kind, id) => {
    const buckets = new Array<number>(60).fill(0);
    for (let i = 0; i < 10_000; i++) buckets[Math.floor(phaseOffsetMs(id(i), 60_000) / 1000)]!++;
    expect(Math.min(...buckets)).toBeGreaterThanOrEqual(100);
    expect(Math.max(...buckets)).toBeLessThanOrEqual(240);
    const expected = 10_000 / 60;
    const chiSquare = buckets.reduce((sum, n) => sum + (n - expected) ** 2 / expected, 0);
    expect(chiSquare).toBeLessThan(98.32);
  });

  it('spreads evenly over an interval that is a power of two too (where plain FNV-1a does not)', () => {
    const buckets = new Array<number>(64).fill(0);
    for (let i = 0; i < 10_000; i++) buckets[Math.floor(phaseOffsetMs(`probe-${i}`, 65_536) / 1024)]!++;
    const expected = 10_000 / 64;
    const chiSquare = buckets.reduce((sum, n) => sum + (n - expected) ** 2 / expected, 0);
    expect(chiSquare).toBeLessThan(103.44); // 0.999 quantile, 63 degrees of freedom
  });

  it('finds the next slot at or after now on the probe grid', () => {
    const id = 'probe-1';
    const interval = 60_000;
    const phase = phaseOffsetMs(id, interval);
    expect(nextDueAt(T0, id, interval)).toBe(T0 + phase);
    expect(nextDueAt(T0 + phase, id, interval)).toBe(T0 + phase);
    expect(nextDueAt(T0 + phase + 1, id, interval)).toBe(T0 + phase + interval);
    expect(nextDueAt(T0 + phase - 1, id, interval)).toBe(T0 + phase);
    for (let now = T0; now < T0 + 3 * interval; now += 977) {
      const due = nextDueAt(now, id, interval);
      expect(due).toBeGreaterThanOrEqual(now);
      expect(due).toBeLessThan(now + interval);
      expect((due - phase) % interval).toBe(0);
    }
  });
});

/** The smallest distance between two of the phases, around the interval's circle. */
function smallestGap(phases: number[], intervalMs: number): number {
  const sorted = [...phases].sort((a, b) => a - b);
  return Math.min(...sorted.map((p, i) => (i + 1 < sorted.length ? sorted[i + 1]! : sorted[0]! + intervalMs) - p));
}

describe('phase slots (one probe run from several locations)', () => {
  it('keeps slot 0 on the probe\'s own phase, so one-location probes keep theirs', () => {
    for (const interval of [1000, 60_000, 300_000]) {
      for (let i = 0; i < 200; i++) {
        expect(phaseOffsetMs(`p${i}`, interval, 0)).toBe(phaseOffsetMs(`p${i}`, interval));
        expect(nextDueAt(T0 + i * 37, `p${i}`, interval, 0)).toBe(nextDueAt(T0 + i * 37, `p${i}`, interval));
      }
    }
    expect(phaseOffsetMs('probe-1', 60_000, 0)).toBe(39_355); // the pinned value above
  });

  it('follows the formula: the probe phase plus frac(slot x 0.618...) of the interval, within the interval', () => {
    expect(phaseOffsetMs('probe-1', 60_000, 1)).toBe((39_355 + Math.round(0.6180339887 * 60_000)) % 60_000);
    expect(phaseOffsetMs('probe-1', 60_000, 2)).toBe((39_355 + Math.round(((2 * 0.6180339887) % 1) * 60_000)) % 60_000);
    for (const interval of [1, 2, 7, 1000, 86_400_000]) {
      for (let slot = 0; slot < 16; slot++) {
        const phase = phaseOffsetMs('probe-1', interval, slot);
        expect(Number.isInteger(phase) && phase >= 0 && phase < interval).toBe(true);
      }
    }
  });

  // With n slots evenly spaced the gap would be interval / n; the golden-ratio steps keep at least 0.47 of that.
  it.each([1000, 10_000, 60_000, 300_000, 3_600_000])('spreads 2..16 slots of one probe a fair share of a %i ms interval apart', (interval) => {
    for (const id of ['probe-1', '42', '3f2504e0-4f89-11d3-9a0c-0305e82c3301']) {
      for (let n = 2; n <= 16; n++) {
        const phases = Array.from({ length: n }, (_, slot) => phaseOffsetMs(id, interval, slot));
        expect(smallestGap(phases, interval), `${n} slots of ${id}`).toBeGreaterThanOrEqual(0.47 * interval / n);
      }
    }
  });

  it("keeps a location's runs on its grid while other locations come and go: no gap, no double run, never together", async () => {
    // Each location is a gateway of its own, with its own scheduler; here they share one clock.
    const clock = new FakeClock(T0);
    const runs: { slot: number; dueAt: number }[] = [];
    const location = (slot: number) => {
      const scheduler = new Scheduler({ maxInFlight: 10, clock, runCheck: async (_id, dueAt) => { runs.push({ slot, dueAt }); } });
      scheduler.upsert('a', 10_000, slot);
      scheduler.start();
      return scheduler;
    };
    const kept = location(3);
    const others = new Map<number, Scheduler>();
    for (const [atMs, add, remove] of [[25_000, [0, 1], []], [47_000, [2, 4, 5, 6], [0]], [81_000, [], [1, 2, 4]], [99_000, [7], [5, 6]]] as const) {
      await clock.advanceTo(T0 + atMs);
      for (const slot of add) others.set(slot, location(slot));
      for (const slot of remove) { await others.get(slot)!.stop(); others.delete(slot); }
    }
    await clock.advanceTo(T0 + 130_000);
    const first = nextDueAt(T0, 'a', 10_000, 3);
    expect(runs.filter((r) => r.slot === 3).map((r) => r.dueAt)).toEqual(
      Array.from({ length: 13 }, (_, k) => first + k * 10_000).filter((t) => t <= T0 + 130_000),
    );
    const instants = runs.map((r) => r.dueAt);
    expect(new Set(instants).size).toBe(instants.length);
    await Promise.all([kept, ...others.values()].map((s) => s.stop()));
  });

  it('runs a probe on its slot\'s grid, and moves it to a new slot from the next slot on, without an extra run', async () => {
    const { clock, scheduler, runs, skips } = harness();
    scheduler.upsert('a', 10_000, 2);
    scheduler.start();
    const first = nextDueAt(T0, 'a', 10_000, 2);
    expect(scheduler.nextDue('a')).toBe(first);
    await clock.advanceTo(first + 20_000);
    expect(runs.map((r) => r.dueAt)).toEqual([first, first + 10_000, first + 20_000]);
    expect(runs.every((r) => (r.dueAt - phaseOffsetMs('a', 10_000, 2)) % 10_000 === 0)).toBe(true);
    scheduler.upsert('a', 10_000, 2); // the same slot again changes nothing
    scheduler.upsert('a', 10_000, 5);
    const moved = nextDueAt(first + 20_001, 'a', 10_000, 5);
    await clock.advanceTo(first + 60_000);
    expect(runs.map((r) => r.dueAt).slice(3)).toEqual([0, 1, 2, 3].map((k) => moved + k * 10_000).filter((t) => t <= first + 60_000));
    expect(skips).toEqual([]);
    await scheduler.stop();
  });

  it('rejects a negative or fractional slot', () => {
    const { scheduler } = harness();
    expect(() => scheduler.upsert('a', 1000, -1)).toThrow(/phaseSlot/);
    expect(() => scheduler.upsert('a', 1000, 1.5)).toThrow(/phaseSlot/);
    expect(scheduler.size).toBe(0);
  });
});

describe('Scheduler', () => {
  it('runs each probe on its own grid, at the due instant', async () => {
    const { clock, scheduler, runs, lags } = harness();
    for (const id of ['a', 'b', 'c']) scheduler.upsert(id, 1000);
    scheduler.start();
    await clock.advance(5000);
    for (const id of ['a', 'b', 'c']) {
      const first = nextDueAt(T0, id, 1000);
      expect(runs.filter((r) => r.probeId === id).map((r) => r.dueAt))
        .toEqual([0, 1, 2, 3, 4, 5].map((k) => first + k * 1000).filter((t) => t <= T0 + 5000));
    }
    expect(runs.every((r) => r.startedAt === r.dueAt)).toBe(true);
    expect(lags.every((lag) => lag === 0)).toBe(true);
    await scheduler.stop();
  });

  it('runs 50,000 probes at 60 s once each per interval, in due order, from a single timer', async () => {
    const { clock, scheduler, runs } = harness({ maxInFlight: 1000 });
    for (let i = 0; i < 50_000; i++) scheduler.upsert(`probe-${i}`, 60_000);
    expect(scheduler.size).toBe(50_000);
    scheduler.start();
    await clock.advance(60_000 - 1);
    expect(runs).toHaveLength(50_000);
    expect(new Set(runs.map((r) => r.probeId)).size).toBe(50_000);
    expect(runs.every((r, i) => i === 0 || runs[i - 1]!.dueAt <= r.dueAt)).toBe(true);
    expect(runs.every((r) => (r.dueAt - phaseOffsetMs(r.probeId, 60_000)) % 60_000 === 0)).toBe(true);
    expect(clock.maxPending).toBe(1);
    await scheduler.stop();
  });

  it('arms nothing before start, then arms every probe from now', async () => {
    const { clock, scheduler, runs } = harness();
    scheduler.upsert('a', 1000);
    await clock.advance(10_000);
    expect(runs).toHaveLength(0);
    expect(clock.pending).toBe(0);
    scheduler.start();
    await clock.advance(1000);
    expect(runs.map((r) => r.dueAt)).toEqual([nextDueAt(T0 + 10_000, 'a', 1000)]);
    await scheduler.stop();
  });

  it('moves a probe to its new grid when its interval changes, without an extra run', async () => {
    const { clock, scheduler, runs } = harness();
    scheduler.upsert('a', 10_000);
    scheduler.start();
    const firstDue = nextDueAt(T0, 'a', 10_000);
    await clock.advanceTo(firstDue + 1);
    scheduler.upsert('a', 4000);
    scheduler.upsert('a', 4000); // the same interval again changes nothing
    await clock.advanceTo(firstDue + 30_000);
    // Only the new grid from the first slot after the change; the old grid's slots never fire.
    const newFirst = nextDueAt(firstDue + 2, 'a', 4000);
    expect(runs.map((r) => r.dueAt)).toEqual(
      [firstDue, ...[0, 1, 2, 3, 4, 5, 6, 7].map((k) => newFirst + k * 4000)].filter((t) => t <= firstDue + 30_000),
    );
    await scheduler.stop();
  });

  it('does not run a probe twice at the instant its interval changes, even when that instant is on the new grid', async () => {
    // An id whose 10 s and 5 s grids share slots, so "the first slot at or after now" would be now itself.
    let id = '';
    for (let i = 0; ; i++) {
      id = `p${i}`;
      if ((phaseOffsetMs(id, 10_000) - phaseOffsetMs(id, 5000)) % 5000 === 0) break;
    }
    const { clock, scheduler, runs, skips } = harness();
    scheduler.upsert(id, 10_000);
    scheduler.start();
    const first = nextDueAt(T0, id, 10_000);
    await clock.advanceTo(first); // the check ran and finished within this millisecond
    scheduler.upsert(id, 5000);
    await clock.advanceTo(first + 10_000);
    expect(runs.map((r) => r.dueAt)).toEqual([first, first + 5000, first + 10_000]);
    expect(skips).toEqual([]);
    await scheduler.stop();
  });

  it('never runs a removed probe again; a check already running finishes', async () => {
    const { clock, scheduler, runs, finish } = harness({ hold: true });
    scheduler.upsert('a', 1000);
    scheduler.upsert('b', 1000);
    scheduler.start();
    await clock.advance(1000);
    expect(scheduler.inFlight).toBe(2);
    scheduler.remove('a');
    expect(scheduler.size).toBe(1);
    await clock.advance(5000);
    expect(runs.filter((r) => r.probeId === 'a')).toHaveLength(1);
    await finish('a');
    await clock.advance(5000);
    expect(runs.filter((r) => r.probeId === 'a')).toHaveLength(1);
    expect(scheduler.inFlight).toBe(1); // b's first check is still held
    await finish('b');
    await clock.advance(2000);
    expect(runs.filter((r) => r.probeId === 'b').length).toBeGreaterThan(1);
    await finish('b');
    await scheduler.stop();
  });

  it('drops a removed probe from the queue', async () => {
    const { clock, scheduler, runs, finish } = harness({ hold: true, maxInFlight: 1 });
    const [first, second] = idsByPhase(2, 60_000) as [string, string];
    scheduler.upsert(first, 60_000);
    scheduler.upsert(second, 60_000);
    scheduler.start();
    await clock.advance(59_999);
    expect(scheduler.queued).toBe(1);
    scheduler.remove(second);
    expect(scheduler.queued).toBe(0);
    await finish(first);
    expect(runs.map((r) => r.probeId)).toEqual([first]);
    await scheduler.stop();
  });

  it('caps checks in flight and starts waiting ones in FIFO order, reporting the wait as lag', async () => {
    const interval = 60_000;
    const { clock, scheduler, runs, lags, finish, inFlightSeen } = harness({ hold: true, maxInFlight: 2 });
    const ids = idsByPhase(5, interval);
    for (const id of ids) scheduler.upsert(id, interval);
    scheduler.start();
    const lastDue = nextDueAt(T0 + 1, ids[4]!, interval);
    await clock.advanceTo(lastDue);
    expect(runs.map((r) => r.probeId)).toEqual(ids.slice(0, 2));
    expect([scheduler.inFlight, scheduler.queued]).toEqual([2, 3]);

    await clock.advance(500);
    await finish(ids[1]!);
    await clock.advance(500);
    await finish(ids[0]!);
    expect(runs.map((r) => r.probeId)).toEqual(ids.slice(0, 4));
    await finish(ids[2]!);
    expect(runs.map((r) => r.probeId)).toEqual(ids);
    expect(scheduler.queued).toBe(0);

    const dueOf = (id: string) => nextDueAt(T0 + 1, id, interval);
    expect(lags).toEqual([
      0, 0,
      lastDue + 500 - dueOf(ids[2]!),
      lastDue + 1000 - dueOf(ids[3]!),
      lastDue + 1000 - dueOf(ids[4]!),
    ]);
    expect(Math.max(...inFlightSeen)).toBe(2);
    await finish(ids[3]!);
    await finish(ids[4]!);
    expect(scheduler.inFlight).toBe(0);
    await scheduler.stop();
  });

  it('skips an occurrence while the previous check of that probe still runs, rather than piling runs up', async () => {
    const { clock, scheduler, runs, skips, overlapping, finish } = harness({ hold: true });
    scheduler.upsert('a', 1000);
    scheduler.start();
    const first = nextDueAt(T0, 'a', 1000);
    await clock.advanceTo(first + 2500); // the first check is still running at +1000 and +2000
    expect(runs).toHaveLength(1);
    expect(skips).toEqual([
      { probeId: 'a', dueAt: first + 1000, reason: 'overlap' },
      { probeId: 'a', dueAt: first + 2000, reason: 'overlap' },
    ]);
    expect(scheduler.skippedCounts).toEqual({ inactive: 0, overlap: 2, queued: 0 });
    await finish('a');
    await clock.advanceTo(first + 3000);
    expect(runs.map((r) => r.dueAt)).toEqual([first, first + 3000]);
    expect(scheduler.inFlight).toBe(1);
    expect(overlapping).toEqual([]);
    await finish('a');
    await scheduler.stop();
  });

  it('keeps answering probes on time while silent ones time out at the cap: they wait behind, within all but the headroom', async () => {
    // 20 probes whose target drops SYNs (every check times out after 4 s) at 5 s need 16 slots; the cap is 10.
    const clock = new FakeClock(T0);
    const interval = 5_000;
    const okLags: number[] = [];
    let silentRunning = 0;
    let maxSilentRunning = 0;
    const skips: SkipReason[] = [];
    let lateStarts = 0;
    const scheduler = new Scheduler({
      maxInFlight: 10,
      clock,
      runCheck: (probeId, dueAt) => {
        if (probeId.startsWith('ok')) {
          okLags.push(clock.now() - dueAt);
          return Promise.resolve(true);
        }
        silentRunning++;
        maxSilentRunning = Math.max(maxSilentRunning, silentRunning);
        return new Promise((resolve) => clock.setTimer(() => { silentRunning--; resolve(false); }, 4_000));
      },
      onSkip: (_id, _dueAt, reason) => skips.push(reason),
      onLate: () => { lateStarts++; },
    });
    for (let i = 0; i < 20; i++) scheduler.upsert(`dark-${i}`, interval);
    for (let i = 0; i < 5; i++) scheduler.upsert(`ok-${i}`, interval);
    scheduler.start();
    // The first intervals learn which targets are silent (until then they take any slot); from then on the answering
    // probes start at their due instant, every time.
    await clock.advance(3 * interval);
    okLags.length = 0;
    maxSilentRunning = 0;
    await clock.advance(10 * interval);
    expect(okLags).toHaveLength(50);
    expect(Math.max(...okLags)).toBe(0);
    expect(maxSilentRunning).toBe(9); // the cap less its 10 % headroom
    // The silent probes could not keep their schedule, and said so.
    expect(skips.filter((r) => r === 'queued').length).toBeGreaterThan(0);
    expect(lateStarts).toBeGreaterThan(0);
    const stopped = scheduler.stop();
    await clock.advance(5_000); // the checks still running time out
    await stopped;
  });

  it('starts a waiting answering probe before silent ones that waited longer', async () => {
    const clock = new FakeClock(T0);
    const interval = 60_000;
    const held = new Map<string, (answered: boolean) => void>();
    const started: string[] = [];
    const scheduler = new Scheduler({
      maxInFlight: 2,
      clock,
      runCheck: (probeId) => {
        started.push(probeId);
        return new Promise((resolve) => held.set(probeId, resolve));
      },
    });
    const ids = idsByPhase(5, interval);
    for (const id of ids) scheduler.upsert(id, interval);
    scheduler.start();
    // First interval: every target is silent but the last one's.
    for (const id of ids) {
      await clock.advanceTo(nextDueAt(T0 + 1, id, interval));
      held.get(id)!(id === ids[4]);
      held.delete(id);
      await settle();
    }
    // Second interval: two silent ones take the slots, two more queue, then the answering one comes last.
    started.length = 0;
    await clock.advanceTo(nextDueAt(T0 + 1, ids[4]!, interval) + interval);
    expect(started).toEqual(ids.slice(0, 2));
    expect(scheduler.queued).toBe(3);
    const first = held.get(ids[0]!)!;
    held.delete(ids[0]!);
    first(false);
    await settle();
    expect(started).toEqual([...ids.slice(0, 2), ids[4]]);
    for (const [running, resolve] of held) { held.delete(running); resolve(false); }
    await settle();
    expect(started).toEqual([...ids.slice(0, 2), ids[4], ids[2], ids[3]]);
    for (const [running, resolve] of held) { held.delete(running); resolve(false); }
    await settle();
    await scheduler.stop();
  });

  it('skips the next slot of a probe still waiting for a slot (queued), and reports its late start', async () => {
    const { clock, scheduler, runs, skips, finish } = harness({ hold: true, maxInFlight: 1 });
    const late: { probeId: string; dueAt: number; lagMs: number }[] = [];
    const withLate = new Scheduler({
      maxInFlight: 1,
      clock,
      runCheck: (probeId, dueAt) => scheduler['options'].runCheck(probeId, dueAt),
      onSkip: (probeId, dueAt, reason) => skips.push({ probeId, dueAt, reason }),
      onLate: (probeId, dueAt, lagMs) => late.push({ probeId, dueAt, lagMs }),
    });
    withLate.upsert('a', 10_000);
    withLate.upsert('b', 10_000);
    withLate.start();
    const [first, second] = ['a', 'b'].sort((x, y) => phaseOffsetMs(x, 10_000) - phaseOffsetMs(y, 10_000)) as [string, string];
    const dueFirst = nextDueAt(T0, first, 10_000);
    const dueSecond = nextDueAt(T0, second, 10_000);
    await clock.advanceTo(dueSecond + 10_000); // the first still runs: the second waited a whole interval
    expect(runs.map((r) => r.probeId)).toEqual([first]);
    expect(skips).toEqual(expect.arrayContaining([{ probeId: second, dueAt: dueSecond + 10_000, reason: 'queued' }]));
    expect(withLate.skippedCounts.queued).toBe(1);
    await clock.advance(500);
    await finish(first);
    expect(runs.map((r) => r.probeId)).toEqual([first, second]);
    // It ran for its first slot, 10.5 s after it was due: more than lateAfterMs(10 s) = 1 s.
    expect(late).toEqual([{ probeId: second, dueAt: dueSecond, lagMs: dueSecond + 10_500 - dueSecond }]);
    expect(lateAfterMs(10_000)).toBe(1_000);
    expect(lateAfterMs(60_000)).toBe(6_000);
    expect(dueFirst).toBeLessThan(dueSecond);
    await finish(second);
    await withLate.stop();
  });

  it('skips occurrences outside the probe window without calling runCheck, and resumes after', async () => {
    const asked: number[] = [];
    const first = nextDueAt(T0, 'a', 1000);
    const { clock, scheduler, runs, skips } = harness({
      isActive: (_id, atMs) => {
        asked.push(atMs);
        return atMs < first + 2000 || atMs >= first + 4000;
      },
    });
    scheduler.upsert('a', 1000);
    scheduler.start();
    await clock.advanceTo(first + 5000);
    expect(asked).toEqual([0, 1, 2, 3, 4, 5].map((k) => first + k * 1000));
    expect(runs.map((r) => r.dueAt)).toEqual([first, first + 1000, first + 4000, first + 5000]);
    expect(skips.map((s) => [s.dueAt, s.reason])).toEqual([[first + 2000, 'inactive'], [first + 3000, 'inactive']]);
    await scheduler.stop();
  });

  it('reports lag when the timer fires late, and after a long stall runs once rather than catching up', async () => {
    const { clock, scheduler, runs, lags, skips } = harness();
    scheduler.upsert('a', 1000);
    scheduler.start();
    const first = nextDueAt(T0, 'a', 1000);
    await clock.advanceTo(first);
    clock.stall(3700); // the loop was blocked over 3.7 intervals
    await clock.advance(0);
    expect(runs.map((r) => [r.dueAt, r.startedAt])).toEqual([[first, first], [first + 1000, first + 3700]]);
    expect(lags).toEqual([0, 2700]);
    expect(skips).toEqual([]); // the slots missed during the stall are neither run nor counted as overlaps
    await clock.advanceTo(first + 5000);
    // Back on the grid from the first slot after the late run: +4000 and +5000.
    expect(runs.map((r) => r.dueAt)).toEqual([first, first + 1000, first + 4000, first + 5000]);
    expect(lags.slice(2)).toEqual([0, 0]);
    await scheduler.stop();
  });

  it('keeps scheduling when a check rejects or isActive throws, reporting both', async () => {
    const errors: [string, unknown][] = [];
    const clock = new FakeClock(T0);
    let calls = 0;
    const scheduler = new Scheduler({
      maxInFlight: 10,
      clock,
      runCheck: async () => {
        calls++;
        throw new Error('boom');
      },
      isActive: (probeId) => {
        if (probeId === 'broken') throw new RangeError('bad window');
        return true;
      },
      onError: (probeId, error) => errors.push([probeId, error]),
    });
    scheduler.upsert('a', 1000);
    scheduler.upsert('broken', 1000);
    scheduler.start();
    await clock.advance(3000);
    expect(calls).toBe(3);
    expect(errors.filter(([id]) => id === 'a')).toHaveLength(3);
    expect(errors.filter(([id, e]) => id === 'broken' && e instanceof RangeError)).toHaveLength(3);
    expect(scheduler.skippedCounts.inactive).toBe(3);
    await scheduler.stop();
  });

  it('runs a probe now on request, within the cap and never beside its own running check', async () => {
    const { clock, scheduler, runs, finish } = harness({ hold: true, maxInFlight: 1 });
    scheduler.upsert('a', 60_000);
    scheduler.upsert('b', 60_000);
    expect(scheduler.runNow('a')).toBe(false); // not started
    scheduler.start();
    expect(scheduler.runNow('a')).toBe(true);
    expect(scheduler.runNow('a')).toBe(false); // already running
    expect(scheduler.runNow('b')).toBe(true); // waits for the slot
    expect(scheduler.runNow('unknown')).toBe(false);
    expect([scheduler.inFlight, scheduler.queued]).toEqual([1, 1]);
    await clock.advance(10);
    await finish('a');
    expect(runs.map((r) => [r.probeId, r.dueAt, r.startedAt])).toEqual([['a', T0, T0], ['b', T0, T0 + 10]]);
    await finish('b');
    await scheduler.stop();
  });

  it('runs an early check at once on request, then keeps the probe on its own grid', async () => {
    const { clock, scheduler, runs, skips } = harness();
    scheduler.upsert('a', 300_000);
    scheduler.start();
    const first = nextDueAt(T0, 'a', 300_000);
    const slot = first + 300_000;
    const requestedAt = slot - 120_000; // two minutes before the slot: the probe would show nothing until then
    await clock.advanceTo(requestedAt);
    runs.length = 0;
    expect(scheduler.nextDue('a')).toBe(slot);
    expect(scheduler.runSoon('a')).toBe(true);
    expect(scheduler.runSoon('a')).toBe(false); // one is pending already
    expect(scheduler.nextDue('a')).toBe(requestedAt);
    expect(runs).toHaveLength(0); // not inside the caller: on the timer
    await clock.advance(0);
    expect(runs.map((r) => [r.dueAt, r.startedAt])).toEqual([[requestedAt, requestedAt]]);
    expect(scheduler.nextDue('a')).toBe(slot);
    await clock.advanceTo(slot + 300_000);
    expect(runs.map((r) => r.dueAt)).toEqual([requestedAt, slot, slot + 300_000]);
    expect(skips).toEqual([]);
    await scheduler.stop();
  });

  it('leaves the early check out when the slot is as close as the margin: the slot is the first check, no double run', async () => {
    const { clock, scheduler, runs } = harness();
    scheduler.upsert('a', 300_000);
    scheduler.start();
    const slot = nextDueAt(T0 + 10_000, 'a', 300_000);
    await clock.advanceTo(slot - SOON_SLOT_MARGIN_MS);
    expect(scheduler.runSoon('a')).toBe(false);
    await clock.advanceTo(slot - 5000);
    expect(scheduler.runSoon('a', 5000)).toBe(false); // a margin of the check's timeout
    await clock.advanceTo(slot + 1000);
    expect(runs.map((r) => r.dueAt)).toEqual([slot]);
    await scheduler.stop();
  });

  it('does not run an early check before start, outside the window, beside a running check, or after removal', async () => {
    const asked: number[] = [];
    let open = false;
    const { clock, scheduler, runs, skips, finish } = harness({ hold: true, isActive: (_id, atMs) => { asked.push(atMs); return open; } });
    for (const id of ['closed', 'busy', 'gone']) scheduler.upsert(id, 600_000);
    expect(scheduler.runSoon('closed')).toBe(false); // not started: start() arms slots only, so a restart runs nothing at once
    expect(scheduler.nextDue('closed')).toBeNull();
    scheduler.start();
    const from = Math.max(...['closed', 'busy', 'gone'].map((id) => nextDueAt(T0, id, 600_000))) + 1;
    await clock.advanceTo(from); // each had its first slot, skipped as inactive
    skips.length = 0;
    expect(scheduler.runSoon('closed')).toBe(true);
    await clock.advance(0);
    expect(runs).toHaveLength(0);
    expect(skips).toEqual([]); // an early check is no grid occurrence: dropped, not counted as a skip
    open = true;
    expect(scheduler.runNow('busy')).toBe(true);
    expect(scheduler.runSoon('busy')).toBe(false); // its check runs: the result on its way is the first one
    expect(scheduler.runSoon('gone')).toBe(true);
    scheduler.remove('gone');
    await clock.advance(0);
    expect(runs.map((r) => r.probeId)).toEqual(['busy']);
    await finish('busy');
    expect(scheduler.runSoon('unknown')).toBe(false);
    await scheduler.stop();
  });

  it('keeps a pending early check when the interval changes in the same instant, and queues it behind the cap', async () => {
    const { clock, scheduler, runs, finish } = harness({ hold: true, maxInFlight: 1 });
    const [a, b] = ['a', 'b'];
    scheduler.upsert(a, 600_000);
    scheduler.upsert(b, 600_000);
    scheduler.start();
    const from = Math.max(nextDueAt(T0, a, 600_000), nextDueAt(T0, b, 600_000)) + 1;
    await clock.advanceTo(from);
    await finish(runs[0]!.probeId);
    await finish(runs[1]!.probeId);
    runs.length = 0;
    await clock.advance(1000);
    const at = clock.now();
    expect(scheduler.runSoon(a)).toBe(true);
    scheduler.upsert(a, 900_000);
    expect(scheduler.runSoon(b)).toBe(true);
    const paced = 1000 / EARLY_CHECKS_PER_SECOND; // b's early check comes one pacing step after a's
    await clock.advance(paced);
    expect(runs.map((r) => r.probeId)).toEqual([a]);
    expect(scheduler.queued).toBe(1);
    await finish(a);
    expect(runs.map((r) => [r.probeId, r.dueAt])).toEqual([[a, at], [b, at + paced]]);
    await finish(b);
    expect(scheduler.nextDue(a)).toBe(nextDueAt(at + 1, a, 900_000));
    await scheduler.stop();
  });

  it('paces early checks: a bulk save starts them a step apart, and one whose slot comes first waits for the slot', async () => {
    const { clock, scheduler, runs } = harness({ earlyChecksPerSecond: 100 });
    const ids = Array.from({ length: 300 }, (_, i) => `p${i}`);
    for (const id of ids) scheduler.upsert(id, 600_000);
    scheduler.start();
    await clock.advanceTo(T0 + 600_000); // every probe had its first slot
    runs.length = 0;
    const at = clock.now();
    const armed = ids.filter((id) => scheduler.runSoon(id));
    // Paced 10 ms apart; left out only where the probe's own slot comes within a second of its turn.
    expect(armed.length).toBeGreaterThan(290);
    await clock.advance(1000);
    const early = runs.filter((r) => r.dueAt < nextDueAt(at, r.probeId, 600_000));
    expect(early.map((r) => r.startedAt - at)).toEqual(Array.from({ length: early.length }, (_, i) => 10 * i));
    expect(early.length).toBe(101); // +0 to +1000 ms: one second's worth at 100 a second, not all 300 at once
    await scheduler.stop();
  });

  it('tells when a probe is due next, from now or from a later instant', async () => {
    const { clock, scheduler } = harness();
    scheduler.upsert('a', 60_000);
    scheduler.start();
    const first = nextDueAt(T0, 'a', 60_000);
    expect(scheduler.nextDue('a')).toBe(first);
    expect(scheduler.nextDue('a', first + 1)).toBe(first + 60_000);
    expect(scheduler.nextDue('a', first + 3_600_000)).toBe(first + 3_600_000);
    await clock.advanceTo(first);
    expect(scheduler.nextDue('a')).toBe(first + 60_000);
    expect(scheduler.nextDue('unknown')).toBeNull();
    await scheduler.stop();
    expect(scheduler.nextDue('a')).toBeNull();
  });

  it('stop waits for running checks, drops the queue and leaves no timer', async () => {
    const { clock, scheduler, runs, finish } = harness({ hold: true, maxInFlight: 1 });
    const [first, second] = idsByPhase(2, 60_000) as [string, string];
    scheduler.upsert(first, 60_000);
    scheduler.upsert(second, 60_000);
    scheduler.start();
    await clock.advance(59_999);
    expect([scheduler.inFlight, scheduler.queued]).toEqual([1, 1]);

    let stopped = false;
    const stopping = scheduler.stop().then(() => { stopped = true; });
    await settle();
    expect(stopped).toBe(false);
    expect(scheduler.queued).toBe(0);
    expect(clock.pending).toBe(0);
    await finish(first);
    await stopping;
    expect(stopped).toBe(true);
    expect(scheduler.inFlight).toBe(0);
    await clock.advance(300_000);
    expect(runs.map((r) => r.probeId)).toEqual([first]);
    expect(clock.pending).toBe(0);
  });

  it('rejects a bad interval or cap', () => {
    const { scheduler } = harness();
    expect(() => scheduler.upsert('a', 0)).toThrow(/intervalMs/);
    expect(() => scheduler.upsert('a', 1.5)).toThrow(/intervalMs/);
    expect(() => new Scheduler({ maxInFlight: 0, runCheck: async () => {} })).toThrow(/maxInFlight/);
  });
});

describe('Scheduler on the real clock', () => {
  it('runs on time with one timer and leaves nothing armed after stop', async () => {
    const timeouts = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    // Let the test runner's own start-up timers expire first, so the count is ours to compare.
    await new Promise((resolve) => setTimeout(resolve, 200));
    const before = timeouts();
    const runs: { probeId: string; dueAt: number; startedAt: number }[] = [];
    const scheduler = new Scheduler({
      maxInFlight: 10,
      runCheck: async (probeId, dueAt) => {
        runs.push({ probeId, dueAt, startedAt: Date.now() });
        await new Promise((resolve) => setTimeout(resolve, 5)); // a check takes a little while
      },
    });
    const ids = ['alpha', 'beta', 'gamma', 'delta'];
    for (const id of ids) scheduler.upsert(id, 50);
    const startedAt = Date.now();
    scheduler.start();
    expect(timeouts() - before).toBe(1); // four probes armed, one timer
    await new Promise((resolve) => setTimeout(resolve, 1000));
    await scheduler.stop();
    const elapsed = Date.now() - startedAt;

    for (const id of ids) {
      const own = runs.filter((r) => r.probeId === id);
      // One run per 50 ms slot in the elapsed time, give or take the slots at either end.
      expect(own.length).toBeGreaterThanOrEqual(Math.floor(elapsed / 50) - 2);
      expect(own.length).toBeLessThanOrEqual(Math.ceil(elapsed / 50) + 1);
      expect(own.every((r) => (r.dueAt - phaseOffsetMs(id, 50)) % 50 === 0)).toBe(true);
    }
    const lags = runs.map((r) => r.startedAt - r.dueAt).sort((a, b) => a - b);
    expect(lags[0]).toBeGreaterThanOrEqual(0);
    expect(lags[Math.floor(lags.length * 0.9)]).toBeLessThanOrEqual(15); // p90, generous for a busy CI host
    expect(timeouts()).toBe(before);
  });
});
