// Stand-ins for Grafana's core panels, which live in Grafana itself rather than in a package: a time series panel
// (with Grafana's own custom field options and their defaults: draw style, points, fill, ...) and a stat panel, drawn
// with @grafana/ui's own TimeSeries (uPlot) and BigValue, enough to see the probe charts as Grafana draws them; and the
// app's nested status-grid panel itself.
import './fieldConfig';
import { FieldColorModeId, getFieldDisplayName, identityOverrideProcessor, PanelPlugin, PluginType, type FieldConfigEditorBuilder, type PanelPluginMeta, type PanelProps } from '@grafana/data';
import {
  AxisPlacement,
  BarAlignment,
  GraphDrawStyle,
  GraphGradientMode,
  GraphThresholdsStyleMode,
  LegendDisplayMode,
  LineInterpolation,
  ScaleDistribution,
  StackingMode,
  VisibilityMode,
} from '@grafana/schema';
import { BigValue, BigValueColorMode, BigValueGraphMode, BigValueTextMode, TimeSeries, useTheme2 } from '@grafana/ui';
import { plugin as gridPlugin } from '../src/panels/probe-grid/module';
import gridPluginJson from '../src/panels/probe-grid/plugin.json';

function TimeSeriesPanel({ data, width, height, timeRange, timeZone, fieldConfig }: PanelProps) {
  if (data.series.length === 0) return <NoData text={fieldConfig.defaults.noValue} />;
  return (
    <TimeSeries
      frames={data.series}
      width={width}
      height={height}
      timeRange={timeRange}
      timeZone={timeZone}
      legend={{ showLegend: true, displayMode: LegendDisplayMode.List, placement: 'bottom', calcs: [] }}
    />
  );
}

/** Grafana's stat panel in small: one big value per numeric field of every frame, side by side, named as its text mode says. */
function StatPanel({ data, width, height, options, fieldConfig }: PanelProps<{ colorMode?: BigValueColorMode; graphMode?: BigValueGraphMode; textMode?: BigValueTextMode }>) {
  const theme = useTheme2();
  const values = data.series.flatMap((frame) => frame.fields
    .filter((field) => field.type === 'number' && field.display && field.values.length > 0)
    .map((field) => ({ ...field.display!(field.values[field.values.length - 1]), title: getFieldDisplayName(field, frame, data.series) })));
  if (values.length === 0) return <NoData text={fieldConfig.defaults.noValue} />;
  const valueWidth = Math.floor(width / values.length);
  return (
    <div style={{ display: 'flex' }}>
      {values.map((value) => (
        <BigValue
          key={value.title}
          theme={theme}
          width={valueWidth}
          height={height}
          value={value}
          textMode={options.textMode ?? BigValueTextMode.Auto}
          colorMode={options.colorMode ?? BigValueColorMode.Value}
          graphMode={options.graphMode ?? BigValueGraphMode.None}
        />
      ))}
    </div>
  );
}

/** What a panel without data says: its "No value" text when it has one, as Grafana's panels do. */
function NoData({ text }: { text?: string }) {
  return <div style={{ display: 'flex', height: '100%', alignItems: 'center', justifyContent: 'center', opacity: 0.6 }}>{text || 'No data'}</div>;
}

/**
 * The time series panel's custom field options with Grafana's defaults (its timeseries panel's defaultGraphConfig):
 * Grafana keeps only registered options, so without them a scene's drawStyle, showPoints or fillOpacity would be lost.
 */
const GRAPH_DEFAULTS: Record<string, unknown> = {
  drawStyle: GraphDrawStyle.Line,
  lineInterpolation: LineInterpolation.Linear,
  lineWidth: 1,
  lineStyle: { fill: 'solid' },
  fillOpacity: 0,
  gradientMode: GraphGradientMode.None,
  barAlignment: BarAlignment.Center,
  barWidthFactor: 0.6,
  showPoints: VisibilityMode.Auto,
  pointSize: 5,
  spanNulls: false,
  insertNulls: false,
  stacking: { mode: StackingMode.None, group: 'A' },
  axisPlacement: AxisPlacement.Auto,
  axisLabel: '',
  axisColorMode: 'text',
  axisBorderShow: false,
  axisCenteredZero: false,
  scaleDistribution: { type: ScaleDistribution.Linear },
  thresholdsStyle: { mode: GraphThresholdsStyleMode.Off },
  hideFrom: { legend: false, tooltip: false, viz: false },
};

function graphFieldOptions(builder: FieldConfigEditorBuilder<Record<string, unknown>>): void {
  for (const [path, defaultValue] of Object.entries(GRAPH_DEFAULTS)) {
    builder.addCustomEditor({ id: path, path, name: path, editor: noEditor, override: noEditor, process: identityOverrideProcessor, shouldApply: () => true, defaultValue });
  }
}

const noEditor = () => null;

function meta(id: string): PanelPluginMeta {
  return {
    id,
    name: id,
    type: PluginType.panel,
    module: '',
    baseUrl: '',
    sort: 1,
    info: { author: { name: 'preview' }, description: '', links: [], logos: { small: '', large: '' }, screenshots: [], updated: '', version: '' },
  };
}

/** Each with Grafana's standard field options, coloured as Grafana's own panels are by default. */
const PANELS: Record<string, PanelPlugin> = {};
for (const [id, component, color, customOptions] of [
  ['timeseries', TimeSeriesPanel, FieldColorModeId.PaletteClassic, graphFieldOptions],
  ['stat', StatPanel, FieldColorModeId.Thresholds, undefined],
] as const) {
  const plugin = new PanelPlugin(component as PanelPlugin['panel'] & object).useFieldConfig({
    standardOptions: { color: { defaultValue: { mode: color } } },
    ...(customOptions ? { useCustomConfig: customOptions } : {}),
  });
  plugin.meta = meta(id);
  PANELS[id] = plugin;
}

// The app's own nested panel, as Grafana loads it from the app's module: the dashboard page shows it.
gridPlugin.meta = meta(gridPluginJson.id);
PANELS[gridPluginJson.id] = gridPlugin as unknown as PanelPlugin;

export function previewPanelPlugin(id: string): PanelPlugin {
  const plugin = PANELS[id];
  if (!plugin) throw new Error(`the preview has no stand-in for the ${id} panel`);
  return plugin;
}
