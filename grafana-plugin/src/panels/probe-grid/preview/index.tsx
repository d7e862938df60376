// A standalone page that hosts the probe grid the way a Grafana dashboard does (the real @grafana/ui and
// @grafana/data, a theme context, PanelProps with the plugin's default options and field config), fed with a
// generated fleet in the frames Grafana's Prometheus data source produces. Used by the browser test and the benchmark.
// URL parameters: probes, seed, downRatio, noDataRatio, locations (gateways a server runs from), partialRatio,
// format (series|table), queries (all|minimal), groupBy, sortBy, tileSize, showValues, problemsOnly, longNames, theme,
// width, height.
import './bootData';
import { createTheme, getDefaultTimeRange, LoadingState, ThemeContext, type DataFrame, type PanelProps } from '@grafana/data';
import { locationService } from '@grafana/runtime';
import { Profiler, useEffect, useState } from 'react';
import { flushSync } from 'react-dom';
import { createRoot } from 'react-dom/client';
import { plugin } from '../module';
import { ALL_QUERIES, fleetFrames, generateFleet, MINIMAL_QUERIES } from '../testing/fleet';
import { DEFAULT_FIELD_CONFIG, DEFAULT_OPTIONS, type ProbeGridOptions } from '../types';

const params = new URLSearchParams(window.location.search);
const theme = createTheme({ colors: { mode: params.get('theme') === 'light' ? 'light' : 'dark' } });
const Panel = plugin.panel!;
const PANEL_TITLE_HEIGHT = 32;
const PANEL_PADDING = 8;

interface Scenario {
  probes: number;
  seed: number;
  downRatio: number;
  noDataRatio: number;
  /** Gateways each probe server runs from, and the share of probes down at only some of them. */
  locations: number;
  partialRatio: number;
  format: 'series' | 'table';
  /** Every series the grid reads (as the provisioned dashboard queries them), or only the two it needs. */
  queries: 'all' | 'minimal';
  /** Every so many probes gets a name longer than a tile. */
  longNames: boolean;
  width: number;
  height: number;
  options: ProbeGridOptions;
}

function scenarioFrom(overrides: Partial<Scenario> & { options?: Partial<ProbeGridOptions> } = {}): Scenario {
  const number = (name: string, fallback: number) => (params.has(name) ? Number(params.get(name)) : fallback);
  const option = <K extends keyof ProbeGridOptions>(name: K): ProbeGridOptions[K] =>
    (params.has(name) ? (typeof DEFAULT_OPTIONS[name] === 'boolean' ? params.get(name) !== 'false' : params.get(name)) : DEFAULT_OPTIONS[name]) as ProbeGridOptions[K];
  return {
    probes: number('probes', 60),
    seed: number('seed', 1),
    downRatio: number('downRatio', 0.02),
    noDataRatio: number('noDataRatio', 0.03),
    locations: number('locations', 1),
    partialRatio: number('partialRatio', 0),
    format: params.get('format') === 'table' ? 'table' : 'series',
    queries: params.get('queries') === 'minimal' ? 'minimal' : 'all',
    longNames: params.get('longNames') === 'true',
    width: number('width', 1200),
    height: number('height', 700),
    ...overrides,
    options: {
      groupBy: option('groupBy'),
      sortBy: option('sortBy'),
      tileSize: option('tileSize'),
      showValues: option('showValues'),
      problemsOnly: option('problemsOnly'),
      downColor: DEFAULT_OPTIONS.downColor,
      partialColor: DEFAULT_OPTIONS.partialColor,
      noDataColor: DEFAULT_OPTIONS.noDataColor,
      ...overrides.options,
    },
  };
}

/** React commit durations, for the benchmark's scroll measurement. */
const commits: number[] = [];

function Location() {
  const [path, setPath] = useState(locationService.getLocation().pathname);
  useEffect(() => locationService.getHistory().listen((location: { pathname: string }) => setPath(location.pathname)), []);
  return (
    <output id="location" style={{ color: theme.colors.text.secondary, font: '12px monospace' }}>
      {path}
    </output>
  );
}

function DashboardPanel({ scenario, series }: { scenario: Scenario; series: DataFrame[] }) {
  const innerWidth = scenario.width - 2 * PANEL_PADDING;
  const innerHeight = scenario.height - PANEL_TITLE_HEIGHT - PANEL_PADDING;
  const props: PanelProps<ProbeGridOptions> = {
    id: 1,
    data: { state: LoadingState.Done, series, timeRange: getDefaultTimeRange() },
    timeRange: getDefaultTimeRange(),
    timeZone: 'utc',
    options: scenario.options,
    transparent: false,
    width: innerWidth,
    height: innerHeight,
    fieldConfig: { defaults: DEFAULT_FIELD_CONFIG, overrides: [] },
    renderCounter: 0,
    title: 'TCP probes overview',
    eventBus: undefined as never,
    onOptionsChange: () => {},
    onFieldConfigChange: () => {},
    replaceVariables: (value) => value,
    onChangeTimeRange: () => {},
  };
  return (
    <ThemeContext.Provider value={theme}>
      <section
        data-testid="panel"
        style={{
          width: scenario.width,
          height: scenario.height,
          background: theme.colors.background.primary,
          border: `1px solid ${theme.colors.border.weak}`,
          borderRadius: theme.shape.radius.default,
          color: theme.colors.text.primary,
          fontFamily: theme.typography.fontFamily,
          fontSize: theme.typography.fontSize,
          boxSizing: 'border-box',
        }}
      >
        <h2 style={{ height: PANEL_TITLE_HEIGHT, margin: 0, padding: `0 ${PANEL_PADDING}px`, lineHeight: `${PANEL_TITLE_HEIGHT}px`, fontSize: theme.typography.h6.fontSize, fontWeight: theme.typography.fontWeightMedium }}>
          TCP probes overview
        </h2>
        <div style={{ padding: `0 ${PANEL_PADDING}px` }}>
          <Profiler id="probe-grid" onRender={(_id, _phase, actualDuration) => commits.push(actualDuration)}>
            <Panel {...props} />
          </Profiler>
        </div>
      </section>
      <Location />
    </ThemeContext.Provider>
  );
}

document.body.style.margin = '0';
document.body.style.padding = '16px';
document.body.style.background = theme.colors.background.canvas;
const root = createRoot(document.getElementById('root')!);
const nextPaint = () => new Promise<void>((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
};

let prepared: { scenario: Scenario; series: DataFrame[] } | undefined;

/** What the benchmark and the browser test call through page.evaluate. */
const api = {
  /** Generates the frames of a scenario (not part of any measurement) for the next mount. */
  prepare(overrides: Partial<Scenario> & { options?: Partial<ProbeGridOptions> } = {}) {
    const scenario = scenarioFrom(overrides);
    const { probes, seed, downRatio, noDataRatio, longNames, locations, partialRatio } = scenario;
    const fleet = generateFleet({ probes, seed, downRatio, noDataRatio, longNames, locations, partialRatio });
    prepared = { scenario, series: fleetFrames(fleet, scenario.format, scenario.queries === 'minimal' ? MINIMAL_QUERIES : ALL_QUERIES) };
    flushSync(() => root.render(null));
    return { probes: scenario.probes, frames: prepared.series.length };
  },

  /** Mounts a fresh grid on the prepared frames, timing the commit and the next paint. */
  async mount() {
    const { scenario, series } = prepared!;
    await nextPaint();
    const start = performance.now();
    flushSync(() => root.render(<DashboardPanel scenario={scenario} series={series} />));
    const committed = performance.now();
    await nextPaint();
    const painted = performance.now();
    return {
      probes: scenario.probes,
      frames: series.length,
      tilesInDom: document.querySelectorAll('[role="gridcell"][data-index]').length,
      commitMs: committed - start,
      firstPaintMs: painted - start,
    };
  },

  /** A Grafana colour name as the page's theme resolves it, as a CSS computed colour (rgb(...)) to compare with. */
  cssColor(name: string) {
    const probe = document.createElement('span');
    probe.style.color = theme.visualization.getColorByName(name);
    document.body.append(probe);
    const color = getComputedStyle(probe).color;
    probe.remove();
    return color;
  },

  async render(overrides: Partial<Scenario> & { options?: Partial<ProbeGridOptions> } = {}) {
    api.prepare(overrides);
    return api.mount();
  },

  /**
   * Scrolls the grid `pxPerFrame` each animation frame for `frames` frames, bouncing at the ends, as a wheel or a
   * scrollbar drag would: it writes scrollTop and never reads layout back (which would force a synchronous layout).
   */
  async scroll({ frames = 300, pxPerFrame = 48 } = {}) {
    const grid = document.querySelector<HTMLElement>('[role="grid"]')!;
    const maxTop = grid.scrollHeight - grid.clientHeight;
    let top = grid.scrollTop;
    commits.length = 0;
    const intervals: number[] = [];
    let direction = 1;
    let last = await new Promise<number>((resolve) => requestAnimationFrame(resolve));
    for (let frame = 0; frame < frames; frame++) {
      if (top + pxPerFrame > maxTop) {
        direction = -1;
      } else if (top - pxPerFrame < 0) {
        direction = 1;
      }
      top += direction * pxPerFrame;
      grid.scrollTop = top;
      const now = await new Promise<number>((resolve) => requestAnimationFrame(resolve));
      intervals.push(now - last);
      last = now;
    }
    const median = percentile(intervals, 50);
    return {
      frames: intervals.length,
      frameMs: { p50: median, p95: percentile(intervals, 95), p99: percentile(intervals, 99), max: Math.max(...intervals) },
      longFrames: intervals.filter((interval) => interval > 1.5 * median).length,
      commits: commits.length,
      commitMs: { p50: percentile(commits, 50), p95: percentile(commits, 95), max: commits.length ? Math.max(...commits) : 0 },
      scrolledPx: top,
    };
  },
};

declare global {
  interface Window {
    probeGrid: typeof api;
  }
}
window.probeGrid = api;

if (params.get('bench') !== 'true') {
  void api.render().then((result) => {
    document.body.dataset.ready = 'true';
    console.info('probe grid rendered', result);
  });
}
