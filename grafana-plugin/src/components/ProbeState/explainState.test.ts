import { describe, expect, test } from 'vitest';
import { explainState, formatDue, formatMoment, nextCheckText, noSampleText, stateSentence, statusFacts, type StatusFacts } from './explainState';

// Monday 2024-01-08 05:00:00 UTC.
const NOW = Date.parse('2024-01-08T05:00:00Z');
const facts = (overrides: Partial<StatusFacts>): StatusFacts => ({ state: 'nodata', reason: null, nextCheckAt: null, windowOpensAt: null, ...overrides });
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
    const listed = { ...facts({ state: 'up', nextCheckAt: '2024-01-08T05:01:00Z' }), probeId: 1, lastResult: null } as StatusFacts;
    expect(statusFacts({ enabled: true }, listed)).toEqual(facts({ state: 'up', nextCheckAt: '2024-01-08T05:01:00Z' }));
    expect(statusFacts({ enabled: true }, undefined)).toEqual(facts({ state: 'nodata' }));
    expect(statusFacts({ enabled: false }, undefined)).toEqual(facts({ state: 'disabled', reason: 'disabled' }));
  });
});
