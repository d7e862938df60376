// Decides whether a probe may run at an instant: its daily time window and its weekly schedule, read in local wall-clock time.

export type Weekday = 'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun';

/** Monday first, matching the index `weekdayIndex` computes. */
export const WEEKDAYS: readonly Weekday[] = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

/**
 * A probe's daily window, 'HH:MM' local time; both set or both null. Begin is inclusive, end
 * exclusive; begin > end wraps past midnight (22:00–06:00); begin == end is the whole day.
 */
export interface TimeWindow {
  windowBegin: string | null;
  windowEnd: string | null;
}

/**
 * One weekly window of a schedule. It starts on each of `days` at `begin`; a window that wraps
 * midnight (begin > end) belongs to the day it begins on, so Fri 22:00–02:00 covers Sat 00:00–02:00.
 * begin == end is a full 24 hours from `begin`.
 */
export interface ScheduleWindow {
  days: readonly Weekday[];
  begin: string;
  end: string;
}

export interface ScheduleSpec {
  /** IANA name; the probe's own time window is read in this zone too. */
  timeZone: string;
  /** Empty means always, except the exclusions. */
  windows: readonly ScheduleWindow[];
  /**
   * 'YYYY-MM-DD' calendar dates in `timeZone`. The local calendar day is excluded whole, whichever
   * window a time belongs to: the after-midnight part of a window begun the day before is excluded,
   * the after-midnight part of a window begun on the excluded day is not.
   */
  exclusions: readonly string[];
}

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

/** Minutes after midnight for 'HH:MM' (00:00–23:59), or null. '24:00' is rejected: an end at midnight is written 00:00. */
export function parseHhMm(text: string): number | null {
  if (typeof text !== 'string' || text.length !== 5 || text.charCodeAt(2) !== 58 /* ':' */) return null;
  const hours = twoDigits(text, 0);
  const minutes = twoDigits(text, 3);
  if (hours < 0 || hours > 23 || minutes < 0 || minutes > 59) return null;
  return hours * 60 + minutes;
}

/** Whether `text` is a real calendar date written 'YYYY-MM-DD' (the form of schedule exclusions). */
export function isValidLocalDate(text: string): boolean {
  if (typeof text !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(text)) return false;
  const [year, month, day] = text.split('-').map(Number) as [number, number, number];
  const date = new Date(Date.UTC(year, month - 1, day));
  // Date.UTC rolls 2026-02-30 over into March; a real date survives the round trip unchanged.
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/** Whether `tz` is a time zone this runtime knows (IANA names, case-insensitively, as Intl accepts them). */
export function isValidTimeZone(tz: string): boolean {
  if (typeof tz !== 'string' || tz === '') return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/**
 * Whether a probe may run at `atMs`: inside its time window (if any) and inside its schedule (if
 * any), both read in the schedule's zone, or in `defaultTimeZone` when there is no schedule.
 * Local times that a DST change skips never occur, so a window inside the skipped hour does not
 * open that day; a repeated hour occurs twice, and a window covering it is active both times.
 * Throws a RangeError for malformed input, which the API rejects before it is stored.
 */
export function isActive(atMs: number, window: TimeWindow, schedule: ScheduleSpec | null, defaultTimeZone: string): boolean {
  const localMs = atMs + zoneOffsetMs(schedule ? schedule.timeZone : defaultTimeZone, atMs);
  const dayNumber = Math.floor(localMs / DAY_MS);
  const minuteOfDay = Math.floor((localMs - dayNumber * DAY_MS) / MINUTE_MS);
  return inTimeWindow(window, minuteOfDay) && (schedule === null || inSchedule(schedule, dayNumber, minuteOfDay));
}

/** How far `nextActiveAt` looks: a week repeats, so 8 days settle it, unless exclusions (at most 366 days) push it on. */
const SEARCH_DAYS = 8;
const SEARCH_DAYS_WITH_EXCLUSIONS = 366 + SEARCH_DAYS;

/**
 * The first instant at or after `fromMs` at which `isActive` holds: `fromMs` itself when the probe may run now, else
 * when its window or schedule next opens; null when that does not happen within 8 days (374 with exclusions), i.e.
 * never. A probe only opens at a window's begin, at local midnight (an excluded day ends, a weekday starts) or at a
 * DST change (a window begun in the skipped hour opens at the change), so only those instants are tried, not every
 * minute.
 */
export function nextActiveAt(fromMs: number, window: TimeWindow, schedule: ScheduleSpec | null, defaultTimeZone: string): number | null {
  const timeZone = schedule ? schedule.timeZone : defaultTimeZone;
  const active = (atMs: number) => isActive(atMs, window, schedule, defaultTimeZone);
  if (active(fromMs)) return fromMs;
  const openings = openingMinutes(window, schedule);
  const days = schedule !== null && schedule.exclusions.length > 0 ? SEARCH_DAYS_WITH_EXCLUSIONS : SEARCH_DAYS;
  const untilMs = fromMs + days * DAY_MS;
  let atMs = fromMs;
  while (atMs < untilMs) {
    const offset = zoneOffsetMs(timeZone, atMs);
    const localMs = atMs + offset;
    const minuteOfDay = Math.floor((localMs - Math.floor(localMs / DAY_MS) * DAY_MS) / MINUTE_MS);
    const nextOpening = openings.find((minute) => minute > minuteOfDay) ?? 24 * 60;
    // Zone offsets are whole minutes, so the start of the local minute is a whole UTC minute too.
    let nextMs = atMs - (((localMs % MINUTE_MS) + MINUTE_MS) % MINUTE_MS) + (nextOpening - minuteOfDay) * MINUTE_MS;
    if (zoneOffsetMs(timeZone, nextMs) !== offset) nextMs = offsetChangeMs(timeZone, atMs, nextMs, offset);
    if (active(nextMs)) return nextMs;
    atMs = nextMs;
  }
  return null;
}

/** Local minutes at which a probe can go from inactive to active, ascending: midnight and every window's begin. */
function openingMinutes(window: TimeWindow, schedule: ScheduleSpec | null): number[] {
  const minutes = new Set([0]);
  if (window.windowBegin !== null) minutes.add(parseHhMm(window.windowBegin) ?? 0);
  for (const weekly of schedule?.windows ?? []) minutes.add(parseHhMm(weekly.begin) ?? 0);
  return [...minutes].sort((a, b) => a - b);
}

/** The first whole minute in (afterMs, untilMs] whose UTC offset is no longer `offset`: the DST change between them. */
function offsetChangeMs(timeZone: string, afterMs: number, untilMs: number, offset: number): number {
  let lo = Math.floor(afterMs / MINUTE_MS);
  let hi = Math.ceil(untilMs / MINUTE_MS);
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (zoneOffsetMs(timeZone, mid * MINUTE_MS) === offset) lo = mid;
    else hi = mid;
  }
  return hi * MINUTE_MS;
}

function inTimeWindow(window: TimeWindow, minuteOfDay: number): boolean {
  if (window.windowBegin === null && window.windowEnd === null) return true;
  const begin = parseHhMm(window.windowBegin ?? '');
  const end = parseHhMm(window.windowEnd ?? '');
  if (begin === null || end === null) {
    throw new RangeError(`time window must be two HH:MM times or none, got ${window.windowBegin}–${window.windowEnd}`);
  }
  // The wrapping form also covers begin == end: every minute is either >= begin or < begin.
  return begin < end
    ? minuteOfDay >= begin && minuteOfDay < end
    : minuteOfDay >= begin || minuteOfDay < end;
}

function inSchedule(schedule: ScheduleSpec, dayNumber: number, minuteOfDay: number): boolean {
  if (schedule.exclusions.length > 0 && schedule.exclusions.includes(localDateString(dayNumber))) return false;
  if (schedule.windows.length === 0) return true;
  const today = weekdayIndex(dayNumber);
  for (const window of schedule.windows) {
    const begin = parseHhMm(window.begin);
    const end = parseHhMm(window.end);
    if (begin === null || end === null) {
      throw new RangeError(`schedule window must be two HH:MM times, got ${window.begin}–${window.end}`);
    }
    if (begin < end) {
      if (minuteOfDay >= begin && minuteOfDay < end && window.days.includes(WEEKDAYS[today]!)) return true;
    } else if (minuteOfDay >= begin) {
      // Wrapping, or begin == end: 24 hours from begin.
      if (window.days.includes(WEEKDAYS[today]!)) return true;
    } else if (minuteOfDay < end) {
      // The after-midnight part of a wrapping window belongs to the day before.
      if (window.days.includes(WEEKDAYS[(today + 6) % 7]!)) return true;
    }
  }
  return false;
}

function twoDigits(text: string, at: number): number {
  const tens = text.charCodeAt(at) - 48;
  const ones = text.charCodeAt(at + 1) - 48;
  return tens >= 0 && tens <= 9 && ones >= 0 && ones <= 9 ? tens * 10 + ones : -1;
}

/** 0 = Monday for a count of days since 1970-01-01, which was a Thursday. */
function weekdayIndex(dayNumber: number): number {
  return (((dayNumber + 3) % 7) + 7) % 7;
}

/** 'YYYY-MM-DD' for a count of days since 1970-01-01 (H. Hinnant's civil_from_days, no Date allocation). */
function localDateString(dayNumber: number): string {
  const z = dayNumber + 719_468;
  const era = Math.floor(z / 146_097);
  const dayOfEra = z - era * 146_097;
  const yearOfEra = Math.floor((dayOfEra - Math.floor(dayOfEra / 1460) + Math.floor(dayOfEra / 36_524) - Math.floor(dayOfEra / 146_096)) / 365);
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const monthFromMarch = Math.floor((5 * dayOfYear + 2) / 153);
  const day = dayOfYear - Math.floor((153 * monthFromMarch + 2) / 5) + 1;
  const month = monthFromMarch < 10 ? monthFromMarch + 3 : monthFromMarch - 9;
  const year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
  return `${year}-${month < 10 ? '0' : ''}${month}-${day < 10 ? '0' : ''}${day}`;
}

// Intl is the only time zone database we have, and asking it is slow (a formatter costs tens of
// microseconds to build, a formatToParts call about a microsecond), while checks ask at thousands
// per second for instants close to now. So each zone keeps its formatter and the UTC offsets of
// the hours it was recently asked about; an hour containing a DST change (offsets differ at its
// two ends) is marked NaN and answered exactly, call by call.
interface ZoneCache {
  formatter: Intl.DateTimeFormat;
  offsetByHour: Map<number, number>;
}

/** Recently asked hours per zone; enough for "now" and a margin, small enough never to matter. */
const CACHED_HOURS_PER_ZONE = 64;
const zones = new Map<string, ZoneCache>();

/** Local minus UTC, in milliseconds, at `atMs` in `timeZone`. */
function zoneOffsetMs(timeZone: string, atMs: number): number {
  let zone = zones.get(timeZone);
  if (zone === undefined) {
    // Throws a RangeError for an unknown zone; only valid zones are cached.
    zone = {
      formatter: new Intl.DateTimeFormat('en-US', {
        timeZone, hourCycle: 'h23',
        year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric',
      }),
      offsetByHour: new Map(),
    };
    zones.set(timeZone, zone);
  }
  const hour = Math.floor(atMs / HOUR_MS);
  let offset = zone.offsetByHour.get(hour);
  if (offset === undefined) {
    const atStart = offsetFromFormatter(zone.formatter, hour * HOUR_MS);
    const atEnd = offsetFromFormatter(zone.formatter, (hour + 1) * HOUR_MS - 1);
    offset = atStart === atEnd ? atStart : NaN;
    if (zone.offsetByHour.size >= CACHED_HOURS_PER_ZONE) zone.offsetByHour.clear();
    zone.offsetByHour.set(hour, offset);
  }
  return Number.isNaN(offset) ? offsetFromFormatter(zone.formatter, atMs) : offset;
}

function offsetFromFormatter(formatter: Intl.DateTimeFormat, atMs: number): number {
  let year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  for (const part of formatter.formatToParts(atMs)) {
    switch (part.type) {
      case 'year': year = Number(part.value); break;
      case 'month': month = Number(part.value); break;
      case 'day': day = Number(part.value); break;
      case 'hour': hour = Number(part.value); break;
      case 'minute': minute = Number(part.value); break;
      case 'second': second = Number(part.value); break;
    }
  }
  // The formatter drops milliseconds, so compare against the instant truncated to its second.
  const wholeSecondMs = atMs - (((atMs % 1000) + 1000) % 1000);
  return Date.UTC(year, month - 1, day, hour, minute, second) - wholeSecondMs;
}
