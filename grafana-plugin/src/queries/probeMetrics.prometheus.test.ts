// The probe page's availability queries run by Debian's Prometheus on a short history: a probe exported for a few
// seconds by two locations (hq up, then down; branch-fra up throughout), then absent as outside its window. The "Data
// in range" must be those seconds, not the range; each location keeps its own share, and the share over all locations
// weighs every location-sample alike.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { startPrometheus, type RunningPrometheus } from '../../../gateway/test/helpers/prometheus';
import { startHttpStub, type HttpStub } from '../test/httpStub';
import { availabilityByGatewayQuery, availabilityRatioQuery, coveredSecondsQuery } from './probeMetrics';

const UP_MS = 3000;
const DOWN_MS = 3000;

let exporter: HttpStub;
let prometheus: RunningPrometheus;
/** The first scrape: Prometheus starts scraping a few seconds after it is ready. */
let startedAt: number | undefined;
beforeAll(async () => {
  exporter = await startHttpStub((_request, response) => {
    startedAt ??= Date.now();
    const age = Date.now() - startedAt;
    response.setHeader('content-type', 'text/plain; version=0.0.4');
    if (age < UP_MS + DOWN_MS) {
      response.end(
        `tcpprobe_availability{probe_id="3",gateway="hq",server="erp"} ${age < UP_MS ? 1 : 0}\n` +
          // The server renamed halfway: a new series of the same location, which the charts keep on one line.
          `tcpprobe_availability{probe_id="3",gateway="branch-fra",server="${age < UP_MS ? 'erp' : 'erp-prod'}"} 1\n`,
      );
    }
    else response.end('');
  });
  prometheus = await startPrometheus({ targets: [new URL(exporter.url).host], scrapeIntervalSeconds: 1 });
});
afterAll(async () => {
  await prometheus?.stop();
  await exporter?.close();
});

/** Grafana's variables as its Prometheus data source fills them in for an instant query. */
function interpolate(expr: string, rangeSeconds: number, intervalSeconds: number): string {
  return expr
    .replaceAll('$__range', `${rangeSeconds}s`)
    .replaceAll('$__interval_ms', String(intervalSeconds * 1000))
    .replaceAll('$__interval', `${intervalSeconds}s`);
}

test('over a 6 hour range, a few seconds of data read as those seconds, and the share as theirs', async () => {
  // Until the series has ended (Prometheus marks it stale at the first scrape without it).
  await prometheus.waitFor('tcpprobe_availability', (result) => result.length === 0 && startedAt !== undefined && Date.now() - startedAt > UP_MS + DOWN_MS, 30_000);
  const byLocation = async (expr: string) =>
    Object.fromEntries((await prometheus.query(expr)).map((sample) => [sample.metric.gateway, Number(sample.value[1])]));
  const covered = await byLocation(interpolate(coveredSecondsQuery(3), 6 * 3600, 1));
  const ratio = await byLocation(interpolate(availabilityRatioQuery(3), 6 * 3600, 1));
  const coveredSeconds = covered.hq!;
  expect(Object.keys(covered).sort()).toEqual(['branch-fra', 'hq']);
  // Within a scrape at each end.
  expect(coveredSeconds).toBeGreaterThanOrEqual((UP_MS + DOWN_MS) / 1000 - 2);
  expect(coveredSeconds).toBeLessThanOrEqual((UP_MS + DOWN_MS) / 1000 + 1);
  expect(Math.abs(covered['branch-fra']! - coveredSeconds)).toBeLessThanOrEqual(1);
  expect(ratio.hq).toBeGreaterThan(20);
  expect(ratio.hq).toBeLessThan(80);
  expect(ratio['branch-fra']).toBe(100);
  // Over all locations: between the two, the mean of their shares as both have as many samples.
  const [all] = await prometheus.query(interpolate(availabilityRatioQuery(3, 'all'), 6 * 3600, 1));
  expect(Number(all!.value[1])).toBeCloseTo((ratio.hq! + 100) / 2, 0);
  // The chart's lines over the range: one per location, the renamed server's two series on one.
  const lines = await prometheus.query(`count_over_time((${availabilityByGatewayQuery(3)})[6h:1s])`);
  expect(lines.map((line) => line.metric.gateway).sort()).toEqual(['branch-fra', 'hq']);

  // A coarser step (Grafana's $__interval on a long range) stays within one step of it, even when the few seconds
  // fall between two steps.
  const [coarse] = await prometheus.query(interpolate(coveredSecondsQuery(3), 6 * 3600, 30));
  expect(Number(coarse!.value[1])).toBeGreaterThan(0);
  expect(Math.abs(Number(coarse!.value[1]) - coveredSeconds)).toBeLessThanOrEqual(30);
});
