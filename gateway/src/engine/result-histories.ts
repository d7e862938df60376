// The recent check results of every running probe, kept in columns: a few hundred bytes a probe however full.
import { CHECK_OUTCOMES, type CheckOutcome, type CheckResult } from '../probing/types.js';

/** Numbers are doubles; a null number (no DNS step, no connection) is NaN. */
const NO_NUMBER = Number.NaN;

/**
 * A ring of the last `capacity` results per slot (one slot per running probe), newest first when read.
 *
 * At 50,000 probes with ten results each, result objects would be half a million small objects (~180 bytes each with
 * their numbers and strings): about 1.7 KiB a probe once the rings are full. Here a result is three doubles, an
 * outcome byte and four string references (~40 bytes), and consecutive results of a probe share their address
 * strings, which rarely change, instead of each holding its own copy.
 */
export class ResultHistories {
  private slots = 0;
  private readonly free: number[] = [];
  /** Per slot: index of the newest entry in its ring, and how many entries are filled. */
  private newest = new Uint8Array(0);
  private filled = new Uint8Array(0);
  /** Per entry (slot * capacity + position). */
  private startedAt = new Float64Array(0);
  private dnsMs = new Float64Array(0);
  private connectMs = new Float64Array(0);
  private outcome = new Uint8Array(0);
  private error: (string | null)[] = [];
  private actualHost: (string | null)[] = [];
  private actualIpv4: (string | null)[] = [];
  private actualAddress: (string | null)[] = [];

  constructor(private readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1 || capacity > 255) throw new RangeError(`history capacity must be 1-255, not ${capacity}`);
  }

  /** A new, empty slot. */
  open(): number {
    const slot = this.free.pop() ?? this.grow();
    this.filled[slot] = 0;
    this.newest[slot] = 0;
    return slot;
  }

  /** Gives a slot back; its strings are released at once. */
  close(slot: number): void {
    this.filled[slot] = 0;
    const first = slot * this.capacity;
    for (const column of [this.error, this.actualHost, this.actualIpv4, this.actualAddress]) column.fill(null, first, first + this.capacity);
    this.free.push(slot);
  }

  add(slot: number, result: CheckResult): void {
    const filled = this.filled[slot]!;
    const previous = filled === 0 ? -1 : this.index(slot, 0);
    const position = filled === 0 ? 0 : (this.newest[slot]! + 1) % this.capacity;
    const at = slot * this.capacity + position;
    this.newest[slot] = position;
    if (filled < this.capacity) this.filled[slot] = filled + 1;
    this.startedAt[at] = result.startedAt;
    this.dnsMs[at] = result.dnsMs ?? NO_NUMBER;
    this.connectMs[at] = result.connectMs ?? NO_NUMBER;
    this.outcome[at] = outcomeIndex(result.outcome);
    this.error[at] = result.error;
    this.actualHost[at] = shared(result.actualHost, previous === -1 ? null : this.actualHost[previous]!);
    this.actualIpv4[at] = shared(result.actualIpv4, previous === -1 ? null : this.actualIpv4[previous]!);
    this.actualAddress[at] = shared(result.actualAddress, previous === -1 ? null : this.actualAddress[previous]!);
  }

  latest(slot: number): CheckResult | null {
    return this.filled[slot] === 0 ? null : this.read(this.index(slot, 0));
  }

  /** Newest first, at most `limit`. */
  list(slot: number, limit = this.capacity): CheckResult[] {
    const count = Math.min(limit, this.filled[slot]!);
    const results: CheckResult[] = [];
    for (let age = 0; age < count; age++) results.push(this.read(this.index(slot, age)));
    return results;
  }

  /** The entry `age` results older than the slot's newest. */
  private index(slot: number, age: number): number {
    return slot * this.capacity + ((this.newest[slot]! - age + this.capacity) % this.capacity);
  }

  private read(at: number): CheckResult {
    return {
      outcome: CHECK_OUTCOMES[this.outcome[at]!]!,
      error: this.error[at]!,
      startedAt: this.startedAt[at]!,
      dnsMs: nullable(this.dnsMs[at]!),
      connectMs: nullable(this.connectMs[at]!),
      actualHost: this.actualHost[at]!,
      actualIpv4: this.actualIpv4[at]!,
      actualAddress: this.actualAddress[at]!,
    };
  }

  /** Doubles the columns (at least 64 slots) and returns the first new slot; the rest go to the free list. */
  private grow(): number {
    const first = this.slots;
    this.slots = Math.max(64, first * 2);
    const entries = this.slots * this.capacity;
    this.newest = resized(this.newest, this.slots);
    this.filled = resized(this.filled, this.slots);
    this.startedAt = resized(this.startedAt, entries);
    this.dnsMs = resized(this.dnsMs, entries);
    this.connectMs = resized(this.connectMs, entries);
    this.outcome = resized(this.outcome, entries);
    for (const column of [this.error, this.actualHost, this.actualIpv4, this.actualAddress]) {
      for (let i = column.length; i < entries; i++) column.push(null);
    }
    for (let slot = this.slots - 1; slot > first; slot--) this.free.push(slot);
    return first;
  }
}

function resized<T extends Float64Array | Uint8Array>(column: T, length: number): T {
  const larger = new (column.constructor as new (length: number) => T)(length);
  larger.set(column);
  return larger;
}

/** The previous result's string when equal: a socket hands out a fresh copy of the same address on every check. */
function shared(value: string | null, previous: string | null): string | null {
  return value !== null && value === previous ? previous : value;
}

function nullable(value: number): number | null {
  return Number.isNaN(value) ? null : value;
}

function outcomeIndex(outcome: CheckOutcome): number {
  const index = CHECK_OUTCOMES.indexOf(outcome);
  return index === -1 ? CHECK_OUTCOMES.indexOf('error') : index;
}
