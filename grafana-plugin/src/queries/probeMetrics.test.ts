import { describe, expect, test } from 'vitest';
import { availabilityQuery, availabilityRatioQuery, connectTimeQuery, coveredSecondsQuery, probeSelector } from './probeMetrics';

describe('probe PromQL', () => {
  test('selects one probe by its probe_id label', () => {
    expect(probeSelector(7)).toBe('{probe_id="7"}');
    expect(availabilityQuery(7)).toBe('tcpprobe_availability{probe_id="7"}');
    expect(connectTimeQuery(42)).toBe('tcpprobe_connect_seconds{probe_id="42"}');
  });

  test('the availability ratio averages over the dashboard range, in percent', () => {
    expect(availabilityRatioQuery(3)).toBe('avg_over_time(tcpprobe_availability{probe_id="3"}[$__range]) * 100');
  });

  test('the covered span counts the steps of the range that hold a sample, in seconds', () => {
    expect(coveredSecondsQuery(3)).toBe(
      '(count_over_time(tcpprobe_availability{probe_id="3"}[$__range:$__interval]) or count_over_time(tcpprobe_availability{probe_id="3"}[$__range]) * 0 + 1) * $__interval_ms / 1000',
    );
  });

  test('refuses ids that are not gateway ids, so no selector can be smuggled in', () => {
    expect(() => probeSelector(0)).toThrow('positive integer');
    expect(() => probeSelector(1.5)).toThrow('positive integer');
    expect(() => probeSelector(Number.NaN)).toThrow('positive integer');
  });
});
