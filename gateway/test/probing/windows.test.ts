// Tables and property checks for the time-window logic: wraps, boundaries, weekdays, exclusions, DST and odd offsets.
import { describe, expect, it } from 'vitest';
import {
  isActive, isValidLocalDate, isValidTimeZone, nextActiveAt, parseHhMm, WEEKDAYS,
  type ScheduleSpec, type ScheduleWindow, type TimeWindow, type Weekday,
} from '../../src/probing/windows.js';

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;
const at = (iso: string): number => Date.parse(iso);
const window = (windowBegin: string | null, windowEnd: string | null): TimeWindow => ({ windowBegin, windowEnd });
const NO_WINDOW = window(null, null);
const schedule = (timeZone: string, windows: ScheduleWindow[], exclusions: string[] = []): ScheduleSpec =>
  ({ timeZone, windows, exclusions });

// 2026-06-15 is a Monday; in June, UTC is the local time of schedules in 'UTC'.
const JUNE_WEEK: Record<Weekday, string> = {
  mon: '2026-06-15', tue: '2026-06-16', wed: '2026-06-17', thu: '2026-06-18',
  fri: '2026-06-19', sat: '2026-06-20', sun: '2026-06-21',
};
const utcOn = (day: Weekday, hhmm: string): number => at(`${JUNE_WEEK[day]}T${hhmm}:00Z`);

/** Active minutes in [fromMs, toMs), sampled every minute. */
function activeMinutes(fromMs: number, toMs: number, check: (atMs: number) => boolean): number {
  let count = 0;
  for (let t = fromMs; t < toMs; t += MINUTE_MS) if (check(t)) count++;
  return count;
}

/** Small seeded PRNG (mulberry32), so property checks are repeatable. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

const hhmm = (minutes: number): string =>
  `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;

describe('parseHhMm', () => {
  it.each([
    ['00:00', 0], ['00:01', 1], ['09:30', 570], ['12:34', 754], ['23:59', 1439],
  ])('reads %s as %i minutes', (text, minutes) => {
    expect(parseHhMm(text)).toBe(minutes);
  });

  it.each(['24:00', '23:60', '7:00', '07:0', '0700', '07:00 ', ' 07:00', '07-00', 'ab:cd', '-1:00', '07:5a', ''])(
    'rejects %j',
    (text) => {
      expect(parseHhMm(text)).toBeNull();
    },
  );
});

describe('isValidTimeZone', () => {
  it.each(['UTC', 'Europe/Berlin', 'America/New_York', 'Asia/Kathmandu', 'Australia/Lord_Howe', 'europe/berlin'])(
    'accepts %s',
    (tz) => expect(isValidTimeZone(tz)).toBe(true),
  );
  it.each(['', 'Europe/Berln', 'Mars/Olympus_Mons', 'CEST+1', 'Europe/'])('rejects %j', (tz) => {
    expect(isValidTimeZone(tz)).toBe(false);
  });
});

describe('isValidLocalDate', () => {
  it.each(['2026-01-01', '2026-02-28', '2028-02-29', '2026-12-31'])('accepts %s', (text) => {
    expect(isValidLocalDate(text)).toBe(true);
  });
  it.each(['2026-02-29', '2026-04-31', '2026-13-01', '2026-00-10', '2026-1-01', '26-01-01', '2026/01/01', ''])(
    'rejects %j',
    (text) => expect(isValidLocalDate(text)).toBe(false),
  );
});

describe('probe time window without a schedule', () => {
  const day = '2026-06-15';
  it.each([
    // begin, end, local time, active
    ['08:00', '17:00', '07:59:59', false],
    ['08:00', '17:00', '08:00:00', true],
    ['08:00', '17:00', '12:00:00', true],
    ['08:00', '17:00', '16:59:59', true],
    ['08:00', '17:00', '17:00:00', false],
    ['08:00', '17:00', '00:00:00', false],
    ['22:00', '06:00', '21:59:59', false],
    ['22:00', '06:00', '22:00:00', true],
    ['22:00', '06:00', '23:59:59', true],
    ['22:00', '06:00', '00:00:00', true],
    ['22:00', '06:00', '05:59:59', true],
    ['22:00', '06:00', '06:00:00', false],
    ['22:00', '06:00', '12:00:00', false],
    ['00:00', '00:00', '00:00:00', true],
    ['00:00', '00:00', '23:59:59', true],
    ['13:37', '13:37', '13:36:59', true],
    ['13:37', '13:37', '04:00:00', true],
    ['00:00', '23:59', '23:58:59', true],
    ['00:00', '23:59', '23:59:00', false],
    ['23:59', '00:00', '23:58:59', false],
    ['23:59', '00:00', '23:59:00', true],
    ['23:59', '00:00', '00:00:00', false],
    [null, null, '03:00:00', true],
  ] as const)('%s–%s at %s is %s', (begin, end, time, expected) => {
    expect(isActive(at(`${day}T${time}Z`), window(begin, end), null, 'UTC')).toBe(expected);
  });

  it('reads the window in the default zone', () => {
    // New York is UTC-4 in June: 08:00–17:00 local is 12:00–21:00 UTC.
    const office = window('08:00', '17:00');
    expect(isActive(at('2026-06-15T11:59:59Z'), office, null, 'America/New_York')).toBe(false);
    expect(isActive(at('2026-06-15T12:00:00Z'), office, null, 'America/New_York')).toBe(true);
    expect(isActive(at('2026-06-15T20:59:59Z'), office, null, 'America/New_York')).toBe(true);
    expect(isActive(at('2026-06-15T21:00:00Z'), office, null, 'America/New_York')).toBe(false);
  });

  it('rejects a half-set or malformed window and an unknown zone', () => {
    const now = at('2026-06-15T12:00:00Z');
    expect(() => isActive(now, window('08:00', null), null, 'UTC')).toThrow(RangeError);
    expect(() => isActive(now, window(null, '08:00'), null, 'UTC')).toThrow(RangeError);
    expect(() => isActive(now, window('08:00', '24:00'), null, 'UTC')).toThrow(/time window/);
    expect(() => isActive(now, NO_WINDOW, null, 'Mars/Olympus_Mons')).toThrow(RangeError);
    expect(() => isActive(now, NO_WINDOW, schedule('UTC', [{ days: ['mon'], begin: '8:00', end: '09:00' }]), 'UTC'))
      .toThrow(/schedule window/);
  });
});

describe('schedule windows', () => {
  describe.each(WEEKDAYS)('a window on %s only', (listed) => {
    const onlyThatDay = schedule('UTC', [{ days: [listed], begin: '09:00', end: '17:00' }]);
    it.each(WEEKDAYS)('at noon on %s', (day) => {
      expect(isActive(utcOn(day, '12:00'), NO_WINDOW, onlyThatDay, 'UTC')).toBe(day === listed);
      expect(isActive(utcOn(day, '08:59'), NO_WINDOW, onlyThatDay, 'UTC')).toBe(false);
      expect(isActive(utcOn(day, '17:00'), NO_WINDOW, onlyThatDay, 'UTC')).toBe(false);
    });
  });

  it.each([
    // Friday 22:00–02:00 belongs to Friday and covers Saturday 00:00–02:00.
    ['fri', '21:59', false], ['fri', '22:00', true], ['fri', '23:59', true],
    ['sat', '00:00', true], ['sat', '01:59', true], ['sat', '02:00', false],
    ['fri', '01:00', false], ['thu', '23:00', false], ['sat', '22:30', false],
  ] as const)('Fri 22:00–02:00 on %s at %s is %s', (day, time, expected) => {
    const fridayNight = schedule('UTC', [{ days: ['fri'], begin: '22:00', end: '02:00' }]);
    expect(isActive(utcOn(day, time), NO_WINDOW, fridayNight, 'UTC')).toBe(expected);
  });

  it.each([
    // Sunday 22:00–02:00 crosses the end of the week into Monday.
    ['2026-06-21T23:00:00Z', true], ['2026-06-22T01:00:00Z', true], ['2026-06-15T01:59:00Z', true],
    ['2026-06-22T02:00:00Z', false], ['2026-06-20T23:00:00Z', false], ['2026-06-16T01:00:00Z', false],
  ])('Sun 22:00–02:00 at %s is %s', (iso, expected) => {
    const sundayNight = schedule('UTC', [{ days: ['sun'], begin: '22:00', end: '02:00' }]);
    expect(isActive(at(iso), NO_WINDOW, sundayNight, 'UTC')).toBe(expected);
  });

  it.each([
    // begin == end runs a full 24 hours from begin.
    ['wed', '07:59', false], ['wed', '08:00', true], ['wed', '23:00', true],
    ['thu', '07:59', true], ['thu', '08:00', false],
  ] as const)('Wed 08:00–08:00 on %s at %s is %s', (day, time, expected) => {
    const wholeDay = schedule('UTC', [{ days: ['wed'], begin: '08:00', end: '08:00' }]);
    expect(isActive(utcOn(day, time), NO_WINDOW, wholeDay, 'UTC')).toBe(expected);
  });

  it('is active in any of its windows', () => {
    const split = schedule('UTC', [
      { days: ['mon', 'tue', 'wed', 'thu', 'fri'], begin: '08:00', end: '12:00' },
      { days: ['mon', 'tue', 'wed', 'thu', 'fri'], begin: '13:00', end: '17:00' },
      { days: ['sat'], begin: '10:00', end: '11:00' },
    ]);
    expect(isActive(utcOn('tue', '09:00'), NO_WINDOW, split, 'UTC')).toBe(true);
    expect(isActive(utcOn('tue', '12:30'), NO_WINDOW, split, 'UTC')).toBe(false);
    expect(isActive(utcOn('tue', '16:00'), NO_WINDOW, split, 'UTC')).toBe(true);
    expect(isActive(utcOn('sat', '10:30'), NO_WINDOW, split, 'UTC')).toBe(true);
    expect(isActive(utcOn('sat', '09:00'), NO_WINDOW, split, 'UTC')).toBe(false);
    expect(isActive(utcOn('sun', '10:30'), NO_WINDOW, split, 'UTC')).toBe(false);
  });

  it('with no windows is always active except on excluded days', () => {
    const always = schedule('UTC', [], ['2026-06-17']);
    for (const day of WEEKDAYS) {
      for (const time of ['00:00', '06:30', '12:00', '23:59']) {
        expect(isActive(utcOn(day, time), NO_WINDOW, always, 'UTC')).toBe(day !== 'wed');
      }
    }
  });
});

describe('exclusions', () => {
  it.each([
    // Auckland is UTC+12 in June: its 2026-06-16 runs from 2026-06-15T12:00Z to 2026-06-16T12:00Z.
    ['Pacific/Auckland', '2026-06-16', '2026-06-15T11:59:59Z', true],
    ['Pacific/Auckland', '2026-06-16', '2026-06-15T12:00:00Z', false],
    ['Pacific/Auckland', '2026-06-16', '2026-06-16T11:59:59Z', false],
    ['Pacific/Auckland', '2026-06-16', '2026-06-16T12:00:00Z', true],
    // Los Angeles is UTC-7 in June: its 2026-06-15 runs from 2026-06-15T07:00Z to 2026-06-16T07:00Z.
    ['America/Los_Angeles', '2026-06-15', '2026-06-15T06:59:59Z', true],
    ['America/Los_Angeles', '2026-06-15', '2026-06-16T03:00:00Z', false],
    ['America/Los_Angeles', '2026-06-15', '2026-06-16T07:00:00Z', true],
  ])('in %s excluding %s, at %s active is %s', (tz, date, iso, expected) => {
    expect(isActive(at(iso), NO_WINDOW, schedule(tz, [], [date]), 'UTC')).toBe(expected);
  });

  it('exclude the local calendar day, whichever day a wrapping window began on', () => {
    const fridayNight = [{ days: ['fri'] as Weekday[], begin: '22:00', end: '02:00' }];
    const saturdayOff = schedule('UTC', fridayNight, [JUNE_WEEK.sat]);
    expect(isActive(utcOn('fri', '23:00'), NO_WINDOW, saturdayOff, 'UTC')).toBe(true);
    expect(isActive(utcOn('sat', '01:00'), NO_WINDOW, saturdayOff, 'UTC')).toBe(false);
    const fridayOff = schedule('UTC', fridayNight, [JUNE_WEEK.fri]);
    expect(isActive(utcOn('fri', '23:00'), NO_WINDOW, fridayOff, 'UTC')).toBe(false);
    expect(isActive(utcOn('sat', '01:00'), NO_WINDOW, fridayOff, 'UTC')).toBe(true);
  });

  it('ignore other dates, including the same day in another year', () => {
    const always = schedule('UTC', [], ['2025-06-15', '2026-06-14', '2026-06-16', 'not-a-date']);
    expect(isActive(at('2026-06-15T12:00:00Z'), NO_WINDOW, always, 'UTC')).toBe(true);
  });
});

describe('daylight saving time', () => {
  const twoToThree = window('02:00', '03:00');

  it.each([
    // zone, the instant of the change, active minutes of 02:00–03:00 local in the 12 hours around it
    ['Europe/Berlin', 'spring forward: 02:00 never happens', '2026-03-29T01:00:00Z', 0],
    ['Europe/Berlin', 'an ordinary Sunday a week earlier', '2026-03-22T01:00:00Z', 60],
    ['Europe/Berlin', 'fall back: 02:00–03:00 happens twice', '2026-10-25T01:00:00Z', 120],
    ['America/New_York', 'spring forward: 02:00 never happens', '2026-03-08T07:00:00Z', 0],
    ['America/New_York', 'fall back: 01:00 repeats, 02:00 once', '2026-11-01T06:00:00Z', 60],
  ])('%s, %s', (tz, _what, changeIso, expected) => {
    const change = at(changeIso);
    const count = activeMinutes(change - 6 * HOUR_MS, change + 6 * HOUR_MS, (t) => isActive(t, twoToThree, null, tz));
    expect(count).toBe(expected);
  });

  it('New York fall back runs a 01:00–02:00 window in both repeated hours', () => {
    const oneToTwo = window('01:00', '02:00');
    const change = at('2026-11-01T06:00:00Z');
    expect(activeMinutes(change - 6 * HOUR_MS, change + 6 * HOUR_MS, (t) => isActive(t, oneToTwo, null, 'America/New_York')))
      .toBe(120);
    expect(isActive(at('2026-11-01T05:30:00Z'), oneToTwo, null, 'America/New_York')).toBe(true); // 01:30 EDT
    expect(isActive(at('2026-11-01T06:30:00Z'), oneToTwo, null, 'America/New_York')).toBe(true); // 01:30 EST
    expect(isActive(at('2026-11-01T07:00:00Z'), oneToTwo, null, 'America/New_York')).toBe(false); // 02:00 EST
  });

  it.each([
    // Instants on both sides of each change, read through a schedule in that zone.
    ['Europe/Berlin', '2026-03-29T00:59:59Z', true], // 01:59:59 CET
    ['Europe/Berlin', '2026-03-29T01:00:00Z', false], // 03:00 CEST
    ['Europe/Berlin', '2026-10-25T00:30:00Z', true], // 02:30 CEST
    ['Europe/Berlin', '2026-10-25T01:30:00Z', true], // 02:30 CET
    ['Europe/Berlin', '2026-10-25T02:00:00Z', false], // 03:00 CET
    ['America/New_York', '2026-03-08T06:59:59Z', true], // 01:59:59 EST
    ['America/New_York', '2026-03-08T07:00:00Z', false], // 03:00 EDT
  ])('a Sunday 01:00–03:00 schedule in %s at %s is %s', (tz, iso, expected) => {
    const sundayNight = schedule(tz, [{ days: ['sun'], begin: '01:00', end: '03:00' }]);
    expect(isActive(at(iso), NO_WINDOW, sundayNight, 'UTC')).toBe(expected);
  });
});

describe('odd offsets', () => {
  it.each([
    // Kathmandu is UTC+05:45 all year.
    ['Asia/Kathmandu', '09:00', '17:00', '2026-06-15T03:14:59Z', false],
    ['Asia/Kathmandu', '09:00', '17:00', '2026-06-15T03:15:00Z', true],
    ['Asia/Kathmandu', '09:00', '17:00', '2026-06-15T11:14:59Z', true],
    ['Asia/Kathmandu', '09:00', '17:00', '2026-06-15T11:15:00Z', false],
    // Lord Howe moves its clocks by 30 minutes, at 15:00 or 15:30 UTC: mid-hour in UTC.
    ['Australia/Lord_Howe', '01:30', '02:00', '2026-04-04T14:30:00Z', true], // 01:30 +11
    ['Australia/Lord_Howe', '01:30', '02:00', '2026-04-04T14:59:59Z', true], // 01:59:59 +11
    ['Australia/Lord_Howe', '01:30', '02:00', '2026-04-04T15:00:00Z', true], // 01:30 +10:30 again
    ['Australia/Lord_Howe', '01:30', '02:00', '2026-04-04T15:30:00Z', false], // 02:00 +10:30
    ['Australia/Lord_Howe', '02:00', '02:30', '2026-10-03T15:29:59Z', false], // 01:59:59 +10:30
    ['Australia/Lord_Howe', '02:00', '02:30', '2026-10-03T15:30:00Z', false], // 02:30 +11
  ])('%s %s–%s at %s is %s', (tz, begin, end, iso, expected) => {
    expect(isActive(at(iso), window(begin, end), null, tz)).toBe(expected);
  });

  it('Lord Howe: a skipped half hour never runs, a repeated half hour runs twice', () => {
    const around = (iso: string, begin: string, end: string): number =>
      activeMinutes(at(iso) - 6 * HOUR_MS, at(iso) + 6 * HOUR_MS, (t) => isActive(t, window(begin, end), null, 'Australia/Lord_Howe'));
    expect(around('2026-10-03T15:30:00Z', '02:00', '02:30')).toBe(0);
    expect(around('2026-10-03T15:30:00Z', '02:00', '03:00')).toBe(30);
    expect(around('2026-04-04T15:00:00Z', '01:30', '02:00')).toBe(60);
  });
});

describe('schedule and probe window together', () => {
  const officeHours = schedule('Europe/Berlin', [{ days: ['mon', 'tue', 'wed', 'thu', 'fri'], begin: '08:00', end: '18:00' }]);
  const lunch = window('12:00', '14:00');

  it.each([
    // Berlin is UTC+2 in June.
    ['Monday 13:00: both hold', '2026-06-15T11:00:00Z', true],
    ['Monday 15:00: schedule only', '2026-06-15T13:00:00Z', false],
    ['Saturday 13:00: window only', '2026-06-20T11:00:00Z', false],
    ['Saturday 03:00: neither', '2026-06-20T01:00:00Z', false],
  ])('%s', (_what, iso, expected) => {
    expect(isActive(at(iso), lunch, officeHours, 'UTC')).toBe(expected);
  });

  it('reads the probe window in the schedule zone, not the default zone', () => {
    const tokyoAlways = schedule('Asia/Tokyo', []);
    const nineToTen = window('09:00', '10:00');
    expect(isActive(at('2026-06-15T00:30:00Z'), nineToTen, tokyoAlways, 'UTC')).toBe(true); // 09:30 in Tokyo
    expect(isActive(at('2026-06-15T09:30:00Z'), nineToTen, tokyoAlways, 'UTC')).toBe(false); // 18:30 in Tokyo
  });
});

describe('nextActiveAt: when a closed window opens', () => {
  const DAY_MS = 86_400_000;
  const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
  const weekdays = (begin: string, end: string): ScheduleWindow => ({ days: ['mon', 'tue', 'wed', 'thu', 'fri'], begin, end });

  it.each([
    ['no window: now', '2026-06-15T12:00:30Z', NO_WINDOW, null, '2026-06-15T12:00:30.000Z'],
    ['open window: now', '2026-06-15T12:00:30Z', window('12:00', '13:00'), null, '2026-06-15T12:00:30.000Z'],
    ['from mid-minute to the begin', '2026-06-15T11:59:30Z', window('12:00', '13:00'), null, '2026-06-15T12:00:00.000Z'],
    ['a wrapping window, later today', '2026-06-15T12:00:00Z', window('22:00', '06:00'), null, '2026-06-15T22:00:00.000Z'],
    ['a window already over today: tomorrow', '2026-06-15T14:00:00Z', window('12:00', '13:00'), null, '2026-06-16T12:00:00.000Z'],
    ['weekdays in Berlin, from Friday evening: Monday 09:00 CEST', '2026-06-19T16:00:00Z', NO_WINDOW,
      schedule('Europe/Berlin', [weekdays('09:00', '17:00')]), '2026-06-22T07:00:00.000Z'],
    ['after-midnight part of a Friday night window, from Saturday 03:00', '2026-06-20T03:00:00Z', NO_WINDOW,
      schedule('UTC', [{ days: ['fri'], begin: '22:00', end: '02:00' }]), '2026-06-26T22:00:00.000Z'],
    ['window and schedule together: the first minute both are open', '2026-06-15T06:00:00Z', window('10:30', '11:00'),
      schedule('UTC', [weekdays('08:00', '12:00')]), '2026-06-15T10:30:00.000Z'],
    ['exclusions skip whole local days', '2026-06-15T12:00:00Z', NO_WINDOW,
      schedule('Europe/Berlin', [], ['2026-06-15', '2026-06-16']), '2026-06-16T22:00:00.000Z'],
    ['DST: a window begun in the skipped hour opens at the change', '2026-03-28T23:00:00Z', window('02:30', '04:00'),
      schedule('Europe/Berlin', []), '2026-03-29T01:00:00.000Z'],
    ['DST: a window inside the skipped hour opens the next day', '2026-03-28T23:00:00Z', window('02:10', '02:50'),
      schedule('Europe/Berlin', []), '2026-03-30T00:10:00.000Z'],
    ['DST: the repeated hour opens a window a second time', '2026-10-25T00:50:00Z', window('02:30', '02:45'),
      schedule('Europe/Berlin', []), '2026-10-25T01:30:00.000Z'],
    ['a default zone of a probe without a schedule', '2026-06-15T12:00:00Z', window('09:00', '10:00'), null, '2026-06-16T07:00:00.000Z', 'Europe/Berlin'],
    ['Kathmandu (+05:45)', '2026-06-15T00:00:00Z', window('09:00', '10:00'), schedule('Asia/Kathmandu', []), '2026-06-15T03:15:00.000Z'],
    ['windows that never meet: never', '2026-06-15T12:00:00Z', window('12:00', '13:00'),
      schedule('UTC', [weekdays('09:00', '10:00')]), null],
  ] as [string, string, TimeWindow, ScheduleSpec | null, string | null, string?][])('%s', (_name, from, probeWindow, spec, expected, tz) => {
    expect(iso(nextActiveAt(at(from), probeWindow, spec, tz ?? 'UTC'))).toBe(expected);
  });

  it('looks past a year of exclusions, and gives up after them', () => {
    const from = at('2026-06-15T12:00:00Z');
    const days = (count: number) => Array.from({ length: count }, (_, i) => new Date(from + i * DAY_MS).toISOString().slice(0, 10));
    const started = performance.now();
    expect(iso(nextActiveAt(from, NO_WINDOW, schedule('UTC', [], days(366)), 'UTC'))).toBe('2027-06-16T00:00:00.000Z');
    // Excluded for a year, then only a window that never meets the probe window: null, and quickly.
    expect(nextActiveAt(from, window('12:00', '13:00'), schedule('Europe/Berlin', [weekdays('09:00', '10:00')], days(366)), 'UTC')).toBeNull();
    expect(performance.now() - started).toBeLessThan(500);
  });

  it('agrees with a minute-by-minute search for random windows, schedules, zones and instants', () => {
    const next = random(3);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
    const zones = ['UTC', 'Europe/Berlin', 'America/New_York', 'Asia/Kathmandu', 'Australia/Lord_Howe'];
    // Around the 2026 DST changes of Europe and North America, and some plain instants.
    const starts = ['2026-03-08T00:00:00Z', '2026-03-28T20:00:00Z', '2026-10-24T20:00:00Z', '2026-11-01T00:00:00Z', '2026-06-15T00:00:00Z'];
    for (let i = 0; i < 150; i++) {
      const tz = pick(zones);
      const from = at(pick(starts)) + Math.floor(next() * 2 * DAY_MS);
      const probeWindow = next() < 0.3 ? NO_WINDOW : window(hhmm(Math.floor(next() * 1440)), hhmm(Math.floor(next() * 1440)));
      const spec: ScheduleSpec | null = next() < 0.3 ? null : schedule(
        tz,
        Array.from({ length: Math.floor(next() * 3) }, () => ({
          days: WEEKDAYS.filter(() => next() < 0.4),
          begin: hhmm(Math.floor(next() * 1440)),
          end: hhmm(Math.floor(next() * 1440)),
        })),
        next() < 0.5 ? [] : [new Date(from + Math.floor(next() * 3) * DAY_MS).toISOString().slice(0, 10)],
      );
      const active = (t: number) => isActive(t, probeWindow, spec, tz);
      let expected: number | null = null;
      if (active(from)) expected = from;
      else {
        for (let t = Math.ceil(from / MINUTE_MS) * MINUTE_MS; t < from + 8 * DAY_MS; t += MINUTE_MS) {
          if (active(t)) { expected = t; break; }
        }
      }
      expect(iso(nextActiveAt(from, probeWindow, spec, tz)), `${iso(from)} ${tz} ${JSON.stringify([probeWindow, spec])}`).toBe(iso(expected));
    }
  });
});

describe('properties over random instants', () => {
  const ZONES = ['UTC', 'Europe/Berlin', 'America/New_York', 'Asia/Kathmandu', 'Australia/Lord_Howe', 'Pacific/Chatham', 'America/St_Johns'];
  // 2000..2040, so both cached hours and DST changes of many years are hit.
  const FROM = at('2000-01-01T00:00:00Z');
  const SPAN = at('2040-01-01T00:00:00Z') - FROM;

  it('a window and its complement are never both active, and one of them always is', () => {
    const next = random(1);
    for (let i = 0; i < 10_000; i++) {
      const t = FROM + Math.floor(next() * SPAN);
      const tz = ZONES[Math.floor(next() * ZONES.length)]!;
      const begin = hhmm(Math.floor(next() * 1440));
      const end = hhmm(Math.floor(next() * 1440));
      const inside = isActive(t, window(begin, end), null, tz);
      const outside = isActive(t, window(end, begin), null, tz);
      if (begin === end) expect([inside, outside]).toEqual([true, true]);
      else expect(inside !== outside, `${begin}–${end} at ${new Date(t).toISOString()} in ${tz}`).toBe(true);
    }
  });

  it('agrees with a plain reading of Intl for random windows and schedules', () => {
    const next = random(2);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
    for (let i = 0; i < 10_000; i++) {
      // Half the instants cluster around "now"-like times, the way the scheduler asks.
      const t = i % 2 === 0 ? FROM + Math.floor(next() * SPAN) : at('2026-10-25T00:00:00Z') + Math.floor(next() * 6 * HOUR_MS);
      const tz = pick(ZONES);
      const probeWindow = next() < 0.3 ? NO_WINDOW : window(hhmm(Math.floor(next() * 1440)), hhmm(Math.floor(next() * 1440)));
      const spec: ScheduleSpec | null = next() < 0.3 ? null : schedule(
        tz,
        Array.from({ length: Math.floor(next() * 3) }, () => ({
          days: WEEKDAYS.filter(() => next() < 0.4),
          begin: hhmm(Math.floor(next() * 96) * 15),
          end: hhmm(Math.floor(next() * 96) * 15),
        })),
        next() < 0.5 ? [] : [new Date(t + (Math.floor(next() * 3) - 1) * 86_400_000).toISOString().slice(0, 10)],
      );
      expect(isActive(t, probeWindow, spec, tz), `${new Date(t).toISOString()} ${tz} ${JSON.stringify([probeWindow, spec])}`)
        .toBe(referenceIsActive(t, probeWindow, spec, tz));
    }
  });
});

/**
 * The same rules written the slow, obvious way: fresh Intl fields for every instant, and windows
 * as "minutes since begin is less than the length".
 */
function referenceIsActive(atMs: number, probeWindow: TimeWindow, spec: ScheduleSpec | null, defaultTimeZone: string): boolean {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', {
      timeZone: spec?.timeZone ?? defaultTimeZone, hourCycle: 'h23', weekday: 'short',
      year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit',
    }).formatToParts(atMs).map((part) => [part.type, part.value]),
  ) as Record<string, string>;
  const minute = Number(parts.hour) * 60 + Number(parts.minute);
  const today = WEEKDAYS.indexOf(parts.weekday!.toLowerCase() as Weekday);
  const yesterday = WEEKDAYS[(today + 6) % 7]!;
  const length = (begin: number, end: number): number => (end - begin + 1440) % 1440 || 1440;

  if (probeWindow.windowBegin !== null) {
    const begin = parseHhMm(probeWindow.windowBegin)!;
    const end = parseHhMm(probeWindow.windowEnd!)!;
    if ((minute - begin + 1440) % 1440 >= length(begin, end)) return false;
  }
  if (spec === null) return true;
  if (spec.exclusions.includes(`${parts.year}-${parts.month}-${parts.day}`)) return false;
  if (spec.windows.length === 0) return true;
  return spec.windows.some((w) => {
    const begin = parseHhMm(w.begin)!;
    const end = parseHhMm(w.end)!;
    const sinceBegin = minute - begin;
    return sinceBegin >= 0
      ? w.days.includes(WEEKDAYS[today]!) && sinceBegin < length(begin, end)
      : w.days.includes(yesterday) && sinceBegin + 1440 < length(begin, end);
  });
}
