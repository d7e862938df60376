// The grid's partly-down state from real parts: two real gateways (locations hq and branch-fra) export the same probe
// of the same target, Debian's Prometheus scrapes both, and the provisioned dashboard's own grid queries feed the panel.
// branch-fra may only probe 10.0.0.0/8 (GATEWAY_ALLOWED_TARGETS), so its checks of localhost fail while hq connects:
// a probe down from one location of two, which the tile must tell apart from down.
import { createTheme, getDefaultTimeRange, LoadingState, type DataFrame, type PanelProps } from '@grafana/data';
import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startPrometheus, type RunningPrometheus } from '../../../../gateway/test/helpers/prometheus';
import { startTestGateway, type TestGateway } from '../../test/gatewayHarness';
import { ProbeGridPanel } from './components/ProbeGridPanel';
import { instantTableFrame } from './testing/prometheusFrames';
import { DEFAULT_FIELD_CONFIG, DEFAULT_OPTIONS, type ProbeGridOptions } from './types';

const dashboard = JSON.parse(readFileSync(join(import.meta.dirname, '../../../../provisioning/grafana/dashboards/probekit/tcp-probes-overview.json'), 'utf8'));
const grid = dashboard.panels.find((panel: { type: string }) => panel.type === 'probekit-probegrid-panel');
const theme = createTheme();

let listener: Server;
const gateways: TestGateway[] = [];
let prometheus: RunningPrometheus;
let probeName: string;

beforeAll(async () => {
  listener = createServer((socket) => socket.end());
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  const port = (listener.address() as { port: number }).port;
  gateways.push(await startTestGateway({ GATEWAY_ID: 'hq' }));
  gateways.push(await startTestGateway({ GATEWAY_ID: 'branch-fra', GATEWAY_ALLOWED_TARGETS: '10.0.0.0/8' }));
  // The same server and probe on both: each gateway's first, so the same ids and labels but for `gateway`.
  const created = [];
  for (const gateway of gateways) {
    const server = await gateway.seed.createServer({ name: 'erp-prod', role: 'production', site: 'fra' });
    created.push(await gateway.seed.createProbe(server.id, { name: 'erp-db', host: 'localhost', port, intervalSeconds: 3 }));
  }
  expect(new Set(created.map((probe) => probe.id)).size).toBe(1);
  probeName = created[0]!.name;
  prometheus = await startPrometheus({ targets: gateways.map((gateway) => new URL(gateway.url).host), scrapeIntervalSeconds: 1 });
}, 120_000);

afterAll(async () => {
  await prometheus?.stop();
  for (const gateway of gateways) await gateway.close();
  await new Promise<void>((resolve) => (listener ? listener.close(() => resolve()) : resolve()));
});

/** The grid's targets as Grafana sends them with every filter at "All", answered by Prometheus in table format. */
async function gridFrames(): Promise<DataFrame[]> {
  const at = Date.now();
  return Promise.all(
    grid.targets.map(async ({ refId, expr }: { refId: string; expr: string }) => {
      const promql = expr.replace(/\$(gateway|site|role|server)\b/g, '.*');
      const result = await prometheus.query(promql);
      return instantTableFrame(refId, result.map((sample) => ({ labels: sample.metric, value: Number(sample.value[1]) })), at, `Value #${refId}`);
    }),
  );
}

function props(series: DataFrame[], options: Partial<ProbeGridOptions> = {}): PanelProps<ProbeGridOptions> {
  return {
    id: 1,
    data: { state: LoadingState.Done, series, timeRange: getDefaultTimeRange() },
    timeRange: getDefaultTimeRange(),
    timeZone: 'utc',
    options: { ...DEFAULT_OPTIONS, ...grid.options, ...options },
    transparent: false,
    width: 800,
    height: 400,
    fieldConfig: { defaults: DEFAULT_FIELD_CONFIG, overrides: [] },
    renderCounter: 0,
    title: grid.title,
    eventBus: undefined as never,
    onOptionsChange: () => {},
    onFieldConfigChange: () => {},
    replaceVariables: (value: string) => value,
    onChangeTimeRange: () => {},
  };
}

describe('the grid over two real gateways, one of which cannot reach the target', () => {
  test('shows the probe once, partly down: "down at 1 of 2", in its colour, each location in the tooltip', async () => {
    // Until both locations have checked: hq up, branch-fra down.
    await prometheus.waitFor(
      'tcpprobe_availability',
      (result) => result.length === 2 && result.some((s) => s.metric.gateway === 'hq' && s.value[1] === '1') && result.some((s) => s.metric.gateway === 'branch-fra' && s.value[1] === '0'),
      60_000,
    );
    await prometheus.waitFor('tcpprobe_connect_seconds{gateway="hq"}', (result) => result.length === 1, 30_000);
    const series = await gridFrames();

    const user = userEvent.setup();
    const { unmount } = render(<ProbeGridPanel {...props(series)} />);
    const tiles = screen.getAllByRole('gridcell').filter((cell) => cell.dataset.index !== undefined);
    expect(tiles).toHaveLength(1);
    const [tile] = tiles;
    expect(tile).toHaveAttribute('data-state', 'partial');
    expect(tile).toHaveTextContent(`◐ ${probeName}down at 1 of 2`);
    expect(tile).toHaveAccessibleName(new RegExp(`^${probeName}, down at 1 of 2, [a-z_]+, down from branch-fra; up from hq, server erp-prod$`));
    expect(tile).toHaveStyle({ background: theme.visualization.getColorByName('purple') });
    expect(screen.getByRole('grid')).toHaveAccessibleName('Probe status: 0 down, 1 partly down, 0 no data, 0 up');

    await user.hover(tile!);
    const lists = screen.getByRole('tooltip').querySelectorAll('dl');
    const rows = (list: Element) => Object.fromEntries(within(list as HTMLElement).getAllByRole('term').map((term) => [term.textContent, term.nextElementSibling!.textContent]));
    expect(rows(lists[0]!).State).toBe('down at 1 of 2');
    expect(rows(lists[1]!)).toEqual({ 'branch-fra': expect.stringMatching(/^✕ down · [a-z_]+$/), hq: expect.stringMatching(/^✓ up · \d+(\.\d+)? (µs|ms)$/) });
    unmount();

    // Grouped by gateway: a tile in each location's group, with that location's state.
    render(<ProbeGridPanel {...props(series, { groupBy: 'gateway' })} />);
    expect(screen.getAllByRole('heading', { level: 3 }).map((heading) => heading.textContent)).toEqual(['gateway branch-fra', 'gateway hq']);
    expect(screen.getByRole('gridcell', { name: new RegExp(`^${probeName} via branch-fra, down`) })).toHaveAttribute('data-state', 'down');
    expect(screen.getByRole('gridcell', { name: new RegExp(`^${probeName} via hq, up`) })).toHaveAttribute('data-state', 'up');
  }, 120_000);
});
