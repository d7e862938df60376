// Decides when each probe's check runs: a fixed phase per probe (and location slot) on its interval, one timer for all probes, a global in-flight cap
// whose queue (run-queue.ts) lets probes whose targets answer go before those whose targets are silent.
import { RunQueue, type Standing } from './run-queue.js';

/** The time source and the one timer the scheduler uses; injected so tests can drive time. */
export interface SchedulerClock {
  now(): number;
  setTimer(fn: () => void, ms: number): unknown;
  clearTimer(handle: unknown): void;
}

/**
 * Why a due occurrence did not run: its probe was outside its window (`inactive`), its previous run had not finished
 * (`overlap`), or its previous occurrence was still waiting for an in-flight slot (`queued`).
 */
export type SkipReason = 'inactive' | 'overlap' | 'queued';

/** A check that starts more than this after its due time is late: a second, or a tenth of a longer interval. */
export function lateAfterMs(intervalMs: number): number {
  return Math.max(1000, intervalMs / 10);
}

/**
 * Of the cap, the share only answering probes may use: silent ones (their last check got no answer) hold a slot for
 * their whole timeout, and with all slots theirs an answering probe would wait for one of them to time out. Untried
 * probes (new ones) count with the silent: an import of a site that is down must not take every slot either.
 */
export const ANSWERING_HEADROOM = 0.1;

export interface SchedulerOptions {
  /**
   * Checks running at once, across all probes; due checks beyond it wait in a queue, answering probes first (see
   * RunQueue), and the others (untried and silent) may hold all but ANSWERING_HEADROOM of it.
   */
  maxInFlight: number;
  /**
   * Runs one check; `dueAt` is the scheduled instant (epoch ms). Resolves to false when the target did not answer
   * (a timeout): the probe then queues behind answering ones until a check of it gets an answer again. A rejection
   * goes to `onError`.
   */
  runCheck: (probeId: string, dueAt: number) => Promise<boolean | void>;
  /** Asked at each due instant; false skips that occurrence without calling `runCheck`. */
  isActive?: (probeId: string, atMs: number) => boolean;
  clock?: SchedulerClock;
  /** Actual start minus due time of every started check, queue wait included (for `runNow`, the queue wait alone). */
  onLag?: (lagMs: number, probeId: string) => void;
  onInFlightChange?: (inFlight: number) => void;
  onSkip?: (probeId: string, dueAt: number, reason: SkipReason) => void;
  /** A check started more than lateAfterMs(interval) after it was due (just before its `runCheck`). */
  onLate?: (probeId: string, dueAt: number, lagMs: number) => void;
  /** A `runCheck` that rejected or an `isActive` that threw (that occurrence is skipped). */
  onError?: (probeId: string, error: unknown) => void;
  /** How many early checks (`runSoon`) may start a second, at most; default EARLY_CHECKS_PER_SECOND. */
  earlyChecksPerSecond?: number;
}

/**
 * The pace of early checks: a user's save is checked at once, and a bulk import or enable adds at most this many checks
 * a second to the gateway's own rate (its probes' slots still give each a first result within one interval).
 */
export const EARLY_CHECKS_PER_SECOND = 250;

/** The golden ratio's fractional part: multiples of it, mod 1, stay evenly spread however many there are. */
const GOLDEN_FRACTION = 0.6180339887;

/**
 * Where in its interval a probe runs: stable per id (so a restart keeps it) and spread evenly over ids. `phaseSlot`
 * shifts it for one of the probe's locations (gateways): slot 0 is the probe's own phase, slot k adds the
 * fractional part of k times the golden ratio of the interval, so any number of slots lie apart by a fair share of
 * the interval, and a slot's phase does not depend on which other slots exist.
 */
export function phaseOffsetMs(probeId: string, intervalMs: number, phaseSlot = 0): number {
  const shift = phaseSlot === 0 ? 0 : Math.round(((phaseSlot * GOLDEN_FRACTION) % 1) * intervalMs);
  return ((fnv1a(probeId) % intervalMs) + shift) % intervalMs;
}

/** The first instant at or after `nowMs` on the probe's grid, i.e. with (t - phase) a multiple of the interval. */
export function nextDueAt(nowMs: number, probeId: string, intervalMs: number, phaseSlot = 0): number {
  const sinceSlot = mod(nowMs - phaseOffsetMs(probeId, intervalMs, phaseSlot), intervalMs);
  return sinceSlot === 0 ? nowMs : nowMs - sinceSlot + intervalMs;
}

// 32-bit FNV-1a over UTF-16 code units, then murmur3's finalizer. Plain FNV-1a mixes its low
// bits poorly (the lowest is just the parity of the characters' lowest bits), and `% intervalMs`
// leans on the low bits when the interval has a large power-of-two factor: 10,000 ids over a
// 65,536 ms interval spread visibly unevenly without the finalizer, evenly with it.
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  }
  hash = Math.imul(hash ^ (hash >>> 16), 0x85ebca6b);
  hash = Math.imul(hash ^ (hash >>> 13), 0xc2b2ae35);
  return (hash ^ (hash >>> 16)) >>> 0;
}

function mod(a: number, n: number): number {
  return ((a % n) + n) % n;
}

interface ProbeState {
  probeId: string;
  intervalMs: number;
  /** Which of the probe's phases it runs on (see phaseOffsetMs). */
  phaseSlot: number;
  /** Bumped whenever the probe's pending occurrence is replaced or cancelled; older heap entries are then ignored. */
  generation: number;
  /** What its latest finished check said: answering probes go first when the cap binds. */
  standing: Standing;
  /** The pending occurrence on its grid (epoch ms); NaN until armed. */
  dueAt: number;
  /** A pending early check (see `runSoon`), or null. */
  soonAt: number | null;
}

/**
 * A pending occurrence in the heap. Entries in the heap are never updated in place, only superseded (see
 * `generation`); one taken out when due is reused for the probe's next run.
 */
interface Occurrence {
  dueAt: number;
  /** Insertion order, so probes due at the same instant start in the order they were armed. */
  sequence: number;
  state: ProbeState;
  generation: number;
  /** An early check from `runSoon`: runs once, off the grid, and is not re-armed. */
  once: boolean;
}

/**
 * By default an early check is left out when the probe's grid slot comes within this long anyway: the slot then is
 * the first check, and a probe does not run twice within a second.
 */
export const SOON_SLOT_MARGIN_MS = 1000;

const realClock: SchedulerClock = {
  now: () => Date.now(),
  setTimer: (fn, ms) => setTimeout(fn, ms),
  clearTimer: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/** setTimeout's ceiling; a longer wait is taken in steps (the timer fires early, finds nothing due, re-arms). */
const MAX_TIMER_MS = 2 ** 31 - 1;

export class Scheduler {
  private readonly clock: SchedulerClock;
  private readonly probes = new Map<string, ProbeState>();
  private readonly heap: Occurrence[] = [];
  private sequence = 0;
  private readonly waiting = new RunQueue<ProbeState>();
  private readonly running = new Map<string, Promise<void>>();
  /** Running checks of probes not known to answer (untried or silent), and how many may run at once. */
  private runningUnanswered = 0;
  private readonly unansweredLimit: number;
  private timer: unknown = null;
  private timerAt = Infinity;
  private started = false;
  /** When the next early check may start (epoch ms): the pacing of `runSoon`. */
  private nextEarlyAt = 0;
  private readonly earlyChecksPerSecond: number;
  private readonly skipped = { inactive: 0, overlap: 0, queued: 0 };

  constructor(private readonly options: SchedulerOptions) {
    if (!Number.isInteger(options.maxInFlight) || options.maxInFlight < 1) {
      throw new RangeError(`maxInFlight must be a positive integer, got ${options.maxInFlight}`);
    }
    this.clock = options.clock ?? realClock;
    this.earlyChecksPerSecond = options.earlyChecksPerSecond ?? EARLY_CHECKS_PER_SECOND;
    if (!(this.earlyChecksPerSecond > 0)) throw new RangeError(`earlyChecksPerSecond must be positive, got ${this.earlyChecksPerSecond}`);
    this.unansweredLimit = options.maxInFlight - Math.floor(options.maxInFlight * ANSWERING_HEADROOM);
  }

  /** Probes scheduled. */
  get size(): number {
    return this.probes.size;
  }

  /** Checks running now. */
  get inFlight(): number {
    return this.running.size;
  }

  /** Due checks waiting for a free in-flight slot. */
  get queued(): number {
    return this.waiting.size;
  }

  /** Occurrences skipped since construction, by reason. */
  get skippedCounts(): Readonly<Record<SkipReason, number>> {
    return { ...this.skipped };
  }

  /**
   * Adds a probe, or changes its interval or phase slot (see phaseOffsetMs). A change puts the probe on its new grid
   * from the first slot after now and cancels the pending slot of the old one, so the change never adds a run.
   * The same interval and slot again change nothing.
   */
  upsert(probeId: string, intervalMs: number, phaseSlot = 0): void {
    if (!Number.isInteger(intervalMs) || intervalMs < 1) {
      throw new RangeError(`intervalMs must be a positive integer, got ${intervalMs}`);
    }
    if (!Number.isInteger(phaseSlot) || phaseSlot < 0) {
      throw new RangeError(`phaseSlot must be a non-negative integer, got ${phaseSlot}`);
    }
    const existing = this.probes.get(probeId);
    if (existing !== undefined && existing.intervalMs === intervalMs && existing.phaseSlot === phaseSlot) return;
    if (existing === undefined) {
      const state: ProbeState = { probeId, intervalMs, phaseSlot, generation: 0, standing: 'untried', dueAt: NaN, soonAt: null };
      this.probes.set(probeId, state);
      if (this.started) this.arm(state, nextDueAt(this.clock.now(), probeId, intervalMs, phaseSlot));
    } else {
      existing.intervalMs = intervalMs;
      existing.phaseSlot = phaseSlot;
      existing.generation++;
      if (!this.started) return;
      this.arm(existing, nextDueAt(this.clock.now() + 1, probeId, intervalMs, phaseSlot));
      // The new generation voids a pending early check too; it is still wanted.
      if (existing.soonAt !== null) this.armSoon(existing, existing.soonAt);
    }
  }

  /**
   * Runs a probe's check at once, ahead of its grid, for a first result right after it was saved, enabled or
   * retargeted; the grid goes on unchanged. Unlike `runNow` it respects the window (`isActive`), and it is left out
   * when the next slot is within `slotMarginMs` (give it the check's timeout, so that the early check ends before
   * the slot rather than making it skip as an overlap), when the probe's check is running or waiting, or when one is
   * already pending. It waits for the timer (not run inside the caller), then for a free in-flight slot like any
   * check. Early checks are paced (`earlyChecksPerSecond`): one saved probe runs at once, an import of 40,000 does
   * not start 40,000 checks in one go; those whose slot comes before their paced turn simply wait for the slot.
   * False when nothing was armed (unknown probe, not started, or left out).
   */
  runSoon(probeId: string, slotMarginMs = SOON_SLOT_MARGIN_MS): boolean {
    const state = this.probes.get(probeId);
    if (state === undefined || !this.started || state.soonAt !== null || this.isBusy(state)) return false;
    const at = Math.max(this.clock.now(), this.nextEarlyAt);
    if (state.dueAt - at <= slotMarginMs) return false;
    this.nextEarlyAt = at + 1000 / this.earlyChecksPerSecond;
    this.armSoon(state, at);
    return true;
  }

  /**
   * When the probe's next check is due, epoch ms: an early check if one is pending, else its next grid slot (checks
   * outside the window are skipped at that instant, so this is when it is asked, not a promise it runs). With
   * `notBeforeMs`, the first such instant from then on. Null for an unknown probe or a stopped scheduler.
   */
  nextDue(probeId: string, notBeforeMs?: number): number | null {
    const state = this.probes.get(probeId);
    if (state === undefined || !this.started) return null;
    const from = notBeforeMs ?? this.clock.now();
    if (state.soonAt !== null && state.soonAt >= from) return state.soonAt;
    return from <= state.dueAt ? state.dueAt : nextDueAt(from, probeId, state.intervalMs, state.phaseSlot);
  }

  /** Stops scheduling a probe. A check of it already running finishes; nothing is armed again. */
  remove(probeId: string): void {
    const state = this.probes.get(probeId);
    if (state === undefined) return;
    state.generation++;
    state.soonAt = null;
    this.probes.delete(probeId);
    this.waiting.remove(state);
  }

  /**
   * Runs a probe's check now, outside its grid and regardless of its window, within the in-flight
   * cap. False when the probe is unknown or its previous check is still running or waiting.
   */
  runNow(probeId: string): boolean {
    const state = this.probes.get(probeId);
    if (state === undefined || !this.started || this.isBusy(state)) return false;
    this.startOrQueue(state, this.clock.now());
    return true;
  }

  /** Arms every probe from now. */
  start(): void {
    if (this.started) return;
    this.started = true;
    const now = this.clock.now();
    for (const state of this.probes.values()) {
      state.generation++;
      state.soonAt = null;
      this.arm(state, nextDueAt(now, state.probeId, state.intervalMs, state.phaseSlot));
    }
  }

  /** Clears the timer and the queue, then waits for the checks already running. */
  async stop(): Promise<void> {
    this.started = false;
    if (this.timer !== null) this.clock.clearTimer(this.timer);
    this.timer = null;
    this.timerAt = Infinity;
    this.heap.length = 0;
    this.waiting.clear();
    await Promise.all(this.running.values());
  }

  private isBusy(state: ProbeState): boolean {
    return this.running.has(state.probeId) || this.waiting.has(state);
  }

  private arm(state: ProbeState, dueAt: number): void {
    state.dueAt = dueAt;
    this.push({ dueAt, sequence: this.sequence++, state, generation: state.generation, once: false });
  }

  private armSoon(state: ProbeState, dueAt: number): void {
    state.soonAt = dueAt;
    this.push({ dueAt, sequence: this.sequence++, state, generation: state.generation, once: true });
  }

  private push(occurrence: Occurrence): void {
    heapPush(this.heap, occurrence);
    const { dueAt } = occurrence;
    // Only an earlier deadline moves the timer: re-arming on every upsert would churn 50,000
    // timers at start-up, and a timer that fires with nothing due simply re-arms.
    if (dueAt < this.timerAt) this.setTimer(dueAt);
  }

  private setTimer(dueAt: number): void {
    if (this.timer !== null) this.clock.clearTimer(this.timer);
    this.timerAt = dueAt;
    const delay = Math.min(Math.max(0, dueAt - this.clock.now()), MAX_TIMER_MS);
    this.timer = this.clock.setTimer(() => this.onTimer(), delay);
  }

  private onTimer(): void {
    this.timer = null;
    this.timerAt = Infinity;
    const now = this.clock.now();
    while (this.heap.length > 0 && this.heap[0]!.dueAt <= now) {
      const occurrence = heapPop(this.heap)!;
      const { state } = occurrence;
      if (occurrence.generation !== state.generation) continue;
      if (occurrence.once) {
        state.soonAt = null;
        this.dueSoon(state, occurrence.dueAt);
        continue;
      }
      // Re-arm from the due time, not from when the check ends, so the grid never drifts. After a
      // stall longer than the interval (a suspended host, a blocked loop), continue with the
      // first slot after now: one late run, not a burst of catch-up runs.
      const { dueAt } = occurrence;
      let next = dueAt + state.intervalMs;
      if (next <= now) next = nextDueAt(now + 1, state.probeId, state.intervalMs, state.phaseSlot);
      // The same object again: a new one per run would be 50k objects a minute that live a whole interval, long
      // enough to reach the old generation and leave it as garbage there.
      occurrence.dueAt = next;
      state.dueAt = next;
      occurrence.sequence = this.sequence++;
      heapPush(this.heap, occurrence);
      this.due(state, dueAt);
    }
    if (this.started && this.heap.length > 0) this.setTimer(this.heap[0]!.dueAt);
  }

  private due(state: ProbeState, dueAt: number): void {
    // A check still running (or waiting) when its next occurrence comes is slower than its
    // interval. Queueing another run behind it would pile runs up without bound and report stale
    // data late; skipping keeps one run per probe and makes the slowness visible as a skip. A probe still waiting
    // for a slot keeps its place (and its older due time): moving it back would let it be overtaken forever.
    if (this.running.has(state.probeId)) {
      this.skip(state.probeId, dueAt, 'overlap');
      return;
    }
    if (this.waiting.has(state)) {
      this.skip(state.probeId, dueAt, 'queued');
      return;
    }
    if (!this.activeAt(state.probeId, dueAt)) {
      this.skip(state.probeId, dueAt, 'inactive');
      return;
    }
    this.startOrQueue(state, dueAt);
  }

  /** An early check: not a grid occurrence, so a busy probe or a closed window simply drops it, uncounted. */
  private dueSoon(state: ProbeState, dueAt: number): void {
    if (!this.isBusy(state) && this.activeAt(state.probeId, dueAt)) this.startOrQueue(state, dueAt);
  }

  /** `isActive`, with one that throws reported and taken as inactive. */
  private activeAt(probeId: string, atMs: number): boolean {
    try {
      return this.options.isActive?.(probeId, atMs) ?? true;
    } catch (error) {
      this.options.onError?.(probeId, error);
      return false;
    }
  }

  private skip(probeId: string, dueAt: number, reason: SkipReason): void {
    this.skipped[reason]++;
    this.options.onSkip?.(probeId, dueAt, reason);
  }

  // The queue is only ever non-empty while the cap (or, for its untried and silent probes, their limit) is reached, so
  // a probe that finds room may start at once without overtaking anyone before it.
  private startOrQueue(state: ProbeState, dueAt: number): void {
    if (this.running.size < this.options.maxInFlight && (state.standing === 'answering' || this.runningUnanswered < this.unansweredLimit)) this.startRun(state, dueAt);
    else this.waiting.push(state, dueAt, state.standing);
  }

  private startRun(state: ProbeState, dueAt: number): void {
    const lagMs = this.clock.now() - dueAt;
    this.options.onLag?.(lagMs, state.probeId);
    if (lagMs > lateAfterMs(state.intervalMs)) this.options.onLate?.(state.probeId, dueAt, lagMs);
    const unanswered = state.standing !== 'answering';
    if (unanswered) this.runningUnanswered++;
    const run = this.execute(state, dueAt, unanswered);
    this.running.set(state.probeId, run);
    this.options.onInFlightChange?.(this.running.size);
  }

  private async execute(state: ProbeState, dueAt: number, unanswered: boolean): Promise<void> {
    const { probeId } = state;
    try {
      const answered = await this.options.runCheck(probeId, dueAt);
      state.standing = answered === false ? 'silent' : 'answering';
    } catch (error) {
      this.options.onError?.(probeId, error);
    }
    this.running.delete(probeId);
    if (unanswered) this.runningUnanswered--;
    this.options.onInFlightChange?.(this.running.size);
    this.startWaiting();
  }

  private startWaiting(): void {
    while (this.running.size < this.options.maxInFlight) {
      const next = this.waiting.shift(this.runningUnanswered < this.unansweredLimit);
      if (next === undefined) return;
      this.startRun(next.item, next.dueAt);
    }
  }
}

// A binary min-heap ordered by (dueAt, sequence).

function before(a: Occurrence, b: Occurrence): boolean {
  return a.dueAt < b.dueAt || (a.dueAt === b.dueAt && a.sequence < b.sequence);
}

function heapPush(heap: Occurrence[], item: Occurrence): void {
  let i = heap.push(item) - 1;
  while (i > 0) {
    const parent = (i - 1) >> 1;
    if (!before(item, heap[parent]!)) break;
    heap[i] = heap[parent]!;
    i = parent;
  }
  heap[i] = item;
}

function heapPop(heap: Occurrence[]): Occurrence | undefined {
  const top = heap[0];
  const last = heap.pop();
  if (top === undefined || last === undefined || heap.length === 0) return top;
  let i = 0;
  for (;;) {
    const left = 2 * i + 1;
    if (left >= heap.length) break;
    const right = left + 1;
    const child = right < heap.length && before(heap[right]!, heap[left]!) ? right : left;
    if (!before(heap[child]!, last)) break;
    heap[i] = heap[child]!;
    i = child;
  }
  heap[i] = last;
  return top;
}
