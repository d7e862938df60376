// The probe page's charts as a Grafana scene: availability and connect time over the time picker's range, queried
// from the Prometheus that scrapes the gateway (the app's jsonData.prometheusUid).
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
import { BigValueColorMode, BigValueGraphMode, GraphDrawStyle, LineInterpolation } from '@grafana/schema';
import { GATEWAY_LEGEND, availabilityQuery, availabilityRatioQuery, connectTimeQuery } from '../../queries/probeMetrics';

export const DEFAULT_RANGE = { from: 'now-6h', to: 'now' };

/** The three queries of the probe page, by refId; what the scene's query runners send to Prometheus. */
export function probeQueries(probeId: number) {
  return {
    ratio: { refId: 'availabilityRatio', expr: availabilityRatioQuery(probeId), instant: true, range: false, legendFormat: GATEWAY_LEGEND },
    availability: { refId: 'availability', expr: availabilityQuery(probeId), range: true, legendFormat: GATEWAY_LEGEND },
    connect: { refId: 'connectSeconds', expr: connectTimeQuery(probeId), range: true, legendFormat: GATEWAY_LEGEND },
  };
}

export function buildProbeScene(probeId: number, prometheusUid: string): EmbeddedScene {
  const datasource = { type: 'prometheus', uid: prometheusUid };
  const queries = probeQueries(probeId);
  const runner = (query: (typeof queries)[keyof typeof queries]) => new SceneQueryRunner({ datasource, queries: [query], maxDataPoints: 500 });

  const ratio = PanelBuilders.stat()
    .setTitle('Availability')
    .setDescription('Share of the range in which the probe connected; time outside its window counts neither way.')
    .setData(runner(queries.ratio))
    .setUnit('percent')
    .setDecimals(2)
    .setMin(0)
    .setMax(100)
    .setNoValue('no data')
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
    .build();

  const availability = PanelBuilders.timeseries()
    .setTitle('Up or down')
    .setDescription('tcpprobe_availability: 1 connected, 0 failed; gaps are times outside the probe’s window.')
    .setData(runner(queries.availability))
    .setMin(0)
    .setMax(1)
    .setDecimals(0)
    .setMappings([{ type: MappingType.ValueToText, options: { '0': { text: 'Down', color: 'red' }, '1': { text: 'Up', color: 'green' } } }])
    .setColor({ mode: 'fixed', fixedColor: 'green' })
    .setCustomFieldConfig('drawStyle', GraphDrawStyle.Line)
    .setCustomFieldConfig('lineInterpolation', LineInterpolation.StepAfter)
    .setCustomFieldConfig('fillOpacity', 25)
    .build();

  const connect = PanelBuilders.timeseries()
    .setTitle('Connect time')
    .setDescription('tcpprobe_connect_seconds: connect time of the latest successful check.')
    .setData(runner(queries.connect))
    .setUnit('s')
    .setMin(0)
    .setCustomFieldConfig('fillOpacity', 10)
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
