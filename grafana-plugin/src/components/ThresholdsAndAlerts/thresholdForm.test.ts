import { describe, expect, test } from 'vitest';
import type { Threshold } from '../../api/types';
import { describeThreshold, formFieldOf, newThresholdRow, thresholdsFormSchema, thresholdsFormSchemaFor, toThreshold, toThresholdRow, type ThresholdRow } from './thresholdForm';

const row = (extra: Partial<ThresholdRow>): ThresholdRow => ({ ...newThresholdRow([]), ...extra });

function problems(rows: ThresholdRow[]): Array<[string, string]> {
  const result = thresholdsFormSchema.safeParse({ thresholds: rows });
  return result.success ? [] : result.error.issues.map((issue) => [issue.path.join('.'), issue.message]);
}

describe('thresholds form', () => {
  test('round-trips a threshold and leaves out what its kind does not use', () => {
    const threshold: Threshold = { kind: 'availabilityRatio', level: 'warning', value: 99.5, window: '1h', team: 'db', contactPoint: 'db-oncall', runbookUrl: 'https://wiki/x' };
    expect(toThreshold(toThresholdRow(threshold))).toEqual(threshold);
    expect(toThreshold(row({ kind: 'connectTime', value: '300', consecutiveChecks: '3', window: '2h', for: '' }))).toEqual({
      kind: 'connectTime', level: 'warning', value: 300,
    });
  });

  test("checks the gateway's rules: value per kind, durations, team, URL, one threshold per kind and level", () => {
    expect(problems([row({ kind: 'availabilityRatio', value: '' }), row({ kind: 'connectTime', value: '70000', level: 'warning' })])).toEqual([
      ['thresholds.0.value', 'Must be a percentage above 0 and at most 100'],
      ['thresholds.1.value', 'Must be milliseconds above 0 and at most 60000'],
    ]);
    expect(problems([row({ for: '5 minutes', team: 'a b', runbookUrl: 'wiki', consecutiveChecks: '0' })]).map(([path]) => path)).toEqual([
      'thresholds.0.for', 'thresholds.0.team', 'thresholds.0.runbookUrl', 'thresholds.0.consecutiveChecks',
    ]);
    expect(problems([row({}), row({})])).toEqual([['thresholds.1.level', 'Another threshold already sets Availability (down) at level warning; keep one']]);
  });

  test('the quorum of locations: kept for availability only, a whole number, at most the server\'s gateways', () => {
    const quorum: Threshold = { kind: 'availability', level: 'critical', for: '5m', minFailingLocations: 2 };
    expect(toThreshold(toThresholdRow(quorum))).toEqual(quorum);
    expect(toThreshold(row({ kind: 'connectTime', value: '300', for: '', minFailingLocations: '2' }))).not.toHaveProperty('minFailingLocations');
    expect(problems([row({ minFailingLocations: '1.5' }), row({ level: 'critical', minFailingLocations: '17' })])).toEqual([
      ['thresholds.0.minFailingLocations', 'Must be a whole number from 1 to 16'],
      ['thresholds.1.minFailingLocations', 'Must be a whole number from 1 to 16'],
    ]);
    const onThree = (rows: ThresholdRow[]) => thresholdsFormSchemaFor(3).safeParse({ thresholds: rows }).error?.issues.map((issue) => [issue.path.join('.'), issue.message]) ?? [];
    expect(onThree([row({ minFailingLocations: '3' })])).toEqual([]);
    expect(onThree([row({ minFailingLocations: '4' })])).toEqual([['thresholds.0.minFailingLocations', 'Must be at most 3: the server runs from 3 gateways']]);
  });

  test('certificate expiry: days, at the gateway\'s defaults for a new row, described in days', () => {
    const taken = ['availability', 'availabilityRatio', 'connectTime'].flatMap((kind) => (['warning', 'critical'] as const).map((level) => ({ kind: kind as Threshold['kind'], level })));
    expect(newThresholdRow(taken)).toMatchObject({ kind: 'certExpiry', level: 'warning', value: '14', for: '' });
    expect(newThresholdRow([...taken, { kind: 'certExpiry', level: 'warning' }])).toMatchObject({ kind: 'certExpiry', level: 'critical', value: '3' });
    expect(toThreshold(row({ kind: 'certExpiry', level: 'critical', value: '7', for: '' }))).toEqual({ kind: 'certExpiry', level: 'critical', value: 7 });
    expect(problems([row({ kind: 'certExpiry', value: '' }), row({ kind: 'certExpiry', level: 'critical', value: '3651' })])).toEqual([
      ['thresholds.0.value', 'Must be days above 0 and at most 3650'],
      ['thresholds.1.value', 'Must be days above 0 and at most 3650'],
    ]);
    expect(describeThreshold({ kind: 'certExpiry', level: 'warning', value: 14 })).toBe('certificate expires in less than 14 days');
  });

  test('a new row takes the first free kind and level and the default team', () => {
    expect(newThresholdRow([], 'sre')).toMatchObject({ kind: 'availability', level: 'warning', team: 'sre', for: '5m', consecutiveChecks: '2' });
    expect(newThresholdRow([{ kind: 'availability', level: 'warning' }, { kind: 'availability', level: 'critical' }])).toMatchObject({ kind: 'availabilityRatio', level: 'warning', value: '99' });
  });

  test('describes thresholds and maps gateway field paths onto the form', () => {
    expect(describeThreshold({ kind: 'availability', level: 'critical', for: '5m', consecutiveChecks: 2 })).toBe('down for 5m after 2 failed checks in a row');
    expect(describeThreshold({ kind: 'availability', level: 'critical', consecutiveChecks: 3 })).toBe('down after 3 failed checks in a row');
    expect(describeThreshold({ kind: 'availability', level: 'critical', for: '90s', consecutiveChecks: 1 })).toBe('down for 1m30s');
    expect(describeThreshold({ kind: 'availability', level: 'critical' })).toBe('down at one failed check');
    expect(describeThreshold({ kind: 'availabilityRatio', level: 'warning', value: 99 })).toBe('up less than 99% over 1h');
    expect(describeThreshold({ kind: 'connectTime', level: 'warning', value: 250, for: '10m' })).toBe('slower than 250 ms for 10m');
    expect(formFieldOf('thresholds[2].value')).toBe('thresholds.2.value');
    expect(formFieldOf('thresholds[1]')).toBe('thresholds.1.level');
    expect(formFieldOf('name')).toBeNull();
  });
});
