// The probe page's scene as built: which queries go to which data source, over which range. (The queries cannot run
// in jsdom; the PromQL itself is tested in queries/probeMetrics.test.ts.)
import { describe, expect, test } from 'vitest';
import { SceneQueryRunner, SceneTimePicker, SceneTimeRange, VizPanel, sceneGraph, type SceneObject } from '@grafana/scenes';
import { buildProbeScene } from './probeScene';

function descendants(root: SceneObject): SceneObject[] {
  const found: SceneObject[] = [];
  root.forEachChild((child) => {
    found.push(child, ...descendants(child));
  });
  return found;
}

describe('probe scene', () => {
  const scene = buildProbeScene(42, 'prom-main');
  const panels = descendants(scene).filter((o): o is VizPanel => o instanceof VizPanel);

  test('three panels, each with its own queries on the configured Prometheus', () => {
    const shown = panels.map((panel) => {
      const runner = panel.state.$data as SceneQueryRunner;
      expect(runner).toBeInstanceOf(SceneQueryRunner);
      return {
        title: panel.state.title,
        type: panel.state.pluginId,
        datasource: runner.state.datasource,
        exprs: runner.state.queries.map((q) => (q as unknown as { expr: string }).expr),
      };
    });
    expect(shown).toEqual([
      {
        title: 'Availability',
        type: 'stat',
        datasource: { type: 'prometheus', uid: 'prom-main' },
        exprs: [
          '100 * sum by (gateway) (sum_over_time(tcpprobe_availability{probe_id="42"}[$__range])) / sum by (gateway) (count_over_time(tcpprobe_availability{probe_id="42"}[$__range]))',
          '(count_over_time(max by (gateway) (tcpprobe_availability{probe_id="42"})[$__range:$__interval]) or max by (gateway) (count_over_time(tcpprobe_availability{probe_id="42"}[$__range]) * 0 + 1)) * $__interval_ms / 1000',
        ],
      },
      { title: 'Up or down', type: 'timeseries', datasource: { type: 'prometheus', uid: 'prom-main' }, exprs: ['max by (gateway) (tcpprobe_availability{probe_id="42"})'] },
      { title: 'Connect time', type: 'timeseries', datasource: { type: 'prometheus', uid: 'prom-main' }, exprs: ['max by (gateway) (tcpprobe_connect_seconds{probe_id="42"})'] },
    ]);
  });

  test('a server on several gateways adds the share over all locations before the per-location ones', () => {
    const multi = descendants(buildProbeScene(42, 'prom-main', 'No data', 3)).filter((o): o is VizPanel => o instanceof VizPanel);
    const ratioQueries = (multi[0]!.state.$data as SceneQueryRunner).state.queries as Array<Record<string, unknown>>;
    expect(ratioQueries.map((q) => [q.refId, q.legendFormat])).toEqual([
      ['availabilityRatioAll', 'Connected, all locations'],
      ['availabilityRatio', 'Connected from {{gateway}}'],
      ['coveredSeconds', 'Data in range from {{gateway}}'],
    ]);
    expect(ratioQueries[0]!.expr).toBe(
      '100 * sum (sum_over_time(tcpprobe_availability{probe_id="42"}[$__range])) / sum (count_over_time(tcpprobe_availability{probe_id="42"}[$__range]))',
    );
  });

  test('the ratio and its coverage are instant queries, the charts range queries; one legend entry per gateway, named', () => {
    const queries = panels.flatMap((panel) => (panel.state.$data as SceneQueryRunner).state.queries as Array<Record<string, unknown>>);
    expect(queries.map((q) => [q.instant ?? false, q.range])).toEqual([
      [true, false],
      [true, false],
      [false, true],
      [false, true],
    ]);
    expect(queries.map((query) => query.legendFormat)).toEqual(['Connected from {{gateway}}', 'Data in range from {{gateway}}', '{{gateway}}', '{{gateway}}']);
  });

  test('every panel follows one time range, the last 6 hours until the picker changes it', () => {
    const range = sceneGraph.getTimeRange(panels[0]!);
    expect(range).toBeInstanceOf(SceneTimeRange);
    expect(range.state).toMatchObject({ from: 'now-6h', to: 'now' });
    for (const panel of panels) expect(sceneGraph.getTimeRange(panel)).toBe(range);
    expect(scene.state.controls?.some((control) => control instanceof SceneTimePicker)).toBe(true);
  });

  test('connect time in seconds, availability as up/down', () => {
    const [ratio, availability, connect] = panels;
    expect(ratio!.state.fieldConfig.defaults.unit).toBe('percent');
    expect(connect!.state.fieldConfig.defaults.unit).toBe('s');
    expect(availability!.state.fieldConfig.defaults).toMatchObject({ min: 0, max: 1 });
    expect(JSON.stringify(availability!.state.fieldConfig.defaults.mappings)).toContain('"Down"');
  });

  test('the availability says over how much data it was computed: connected share and data in range (named by their legends), in seconds', () => {
    const ratio = panels[0]!;
    expect(ratio.state.options).toMatchObject({ textMode: 'value_and_name' });
    const overrides = ratio.state.fieldConfig.overrides.map((o) => ({ matcher: o.matcher, properties: Object.fromEntries(o.properties.map((p) => [p.id, p.value])) }));
    expect(overrides).toEqual([
      {
        matcher: { id: 'byFrameRefID', options: 'coveredSeconds' },
        properties: { unit: 's', decimals: 0, max: undefined, color: { mode: 'fixed', fixedColor: 'text' } },
      },
    ]);
  });

  test('a short history is seen at any range: every sample of up or down is drawn as a point', () => {
    const availability = panels[1]!;
    expect(availability.state.fieldConfig.defaults.custom).toMatchObject({ showPoints: 'always', pointSize: 6, drawStyle: 'line', lineInterpolation: 'stepAfter' });
    expect(panels[2]!.state.fieldConfig.defaults.custom).toMatchObject({ showPoints: 'always' });
  });

  test('an empty panel says why, in the words the page gives it', () => {
    const explained = descendants(buildProbeScene(42, 'prom-main', 'No scrape yet: the gateway has a result')).filter((o): o is VizPanel => o instanceof VizPanel);
    expect(explained.map((panel) => panel.state.fieldConfig.defaults.noValue)).toEqual(Array(3).fill('No scrape yet: the gateway has a result'));
    expect(panels.map((panel) => panel.state.fieldConfig.defaults.noValue)).toEqual(Array(3).fill('No data'));
  });
});
