// Stand-ins for Grafana's core panels, which live in Grafana itself rather than in a package: a time series panel
// and a stat panel drawn with @grafana/ui's own TimeSeries (uPlot) and BigValue, enough to see the probe charts.
import './fieldConfig';
import { FieldColorModeId, PanelPlugin, PluginType, type PanelPluginMeta, type PanelProps } from '@grafana/data';
import { LegendDisplayMode } from '@grafana/schema';
import { BigValue, BigValueColorMode, BigValueGraphMode, TimeSeries, useTheme2 } from '@grafana/ui';

function TimeSeriesPanel({ data, width, height, timeRange, timeZone }: PanelProps) {
  if (data.series.length === 0) return <NoData />;
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

function StatPanel({ data, width, height, options }: PanelProps<{ colorMode?: BigValueColorMode; graphMode?: BigValueGraphMode }>) {
  const theme = useTheme2();
  const field = data.series[0]?.fields.find((f) => f.type === 'number');
  if (!field?.display || field.values.length === 0) return <NoData />;
  const value = field.display(field.values[field.values.length - 1]);
  return (
    <BigValue
      theme={theme}
      width={width}
      height={height}
      value={value}
      colorMode={options.colorMode ?? BigValueColorMode.Value}
      graphMode={options.graphMode ?? BigValueGraphMode.None}
    />
  );
}

function NoData() {
  return <div style={{ display: 'flex', height: '100%', alignItems: 'center', justifyContent: 'center', opacity: 0.6 }}>No data</div>;
}

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
for (const [id, component, color] of [
  ['timeseries', TimeSeriesPanel, FieldColorModeId.PaletteClassic],
  ['stat', StatPanel, FieldColorModeId.Thresholds],
] as const) {
  const plugin = new PanelPlugin(component as PanelPlugin['panel'] & object).useFieldConfig({
    standardOptions: { color: { defaultValue: { mode: color } } },
  });
  plugin.meta = meta(id);
  PANELS[id] = plugin;
}

export function previewPanelPlugin(id: string): PanelPlugin {
  const plugin = PANELS[id];
  if (!plugin) throw new Error(`the preview has no stand-in for the ${id} panel`);
  return plugin;
}
