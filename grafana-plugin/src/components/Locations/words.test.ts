import { describe, expect, test } from 'vitest';
import { locationsInWords, locationsSummary, quorumFor, quorumSentence, quorumShort } from './words';

describe('locations in words', () => {
  test('one gateway by name, several counted and listed', () => {
    expect(locationsInWords(['hq'])).toBe('gateway hq');
    expect(locationsInWords(['hq', 'aws-eu'])).toBe('2 gateways: hq and aws-eu');
    expect(locationsInWords(['hq', 'branch-fra', 'aws-eu'])).toBe('3 gateways: hq, branch-fra and aws-eu');
  });

  test('the default quorum is 1 for one location, else a majority; a set one wins', () => {
    expect([1, 2, 3, 4, 5].map((n) => quorumFor({}, n).quorum)).toEqual([1, 2, 2, 3, 3]);
    expect(quorumFor({ minFailingLocations: 1 }, 3)).toEqual({ quorum: 1, locations: 3, own: true });
    expect(quorumShort(quorumFor({}, 3))).toBe('2 of 3 locations (a majority, the default)');
    expect(quorumShort(quorumFor({}, 1))).toBe('1 of 1 locations (the default)');
    expect(quorumShort(quorumFor({ minFailingLocations: 3 }, 3))).toBe('3 of 3 locations');
  });

  test('what the quorum becomes: the service alert, and path alerts below it', () => {
    expect(quorumSentence(quorumFor({}, 1))).toBeNull();
    expect(quorumSentence(quorumFor({}, 3))).toBe('alerts when 2 of 3 locations see it down; a location alone raises a path alert to its team');
    expect(quorumSentence(quorumFor({ minFailingLocations: 1 }, 3))).toBe('alerts when any of the 3 locations sees it down');
    expect(quorumSentence(quorumFor({}, 5))).toBe('alerts when 3 of 5 locations see it down; up to 2 locations alone raise a path alert each, to their own teams');
  });
});

const counts = (down: number, up: number, total: number) => ({ locationsDown: down, locationsUp: up, locationsTotal: total });

describe('locations summary', () => {
  test('nothing to say for one location', () => {
    expect(locationsSummary(counts(1, 0, 1))).toBeNull();
  });

  test('down, up and silent locations counted', () => {
    expect(locationsSummary(counts(1, 1, 3))).toBe('down at 1 of 3 locations, up at 1, no data from 1');
    expect(locationsSummary(counts(2, 1, 3))).toBe('down at 2 of 3 locations, up at 1');
    expect(locationsSummary(counts(3, 0, 3))).toBe('down at all 3 locations');
    expect(locationsSummary(counts(0, 3, 3))).toBe('up at all 3 locations');
    expect(locationsSummary(counts(0, 2, 3))).toBe('up at 2 of 3 locations, no data from 1');
    expect(locationsSummary(counts(0, 0, 2))).toBe('no data from any of 2 locations');
  });
});

