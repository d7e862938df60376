import { describe, expect, test } from 'vitest';
import {
  explainState,
  formatDue,
  formatLateness,
  formatMoment,
  formatSlot,
  nextCheckText,
  noSampleText,
  shownMissedSlot,
  stateSentence,
  statusFacts,
  type StatusFacts,
} from './explainState';

// Monday 2024-01-08 05:00:00 UTC.
const NOW = Date.parse('2024-01-08T05:00:00Z');
const facts = (overrides: Partial<StatusFacts>): StatusFacts => ({
  state: 'nodata',
  reason: null,
  nextCheckAt: null,
  windowOpensAt: null,
  timeliness: null,
  missedSlotAt: null,
  missedSlotReason: null,
  lastCheckedAt: null,
  ...overrides,
});
const sentence = (overrides: Partial<StatusFacts>) => stateSentence(explainState(facts(overrides), NOW, 'utc'));

describe('explainState', () => {
  test('up and down need no explanation', () => {
    expect(explainState(facts({ state: 'up', nextCheckAt: '2024-01-08T05:01:00Z' }), NOW, 'utc')).toEqual({ headline: 'Up', detail: '' });
    expect(sentence({ state: 'down' })).toBe('Down');
  });

  test('outside its window: when it opens, today, this week or later', () => {
    expect(sentence({ reason: 'outside_window', windowOpensAt: '2024-01-08T08:00:00Z' })).toBe('No data: outside its window, opens at 08:00 (in 3 h)');
    expect(sentence({ reason: 'outside_window', windowOpensAt: '2024-01-08T05:30:00Z' })).toBe('No data: outside its window, opens at 05:30 (in 30 min)');
    expect(sentence({ reason: 'outside_window', windowOpensAt: '2024-01-09T08:00:00Z' })).toBe('No data: outside its window, opens at Tue 08:00 (in 1 d 3 h)');
    expect(sentence({ reason: 'outside_window', windowOpensAt: '2024-01-22T08:00:00Z' })).toBe('No data: outside its window, opens at 22 Jan 08:00 (in 14 d 3 h)');
    expect(sentence({ reason: 'outside_window' })).toBe('No data: outside its window, which does not open within a year');
  });

  test('the window opens in the viewer’s time zone', () => {
    expect(sentence({ reason: 'outside_window', windowOpensAt: '2024-01-08T08:00:00Z' })).toContain('08:00');
    expect(stateSentence(explainState(facts({ reason: 'outside_window', windowOpensAt: '2024-01-08T08:00:00Z' }), NOW, 'Europe/Berlin'))).toBe(
      'No data: outside its window, opens at 09:00 (in 3 h)',
    );
  });

  test('not checked yet: when the first check is due', () => {
    expect(explainState(facts({ reason: 'not_checked_yet', nextCheckAt: '2024-01-08T05:00:04Z' }), NOW, 'utc')).toEqual({ headline: 'Not checked yet', detail: 'first check due in 4 s' });
    expect(sentence({ reason: 'not_checked_yet', nextCheckAt: '2024-01-08T05:00:00.200Z' })).toBe('Not checked yet: first check due in 1 s');
    expect(sentence({ reason: 'not_checked_yet', nextCheckAt: '2024-01-08T04:59:59Z' })).toBe('Not checked yet: first check due now');
    expect(sentence({ reason: 'not_checked_yet' })).toBe('Not checked yet');
  });

  test('disabled, by itself or by its server; gateway offline', () => {
    expect(sentence({ state: 'disabled', reason: 'disabled' })).toBe('Disabled: the probe does not run');
    expect(sentence({ state: 'disabled', reason: 'server_disabled' })).toBe('Disabled: its server is disabled, so none of its probes run');
    expect(sentence({ reason: 'gateway_offline' })).toBe('No data: its gateway is offline, so no results arrive');
  });

  test('a gateway without reasons still gets words', () => {
    expect(sentence({})).toBe('No data: outside its window or not checked yet');
    expect(sentence({ state: 'disabled' })).toBe('Disabled');
    expect(explainState({ state: 'nodata' } as StatusFacts, NOW, 'utc').headline).toBe('No data');
  });
});

describe('missed slots', () => {
  // The slot at 04:59:55; the gateway has kept none since.
  const SLOT = '2024-01-08T04:59:55Z';
  const skipped = (missedSlotReason: StatusFacts['missedSlotReason'], overrides: Partial<StatusFacts> = {}) =>
    facts({ state: 'up', timeliness: 'skipped', missedSlotAt: SLOT, missedSlotReason, lastCheckedAt: '2024-01-08T04:59:50Z', ...overrides });
  const late = (lastCheckedAt: string | null, overrides: Partial<StatusFacts> = {}) =>
    facts({ state: 'up', timeliness: 'late', missedSlotAt: SLOT, missedSlotReason: 'late', lastCheckedAt, ...overrides });

  test('a skipped slot says which and why, beside the result it leaves standing', () => {
    expect(explainState(skipped('overlap'), NOW, 'utc')).toEqual({
      headline: 'Up, skipped',
      detail: 'the check due at 04:59:55 did not run because the previous check was still running',
    });
    expect(stateSentence(explainState(skipped('queued', { state: 'down' }), NOW, 'utc'))).toBe(
      'Down, skipped: the check due at 04:59:55 did not run because the previous one was still waiting for a free check slot; the gateway is busy',
    );
    expect(stateSentence(explainState(skipped(null), NOW, 'utc'))).toBe('Up, skipped: the check due at 04:59:55 did not run because the gateway is busy');
  });

  test('a late check says how late, from its own start; until its result is in, only that it is late', () => {
    expect(explainState(late('2024-01-08T04:59:58.2Z'), NOW, 'utc')).toEqual({
      headline: 'Up, late',
      detail: 'the last check started 3.2 s after it was due (at 04:59:55); the gateway is busy',
    });
    expect(stateSentence(explainState(late('2024-01-08T05:06:55Z', { state: 'down', missedSlotAt: '2024-01-08T05:00:00Z' }), NOW, 'utc'))).toBe(
      'Down, late: the last check started 7 min after it was due (at 05:00:00); the gateway is busy',
    );
    // The latest result is of the slot before: the late check still runs.
    expect(stateSentence(explainState(late('2024-01-08T04:59:45Z'), NOW, 'utc'))).toBe(
      'Up, late: the check due at 04:59:55 started late and has no result yet; the gateway is busy',
    );
    expect(stateSentence(explainState(late(null, { state: 'nodata', reason: 'not_checked_yet' }), NOW, 'utc'))).toBe(
      'Not checked yet, late: the check due at 04:59:55 started late and has no result yet; the gateway is busy',
    );
  });

  test('a probe not checked yet says its first slot was skipped', () => {
    expect(stateSentence(explainState(skipped('queued', { state: 'nodata', reason: 'not_checked_yet', lastCheckedAt: null }), NOW, 'utc'))).toBe(
      'Not checked yet, skipped: the check due at 04:59:55 did not run because the previous one was still waiting for a free check slot; the gateway is busy',
    );
  });

  test('a slot of another day names the day, in the viewer’s time zone', () => {
    expect(stateSentence(explainState(skipped('overlap', { missedSlotAt: '2024-01-07T23:59:58Z' }), NOW, 'utc'))).toBe(
      'Up, skipped: the check due at Sun 23:59:58 did not run because the previous check was still running',
    );
    expect(explainState(skipped('overlap'), NOW, 'Europe/Berlin').detail).toContain('at 05:59:55');
  });

  test('on time, no timeliness (another gateway’s probe, an older gateway), or a reason for no state: the usual words', () => {
    expect(sentence({ state: 'up', timeliness: 'on_time', missedSlotAt: SLOT, missedSlotReason: 'overlap' })).toBe('Up');
    expect(sentence({ state: 'down', timeliness: null })).toBe('Down');
    expect(sentence({ state: 'up', timeliness: 'skipped', missedSlotAt: null })).toBe('Up');
    // Outside its window the slots are not missed but closed; disabled and offline say more than a stale skip.
    expect(sentence({ ...skipped('overlap'), state: 'nodata', reason: 'outside_window', windowOpensAt: '2024-01-08T08:00:00Z' })).toBe(
      'No data: outside its window, opens at 08:00 (in 3 h)',
    );
    expect(sentence({ ...late('2024-01-08T04:59:58Z'), state: 'disabled', reason: 'disabled' })).toBe('Disabled: the probe does not run');
    expect(sentence({ ...skipped('queued'), state: 'nodata', reason: 'gateway_offline' })).toBe('No data: its gateway is offline, so no results arrive');
  });

  test('shownMissedSlot: the slot the words are about, or null', () => {
    expect(shownMissedSlot(skipped('overlap'))).toBe(SLOT);
    expect(shownMissedSlot(late(null, { state: 'nodata', reason: 'not_checked_yet' }))).toBe(SLOT);
    expect(shownMissedSlot(skipped('overlap', { timeliness: 'on_time' }))).toBeNull();
    expect(shownMissedSlot(skipped('overlap', { state: 'disabled', reason: 'server_disabled' }))).toBeNull();
  });
});

describe('moments', () => {
  test('due times round seconds up and say now once come', () => {
    expect(formatDue('2024-01-08T05:00:04.1Z', NOW)).toBe('in 5 s');
    expect(formatDue('2024-01-08T05:00:00Z', NOW)).toBe('now');
    expect(formatDue('2024-01-08T07:59:50Z', NOW)).toBe('in 3 h');
    expect(formatDue('2024-01-08T07:30:00Z', NOW)).toBe('in 2 h 30 min');
  });

  test('a moment names its day only when it is not today', () => {
    expect(formatMoment('2024-01-08T23:59:00Z', NOW, 'utc')).toBe('23:59');
    expect(formatMoment('2024-01-09T00:01:00Z', NOW, 'utc')).toBe('Tue 00:01');
  });

  test('a slot to the second, with its day when not today; lateness to a tenth of a second, then as a span', () => {
    expect(formatSlot('2024-01-08T04:59:55.4Z', NOW, 'utc')).toBe('04:59:55');
    expect(formatSlot('2024-01-07T23:59:58Z', NOW, 'utc')).toBe('Sun 23:59:58');
    expect(formatLateness(1040)).toBe('1.0 s');
    expect(formatLateness(3240)).toBe('3.2 s');
    expect(formatLateness(59_900)).toBe('59.9 s');
    expect(formatLateness(420_000)).toBe('7 min');
  });

  test('next check: relative and clock time, or none', () => {
    expect(nextCheckText('2024-01-08T05:04:40Z', NOW, 'utc')).toBe('in 5 min (05:04)');
    expect(nextCheckText('2024-01-08T04:59:00Z', NOW, 'utc')).toBe('now');
    expect(nextCheckText(null, NOW, 'utc')).toBe('none scheduled');
  });
});

describe('noSampleText', () => {
  test('a gateway result without a sample is Prometheus not having scraped it yet', () => {
    expect(noSampleText({ state: 'up', reason: null })).toBe('No scrape yet: the gateway has a result, Prometheus has no sample of it in this range');
    expect(noSampleText({ state: 'down', reason: null })).toMatch(/^No scrape yet/);
  });

  test('otherwise the gateway’s reason, without times that would age', () => {
    expect(noSampleText({ state: 'nodata', reason: 'outside_window' })).toBe('No data: outside window');
    expect(noSampleText({ state: 'nodata', reason: 'gateway_offline' })).toBe('No data: gateway offline');
    expect(noSampleText({ state: 'nodata', reason: 'not_checked_yet' })).toBe('Not checked yet');
    expect(noSampleText({ state: 'disabled', reason: 'disabled' })).toBe('Disabled');
    expect(noSampleText({ state: 'disabled', reason: 'server_disabled' })).toBe('Disabled: server disabled');
    expect(noSampleText({ state: 'nodata', reason: null })).toBe('No data');
  });
});

describe('statusFacts', () => {
  test('what /status says, or for a probe it does not list: no data, or disabled', () => {
    const { lastCheckedAt: _, ...shown } = facts({ state: 'up', nextCheckAt: '2024-01-08T05:01:00Z', timeliness: 'late', missedSlotAt: '2024-01-08T05:00:00Z', missedSlotReason: 'late' });
    const listed = { ...shown, probeId: 1, lastResult: { checkedAt: '2024-01-08T05:00:03Z', outcome: 'success' } };
    expect(statusFacts({ enabled: true }, listed)).toEqual({ ...shown, lastCheckedAt: '2024-01-08T05:00:03Z' });
    expect(statusFacts({ enabled: true }, { ...listed, lastResult: null })).toEqual({ ...shown, lastCheckedAt: null });
    expect(statusFacts({ enabled: true }, undefined)).toEqual(facts({ state: 'nodata' }));
    expect(statusFacts({ enabled: false }, undefined)).toEqual(facts({ state: 'disabled', reason: 'disabled' }));
  });

  test('a gateway without timeliness fields: none', () => {
    const older = { state: 'up', reason: null, nextCheckAt: null, windowOpensAt: null, lastResult: null } as unknown as Parameters<typeof statusFacts>[1];
    expect(statusFacts({ enabled: true }, older)).toEqual(facts({ state: 'up' }));
  });
});
