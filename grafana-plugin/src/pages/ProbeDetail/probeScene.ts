// The probe page's charts as a Grafana scene: availability (with how much of the range has data) and connect time over
// the time picker's range, one line per location (gateway), queried from the Prometheus that scrapes the gateways
// (the app's jsonData.prometheusUid).
import {
  EmbeddedScene,
  PanelBuilders,
  SceneControlsSpacer,
  SceneFlexItem,
  SceneFlexLayout,
  SceneQueryRunner,
  SceneRefreshPicker,
  SceneTimePicker,
  SceneTimeRange,
} from '@grafana/scenes';
import { MappingType, ThresholdsMode } from '@grafana/data';
import { BigValueColorMode, BigValueGraphMode, BigValueTextMode, GraphDrawStyle, LineInterpolation, VisibilityMode } from '@grafana/schema';
import {
  GATEWAY_LEGEND,
  availabilityByGatewayQuery,
  availabilityRatioQuery,
  connectTimeByGatewayQuery,
  coveredSecondsQuery,
} from '../../queries/probeMetrics';

export const DEFAULT_RANGE = { from: 'now-6h', to: 'now' };

/** The queries of the probe page, by refId; what the scene's query runners send to Prometheus. */
export function probeQueries(probeId: number) {
  return {
    ratio: { refId: 'availabilityRatio', expr: availabilityRatioQuery(probeId), instant: true, range: false, legendFormat: `Connected from ${GATEWAY_LEGEND}` },
    ratioAll: { refId: 'availabilityRatioAll', expr: availabilityRatioQuery(probeId, 'all'), instant: true, range: false, legendFormat: 'Connected, all locations' },
    covered: { refId: 'coveredSeconds', expr: coveredSecondsQuery(probeId), instant: true, range: false, legendFormat: `Data in range from ${GATEWAY_LEGEND}` },
    availability: { refId: 'availability', expr: availabilityByGatewayQuery(probeId), range: true, legendFormat: GATEWAY_LEGEND },
    connect: { refId: 'connectSeconds', expr: connectTimeByGatewayQuery(probeId), range: true, legendFormat: GATEWAY_LEGEND },
  };
}

/**
 * `noDataText`: what a panel says when Prometheus has no sample in the range, from the gateway's state (see
 * noSampleText): "No scrape yet: ..." while the gateway has a result, its reason otherwise. `gatewayCount`: the
 * server's locations; with more than one the availability adds the share over all of them.
 */
export function buildProbeScene(probeId: number, prometheusUid: string, noDataText = 'No data', gatewayCount = 1): EmbeddedScene {
  const datasource = { type: 'prometheus', uid: prometheusUid };
  const queries = probeQueries(probeId);
  type Query = (typeof queries)[keyof typeof queries];
  const runner = (...shown: Query[]) => new SceneQueryRunner({ datasource, queries: shown, maxDataPoints: 500 });

  // The share alone misleads: 100 % over "Last 6 hours" may come from the 5 minutes since the probe was created.
  const ratio = PanelBuilders.stat()
    .setTitle('Availability')
    .setDescription(
      'Connected: share of the checks in the range that connected. Data in range: how much of the range has samples; ' +
        'time outside the probe’s window, before it existed or before Prometheus scraped it counts neither way.',
    )
    .setData(gatewayCount > 1 ? runner(queries.ratioAll, queries.ratio, queries.covered) : runner(queries.ratio, queries.covered))
    .setUnit('percent')
    .setDecimals(2)
    .setMin(0)
    .setMax(100)
    .setNoValue(noDataText)
    .setThresholds({
      mode: ThresholdsMode.Absolute,
      steps: [
        { value: -Infinity, color: 'red' },
        { value: 95, color: 'orange' },
        { value: 99, color: 'green' },
      ],
    })
    .setOption('colorMode', BigValueColorMode.Value)
    .setOption('graphMode', BigValueGraphMode.None)
    .setOption('textMode', BigValueTextMode.ValueAndName)
    .setOverrides((overrides) => {
      overrides
        .matchFieldsByQuery(queries.covered.refId)
        .overrideUnit('s')
        .overrideDecimals(0)
        .overrideMax(undefined)
        .overrideColor({ mode: 'fixed', fixedColor: 'text' });
    })
    .build();

  const availability = PanelBuilders.timeseries()
    .setTitle('Up or down')
    .setDescription('tcpprobe_availability per location: 1 connected, 0 failed; gaps are times outside the probe’s window.')
    .setData(runner(queries.availability))
    .setNoValue(noDataText)
    .setMin(0)
    .setMax(1)
    .setDecimals(0)
    .setMappings([{ type: MappingType.ValueToText, options: { '0': { text: 'Down', color: 'red' }, '1': { text: 'Up', color: 'green' } } }])
    .setColor({ mode: 'fixed', fixedColor: 'green' })
    .setCustomFieldConfig('drawStyle', GraphDrawStyle.Line)
    .setCustomFieldConfig('lineInterpolation', LineInterpolation.StepAfter)
    .setCustomFieldConfig('fillOpacity', 25)
    // A line of a few minutes at the edge of a 6 hour range is a sliver; a point per sample is seen at any range.
    .setCustomFieldConfig('showPoints', VisibilityMode.Always)
    .setCustomFieldConfig('pointSize', 6)
    .build();

  const connect = PanelBuilders.timeseries()
    .setTitle('Connect time')
    .setDescription('tcpprobe_connect_seconds per location: connect time of the latest successful check from each.')
    .setData(runner(queries.connect))
    .setNoValue(noDataText)
    .setUnit('s')
    .setMin(0)
    .setCustomFieldConfig('fillOpacity', 10)
    .setCustomFieldConfig('showPoints', VisibilityMode.Always)
    .setCustomFieldConfig('pointSize', 4)
    .build();

  return new EmbeddedScene({
    $timeRange: new SceneTimeRange(DEFAULT_RANGE),
    controls: [new SceneControlsSpacer(), new SceneTimePicker({}), new SceneRefreshPicker({ intervals: ['10s', '30s', '1m', '5m'] })],
    body: new SceneFlexLayout({
      direction: 'column',
      children: [
        new SceneFlexLayout({
          direction: 'row',
          children: [
            new SceneFlexItem({ width: '25%', minHeight: 200, body: ratio }),
            new SceneFlexItem({ minHeight: 200, body: availability }),
          ],
        }),
        new SceneFlexItem({ minHeight: 240, body: connect }),
      ],
    }),
  });
}
