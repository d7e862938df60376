import { describe, expect, test } from 'vitest';
import {
  availabilityByGatewayQuery,
  availabilityQuery,
  availabilityRatioQuery,
  connectTimeByGatewayQuery,
  connectTimeQuery,
  coveredSecondsQuery,
  probeSelector,
} from './probeMetrics';

describe('probe PromQL', () => {
  test('selects one probe by its probe_id label', () => {
    expect(probeSelector(7)).toBe('{probe_id="7"}');
    expect(availabilityQuery(7)).toBe('tcpprobe_availability{probe_id="7"}');
    expect(connectTimeQuery(42)).toBe('tcpprobe_connect_seconds{probe_id="42"}');
  });

  test('the charts keep one series per location', () => {
    expect(availabilityByGatewayQuery(7)).toBe('max by (gateway) (tcpprobe_availability{probe_id="7"})');
    expect(connectTimeByGatewayQuery(7)).toBe('max by (gateway) (tcpprobe_connect_seconds{probe_id="7"})');
  });

  test('the availability ratio is the share of samples up over the dashboard range, per location or over all', () => {
    expect(availabilityRatioQuery(3)).toBe(
      '100 * sum by (gateway) (sum_over_time(tcpprobe_availability{probe_id="3"}[$__range])) / sum by (gateway) (count_over_time(tcpprobe_availability{probe_id="3"}[$__range]))',
    );
    expect(availabilityRatioQuery(3, 'all')).toBe(
      '100 * sum (sum_over_time(tcpprobe_availability{probe_id="3"}[$__range])) / sum (count_over_time(tcpprobe_availability{probe_id="3"}[$__range]))',
    );
  });

  test('the covered span counts the steps of the range that hold a sample, per location, in seconds', () => {
    expect(coveredSecondsQuery(3)).toBe(
      '(count_over_time(max by (gateway) (tcpprobe_availability{probe_id="3"})[$__range:$__interval]) or max by (gateway) (count_over_time(tcpprobe_availability{probe_id="3"}[$__range]) * 0 + 1)) * $__interval_ms / 1000',
    );
  });

  test('refuses ids that are not gateway ids, so no selector can be smuggled in', () => {
    expect(() => probeSelector(0)).toThrow('positive integer');
    expect(() => probeSelector(1.5)).toThrow('positive integer');
    expect(() => probeSelector(Number.NaN)).toThrow('positive integer');
  });
});
