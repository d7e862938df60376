// The recent check results of every running probe, kept in columns: a few hundred bytes a probe however full.
import { CHECK_OUTCOMES, outcomeIndex, type CheckResult, type TlsDetails } from '../probing/types.js';

/**
 * DNS and connect times are kept in whole microseconds, all the API shows of them (resultView rounds to µs), in
 * 4 bytes instead of a double's 8; a null time (no DNS step, no connection) is this.
 */
const NO_TIME = 0xffff_ffff;

/**
 * A ring of the last `capacity` results per slot (one slot per running probe), newest first when read.
 *
 * At 50,000 probes with ten results each, result objects would be half a million small objects (~180 bytes each with
 * their numbers and strings): about 1.7 KiB a probe once the rings are full. Here a result is its start time (a
 * double), its DNS and connect times (4 bytes each), an outcome byte and two string references (~33 bytes);
 * consecutive results of a probe share their address strings, which rarely change, instead of each holding its own
 * copy; error texts (failures only) and an address that is not the IPv4 one (IPv6 connections) are kept aside by
 * entry.
 */
export class ResultHistories {
  private slots = 0;
  private readonly free: number[] = [];
  /** Per slot: index of the newest entry in its ring, and how many entries are filled. */
  private newest = new Uint8Array(0);
  private filled = new Uint8Array(0);
  /** Per entry (slot * capacity + position). */
  private startedAt = new Float64Array(0);
  private dnsUs = new Uint32Array(0);
  private connectUs = new Uint32Array(0);
  private outcome = new Uint8Array(0);
  private actualHost: (string | null)[] = [];
  private actualIpv4: (string | null)[] = [];
  /** By entry, only where there is one: most checks succeed and connect over IPv4. */
  private readonly error = new Map<number, string>();
  private readonly actualAddressIfNotIpv4 = new Map<number, string>();
  /**
   * By entry, only for results of deeper checks (TLS, dialogue): their handshake and response time. Never the
   * transcript, which only the one who ran a check on demand sees.
   */
  private readonly deep = new Map<number, DeepFields>();

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
    this.actualHost.fill(null, first, first + this.capacity);
    this.actualIpv4.fill(null, first, first + this.capacity);
    for (let at = first; at < first + this.capacity; at++) {
      this.error.delete(at);
      this.actualAddressIfNotIpv4.delete(at);
      this.deep.delete(at);
    }
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
    this.dnsUs[at] = toMicroseconds(result.dnsMs);
    this.connectUs[at] = toMicroseconds(result.connectMs);
    this.outcome[at] = outcomeIndex(result.outcome);
    this.actualHost[at] = shared(result.actualHost, previous === -1 ? null : this.actualHost[previous]!);
    this.actualIpv4[at] = shared(result.actualIpv4, previous === -1 ? null : this.actualIpv4[previous]!);
    setOrDelete(this.error, at, result.error);
    setOrDelete(this.actualAddressIfNotIpv4, at, result.actualAddress === result.actualIpv4 ? null : result.actualAddress);
    // A plain check's result has neither key (see CheckResult): it reads back without them.
    if (result.tls === undefined && result.responseMs === undefined) this.deep.delete(at);
    else this.deep.set(at, { tls: result.tls ?? null, responseMs: result.responseMs ?? null });
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
    const deep = this.deep.get(at);
    const result: CheckResult = {
      outcome: CHECK_OUTCOMES[this.outcome[at]!]!,
      error: this.error.get(at) ?? null,
      startedAt: this.startedAt[at]!,
      dnsMs: toMilliseconds(this.dnsUs[at]!),
      connectMs: toMilliseconds(this.connectUs[at]!),
      actualHost: this.actualHost[at]!,
      actualIpv4: this.actualIpv4[at]!,
      actualAddress: this.actualAddressIfNotIpv4.get(at) ?? this.actualIpv4[at]!,
    };
    if (deep) {
      result.tls = deep.tls;
      result.responseMs = deep.responseMs;
    }
    return result;
  }

  /** Grows the columns by half (at least 64 slots) and returns the first new slot; the rest go to the free list. */
  private grow(): number {
    const first = this.slots;
    this.slots = Math.max(64, Math.ceil(first * 1.5));
    const entries = this.slots * this.capacity;
    this.newest = resized(this.newest, this.slots);
    this.filled = resized(this.filled, this.slots);
    this.startedAt = resized(this.startedAt, entries);
    this.dnsUs = resized(this.dnsUs, entries);
    this.connectUs = resized(this.connectUs, entries);
    this.outcome = resized(this.outcome, entries);
    this.actualHost = resizedRefs(this.actualHost, entries);
    this.actualIpv4 = resizedRefs(this.actualIpv4, entries);
    for (let slot = this.slots - 1; slot > first; slot--) this.free.push(slot);
    return first;
  }
}

interface DeepFields {
  tls: TlsDetails | null;
  responseMs: number | null;
}

function resized<T extends Float64Array | Uint32Array | Uint8Array>(column: T, length: number): T {
  const larger = new (column.constructor as new (length: number) => T)(length);
  larger.set(column);
  return larger;
}

/** An exact-size copy: pushing one by one would leave the array up to half empty. */
function resizedRefs(column: (string | null)[], length: number): (string | null)[] {
  const larger = new Array<string | null>(length).fill(null);
  for (let i = 0; i < column.length; i++) larger[i] = column[i]!;
  return larger;
}

function setOrDelete(map: Map<number, string>, at: number, value: string | null): void {
  if (value === null) map.delete(at);
  else map.set(at, value);
}

/** The previous result's string when equal: a socket hands out a fresh copy of the same address on every check. */
function shared(value: string | null, previous: string | null): string | null {
  return value !== null && value === previous ? previous : value;
}

/** Times are at most a timeout (60 s); the clamp only keeps a wild value from wrapping around. */
function toMicroseconds(ms: number | null): number {
  return ms === null ? NO_TIME : Math.min(Math.max(0, Math.round(ms * 1000)), NO_TIME - 1);
}

function toMilliseconds(us: number): number | null {
  return us === NO_TIME ? null : us / 1000;
}
