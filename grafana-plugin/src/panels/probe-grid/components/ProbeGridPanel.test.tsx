import { createTheme, dateTime, getDefaultTimeRange, LoadingState, type DataFrame, type FieldConfigSource, type PanelProps } from '@grafana/data';
import { locationService } from '@grafana/runtime';
import { act, fireEvent, render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { fleetFrames, generateFleet } from '../testing/fleet';
import { instantSeriesFrames, type SeriesSample } from '../testing/prometheusFrames';
import { DEFAULT_FIELD_CONFIG, DEFAULT_OPTIONS, type ProbeGridOptions } from '../types';
import { ProbeGridPanel } from './ProbeGridPanel';

const T = Date.UTC(2026, 10, 25, 12, 0, 0);
const theme = createTheme();

function props(series: DataFrame[], options: Partial<ProbeGridOptions> = {}, size = { width: 800, height: 400 }): PanelProps<ProbeGridOptions> {
  const fieldConfig: FieldConfigSource = { defaults: DEFAULT_FIELD_CONFIG, overrides: [] };
  return {
    id: 1,
    data: { state: LoadingState.Done, series, timeRange: getDefaultTimeRange() },
    timeRange: getDefaultTimeRange(),
    timeZone: 'utc',
    options: { ...DEFAULT_OPTIONS, ...options },
    transparent: false,
    width: size.width,
    height: size.height,
    fieldConfig,
    renderCounter: 0,
    title: 'TCP probes',
    eventBus: undefined as never,
    onOptionsChange: () => {},
    onFieldConfigChange: () => {},
    replaceVariables: (value: string) => value,
    onChangeTimeRange: () => {},
  };
}

const sample = (name: string, id: number, server: string, value: number, extra: Record<string, string> = {}): SeriesSample => ({
  labels: {
    __name__: name,
    gateway: 'hq',
    server,
    server_id: server === 'erp-prod' ? '1' : '2',
    probe: `${server === 'erp-prod' ? 'db' : 'mq'}-${id}`,
    probe_id: String(id),
    target: `host-${id}.corp.example:5432`,
    role: 'production',
    site: 'fra',
    ...extra,
  },
  value,
});

/** erp-prod: db-1 up 12 ms, db-2 down (timeout), db-3 up but slow (450 ms); mq-qa: mq-4 no data (outside its window: checked before). */
const frames = () => [
  ...instantSeriesFrames('A', [sample('tcpprobe_availability', 1, 'erp-prod', 1), sample('tcpprobe_availability', 2, 'erp-prod', 0), sample('tcpprobe_availability', 3, 'erp-prod', 1)], T),
  ...instantSeriesFrames(
    'B',
    [sample('tcpprobe_connect_seconds', 1, 'erp-prod', 0.012), sample('tcpprobe_connect_seconds', 3, 'erp-prod', 0.45)],
    T,
  ),
  ...instantSeriesFrames('C', [sample('tcpprobe_info', 2, 'erp-prod', 1, { actual_host: 'host-2.corp.example', actual_ipv4: '10.20.0.2' })], T),
  ...instantSeriesFrames(
    'D',
    [
      sample('tcpprobe_last_check_timestamp_seconds', 2, 'erp-prod', Date.UTC(2026, 10, 25, 11, 59, 30) / 1000),
      sample('tcpprobe_last_check_timestamp_seconds', 4, 'mq-qa', Date.UTC(2026, 10, 25, 9, 0, 0) / 1000),
    ],
    T,
  ),
  ...instantSeriesFrames('E', [sample('tcpprobe_checks_total', 2, 'erp-prod', 3, { result: 'timeout' })], T),
];

const tile = (name: string) => screen.getByRole('gridcell', { name: new RegExp(`^${name}\\b`) });
/** The tile cells (group headers are grid cells too). */
const tiles = (container: HTMLElement = document.body) => within(container).getAllByRole('gridcell').filter((cell) => cell.dataset.index !== undefined);

let push: ReturnType<typeof vi.spyOn>;
beforeEach(() => {
  push = vi.spyOn(locationService, 'push').mockImplementation(() => {});
});
afterEach(() => {
  push.mockRestore();
});

describe('ProbeGridPanel', () => {
  test('one tile per probe, its state in words and a glyph, grouped by server with counts', () => {
    render(<ProbeGridPanel {...props(frames())} />);

    expect(tiles()).toHaveLength(4);
    expect(tile('db-1')).toHaveAccessibleName('db-1, up, connect time 12 ms, server erp-prod');
    expect(tile('db-2')).toHaveAccessibleName('db-2, down, timeout, server erp-prod');
    expect(tile('db-3')).toHaveAccessibleName('db-3, up, connect time 450 ms (warning), server erp-prod');
    expect(tile('mq-4')).toHaveAccessibleName("mq-4, no data: outside its window or schedule, or before the window's first check, server mq-qa");
    expect(tile('db-2')).toHaveTextContent('✕ db-2timeout');
    expect(tile('db-1')).toHaveTextContent('✓ db-112 ms');
    expect(tile('db-3')).toHaveTextContent('✓ db-3450 msWARN');
    expect(tile('mq-4')).toHaveTextContent('– mq-4no data');

    const headings = screen.getAllByRole('heading', { level: 3 });
    expect(headings.map((heading) => heading.textContent)).toEqual(['server erp-prod', 'server mq-qa']);
    expect(headings[0]!.parentElement).toHaveTextContent('server erp-prod✕ 1 down– 0 no data✓ 2 up');
    expect(headings[1]!.parentElement).toHaveTextContent('server mq-qa✕ 0 down– 1 no data✓ 0 up');
    expect(screen.getByRole('grid')).toHaveAccessibleName('Probe status: 1 down, 1 no data, 2 up');
  });

  test('sorted by state the down probe leads its group; sorted by name the tiles are alphabetical', () => {
    const { rerender } = render(<ProbeGridPanel {...props(frames())} />);
    const order = () => tiles().map((cell) => cell.getAttribute('aria-label')!.split(',')[0]);
    expect(order()).toEqual(['db-2', 'db-3', 'db-1', 'mq-4']);
    rerender(<ProbeGridPanel {...props(frames(), { sortBy: 'name', groupBy: 'none' })} />);
    expect(order()).toEqual(['db-1', 'db-2', 'db-3', 'mq-4']);
    expect(screen.getByRole('heading', { level: 3 })).toHaveTextContent('All probes');
  });

  test('colours: down and no data from the state colours, up from the connect-time thresholds', () => {
    render(<ProbeGridPanel {...props(frames())} />);
    const color = (name: string) => theme.visualization.getColorByName(name);
    expect(tile('db-2')).toHaveStyle({ background: color('red') });
    expect(tile('mq-4')).toHaveStyle({ background: color('gray') });
    expect(tile('db-1')).toHaveStyle({ background: color('green') });
    expect(tile('db-3')).toHaveStyle({ background: color('yellow') });
  });

  test('without values the tiles show only the names; states stay in the glyph and the label', () => {
    render(<ProbeGridPanel {...props(frames(), { showValues: false })} />);
    expect(tile('db-1')).toHaveTextContent(/^✓\sdb-1$/);
    expect(tile('db-2')).toHaveAccessibleName(/down/);
  });

  test('the tooltip tells target, actual IPv4, failure reason and last check, on hover and on focus', async () => {
    const user = userEvent.setup();
    render(<ProbeGridPanel {...props(frames())} />);

    await user.hover(tile('db-2'));
    const tooltip = screen.getByRole('tooltip');
    const details = Object.fromEntries(within(tooltip).getAllByRole('term').map((term) => [term.textContent, term.nextElementSibling!.textContent]));
    expect(details).toEqual({
      State: 'down',
      Target: 'host-2.corp.example:5432',
      'Actual IPv4': '10.20.0.2',
      'Connect time': 'none recorded',
      Failure: 'timeout',
      'Last check': '2026-11-25 11:59:30',
      Server: 'erp-prod · production · fra',
      Gateway: 'hq',
    });
    expect(tooltip).toHaveTextContent('Click or press Enter to open the probe');
    expect(tile('db-2')).toHaveAttribute('aria-describedby', tooltip.id);

    await user.unhover(tile('db-2'));
    expect(screen.queryByRole('tooltip')).toBeNull();

    await user.tab(); // the "Only problems" toggle
    await user.tab();
    expect(tile('db-2')).toHaveFocus();
    expect(screen.getByRole('tooltip')).toHaveTextContent('db-2');
    await user.keyboard('{Escape}');
    expect(screen.queryByRole('tooltip')).toBeNull();
  });

  test("a TLS probe's tooltip says when its certificate expires, in days from the queries' time", async () => {
    const user = userEvent.setup();
    const expiresAt = T + 12.5 * 86_400_000;
    const cert = instantSeriesFrames('cert_expiry', [sample('tcpprobe_tls_cert_expiry_timestamp_seconds', 1, 'erp-prod', expiresAt / 1000)], T);
    const at = props([...frames(), ...cert]);
    render(<ProbeGridPanel {...at} data={{ ...at.data, timeRange: { ...at.data.timeRange, to: dateTime(T) } }} />);
    await user.hover(tile('db-1'));
    expect(within(screen.getByRole('tooltip')).getByText('Certificate').nextElementSibling).toHaveTextContent('expires in 12.5 days (2026-12-08 00:00:00)');
    await user.hover(tile('db-2'));
    expect(within(screen.getByRole('tooltip')).queryByText('Certificate')).toBeNull();
  });

  test('the tooltip of a no-data tile says why, as far as the series tell', async () => {
    const user = userEvent.setup();
    const notChecked = instantSeriesFrames('E', [sample('tcpprobe_checks_total', 5, 'mq-qa', 0, { result: 'success' })], T);
    render(<ProbeGridPanel {...props([...frames(), ...notChecked])} />);
    const stateRow = () => within(screen.getByRole('tooltip')).getByText('State').nextElementSibling!.textContent;

    await user.hover(tile('mq-4'));
    expect(stateRow()).toBe("no data: outside its window or schedule, or before the window's first check");
    expect(screen.getByRole('tooltip')).toHaveTextContent('Last check2026-11-25 09:00:00');
    await user.hover(tile('mq-5'));
    expect(stateRow()).toBe('no data: not checked yet (none since its gateway started)');
    expect(tile('mq-5')).toHaveTextContent('– mq-5no data');
  });

  test('a long name, cut on its tile, is whole in the tooltip and the label', async () => {
    const user = userEvent.setup();
    const name = 'sap-dispatcher-primary-listener-frankfurt-datacenter-east-42';
    render(<ProbeGridPanel {...props(instantSeriesFrames('A', [sample('tcpprobe_availability', 6, 'erp-prod', 0, { probe: name })], T))} />);
    const cell = tile(name);
    expect(cell).toHaveAccessibleName(`${name}, down, server erp-prod`);
    await user.hover(cell);
    const title = within(screen.getByRole('tooltip')).getByText(name);
    // Wrapped, not cut with an ellipsis as on the tile.
    expect(getComputedStyle(title).textOverflow).not.toBe('ellipsis');
    expect(getComputedStyle(title).whiteSpace).not.toBe('nowrap');
  });

  test('"Only problems" shows the probes down, slow or failed recently; the toggle overrides the option until it changes', async () => {
    const user = userEvent.setup();
    const failedRecently = instantSeriesFrames('E', [sample('tcpprobe_checks_total', 1, 'erp-prod', 1, { result: 'refused' })], T);
    const series = [...frames(), ...failedRecently];
    const names = () => tiles().map((cell) => cell.getAttribute('aria-label')!.split(',')[0]);
    const { rerender } = render(<ProbeGridPanel {...props(series)} />);
    const toggle = screen.getByRole('button', { name: 'Only problems' });
    expect(toggle).toHaveAttribute('aria-pressed', 'false');
    // Sorted by state, the recent failure comes after the slow probe and before the quiet ones.
    expect(names()).toEqual(['db-2', 'db-3', 'db-1', 'mq-4']);

    await user.click(toggle);
    expect(toggle).toHaveAttribute('aria-pressed', 'true');
    expect(names()).toEqual(['db-2', 'db-3', 'db-1']);
    // The summary and the group header still count every probe.
    expect(screen.getByText('3 of 4 probes')).toBeInTheDocument();
    expect(screen.getAllByRole('heading', { level: 3 }).map((heading) => heading.textContent)).toEqual(['server erp-prod']);
    expect(screen.getByRole('heading', { level: 3 }).parentElement).toHaveTextContent('✕ 1 down– 0 no data✓ 2 up');

    await user.click(toggle);
    expect(names()).toEqual(['db-2', 'db-3', 'db-1', 'mq-4']);

    // The panel option sets where it starts; with nothing wrong, it says so.
    const quiet = instantSeriesFrames('A', [sample('tcpprobe_availability', 1, 'erp-prod', 1)], T);
    rerender(<ProbeGridPanel {...props(quiet, { problemsOnly: true })} />);
    expect(screen.getByRole('button', { name: 'Only problems' })).toHaveAttribute('aria-pressed', 'true');
    expect(screen.getByText('No problems: none of the 1 probes is down, slow or failed recently.')).toBeInTheDocument();
    expect(screen.queryByRole('grid')).toBeNull();
  });

  test('a roving tab stop: Tab enters at one tile, arrows move across tiles and groups, Enter opens the probe', async () => {
    const user = userEvent.setup();
    render(<ProbeGridPanel {...props(frames(), {}, { width: 400, height: 400 })} />);
    // 400 px minus the scrollbar room fits 2 medium tiles a row: [db-2 db-3] [db-1] | [mq-4]
    expect(tiles().filter((cell) => cell.tabIndex === 0)).toHaveLength(1);

    await user.tab(); // the "Only problems" toggle
    await user.tab();
    expect(tile('db-2')).toHaveFocus();
    await user.keyboard('{ArrowRight}');
    expect(tile('db-3')).toHaveFocus();
    await user.keyboard('{ArrowDown}');
    expect(tile('db-1')).toHaveFocus();
    await user.keyboard('{ArrowDown}');
    expect(tile('mq-4')).toHaveFocus();
    expect(tile('mq-4').tabIndex).toBe(0);
    expect(tile('db-2').tabIndex).toBe(-1);
    await user.keyboard('{Control>}{Home}{/Control}');
    expect(tile('db-2')).toHaveFocus();

    await user.keyboard('{ArrowRight}{Enter}');
    expect(push).toHaveBeenCalledWith('/a/probekit-tcpprobe-app/probes/3');
    await user.keyboard(' ');
    expect(push).toHaveBeenCalledTimes(2);

    // Leaving and coming back lands on the same tile.
    await user.tab();
    await user.tab({ shift: true });
    expect(tile('db-3')).toHaveFocus();
  });

  test('a click opens the probe page in the app', async () => {
    const user = userEvent.setup();
    render(<ProbeGridPanel {...props(frames())} />);
    await user.click(tile('mq-4'));
    expect(push).toHaveBeenCalledWith('/a/probekit-tcpprobe-app/probes/4');
  });

  describe('a probe run from several gateways', () => {
    /** db-7 down from gw-b and gw-c, up from gw-a (9 ms); db-8 down from gw-a, no data from gw-b; mq-9 up, one location. */
    const locations = () => {
      const at = (gateway: string) => ({ gateway });
      return [
        ...instantSeriesFrames(
          'A',
          [
            sample('tcpprobe_availability', 7, 'erp-prod', 1, at('gw-a')),
            sample('tcpprobe_availability', 7, 'erp-prod', 0, at('gw-b')),
            sample('tcpprobe_availability', 7, 'erp-prod', 0, at('gw-c')),
            sample('tcpprobe_availability', 8, 'erp-prod', 0, at('gw-a')),
            sample('tcpprobe_availability', 9, 'mq-qa', 1, at('gw-a')),
          ],
          T,
        ),
        ...instantSeriesFrames('B', [sample('tcpprobe_connect_seconds', 7, 'erp-prod', 0.009, at('gw-a')), sample('tcpprobe_connect_seconds', 9, 'mq-qa', 0.004, at('gw-a'))], T),
        ...instantSeriesFrames(
          'C',
          [sample('tcpprobe_info', 8, 'erp-prod', 1, { ...at('gw-b'), actual_host: 'host-8.corp.example', actual_ipv4: '10.20.0.8' })],
          T,
        ),
        ...instantSeriesFrames(
          'E',
          [sample('tcpprobe_checks_total', 7, 'erp-prod', 2, { ...at('gw-b'), result: 'refused' }), sample('tcpprobe_checks_total', 7, 'erp-prod', 3, { ...at('gw-c'), result: 'timeout' })],
          T,
        ),
      ];
    };

    test('is one tile: partly down in its own colour and in words, "down at 2 of 3", with the locations in its label', () => {
      render(<ProbeGridPanel {...props(locations())} />);
      expect(tiles()).toHaveLength(3);
      const partial = tile('db-7');
      expect(partial).toHaveAttribute('data-state', 'partial');
      expect(partial).toHaveTextContent('◐ db-7down at 2 of 3');
      expect(partial).toHaveAccessibleName('db-7, down at 2 of 3, refused, down from gw-b, gw-c; up from gw-a, server erp-prod');
      expect(partial).toHaveStyle({ background: theme.visualization.getColorByName('purple') });
      // Down where it reports, no data elsewhere: down, as with one location.
      expect(tile('db-8')).toHaveAttribute('data-state', 'down');
      expect(tile('db-8')).toHaveAccessibleName('db-8, down (no data from gw-b), down from gw-a; no data from gw-b, server erp-prod');
      expect(tile('mq-9')).toHaveAccessibleName('mq-9, up, connect time 4 ms, server mq-qa');
      // Partly down leads after down; the summary is the legend: each state's colour, glyph and count.
      expect(tiles().map((cell) => cell.getAttribute('aria-label')!.split(',')[0])).toEqual(['db-8', 'db-7', 'mq-9']);
      expect(screen.getByRole('grid')).toHaveAccessibleName('Probe status: 1 down, 1 partly down, 0 no data, 1 up');
      const legend = document.querySelector('[data-count="partial"]') as HTMLElement;
      expect(legend).toHaveTextContent('◐ 1 partly down');
      expect(legend.querySelector('span')).toHaveStyle({ background: theme.visualization.getColorByName('purple') });
      expect(screen.getAllByRole('heading', { level: 3 })[0]!.parentElement).toHaveTextContent('server erp-prod✕ 1 down◐ 1 partly down– 0 no data✓ 0 up');
    });

    test('its tooltip lists each location with its state and connect time or failure, and says which lack data', async () => {
      const user = userEvent.setup();
      render(<ProbeGridPanel {...props(locations())} />);
      await user.hover(tile('db-7'));
      const tooltip = screen.getByRole('tooltip');
      const rows = (list: HTMLElement) => Object.fromEntries(within(list).getAllByRole('term').map((term) => [term.textContent, term.nextElementSibling!.textContent]));
      const lists = tooltip.querySelectorAll('dl');
      expect(rows(lists[0] as HTMLElement)).toMatchObject({ State: 'down at 2 of 3', Failure: 'refused', Server: 'erp-prod · production · fra' });
      expect(rows(lists[0] as HTMLElement)).not.toHaveProperty('Gateway');
      expect(rows(lists[1] as HTMLElement)).toEqual({ 'gw-a': '✓ up · 9 ms', 'gw-b': '✕ down · refused', 'gw-c': '✕ down · timeout' });

      await user.hover(tile('db-8'));
      const silent = screen.getByRole('tooltip').querySelectorAll('dl');
      expect(rows(silent[0] as HTMLElement).State).toBe('down (no data from gw-b)');
      expect(rows(silent[1] as HTMLElement)['gw-b']).toBe("– no data: outside its window or schedule, or before the window's first check");
    });

    test('"Only problems" keeps the partly-down probe', async () => {
      const user = userEvent.setup();
      render(<ProbeGridPanel {...props(locations())} />);
      await user.click(screen.getByRole('button', { name: 'Only problems' }));
      expect(tiles().map((cell) => cell.dataset.state)).toEqual(['down', 'partial']);
      expect(screen.getByText('2 of 3 probes')).toBeInTheDocument();
    });

    test('grouped by gateway, it is in each of its gateways\' groups with that location\'s state, naming the gateway', async () => {
      const user = userEvent.setup();
      render(<ProbeGridPanel {...props(locations(), { groupBy: 'gateway' })} />);
      expect(screen.getAllByRole('heading', { level: 3 }).map((heading) => heading.textContent)).toEqual(['gateway gw-a', 'gateway gw-b', 'gateway gw-c']);
      expect(screen.getByRole('gridcell', { name: /^db-7 via gw-a, up/ })).toHaveTextContent('db-7 @gw-a');
      expect(screen.getByRole('gridcell', { name: /^db-7 via gw-b, down/ })).toHaveTextContent('db-7 @gw-b');
      expect(screen.getByRole('gridcell', { name: /^db-7 via gw-c, down/ })).toHaveAttribute('data-state', 'down');
      expect(document.querySelectorAll('[data-state="partial"]')).toHaveLength(0);
      // The summary still counts probes: db-7 once, partly down.
      expect(screen.getByRole('grid')).toHaveAccessibleName('Probe status: 1 down, 1 partly down, 0 no data, 1 up');
      expect(screen.getByText('3 probes')).toBeInTheDocument();
      await user.click(screen.getByRole('button', { name: 'Only problems' }));
      // db-7's two down locations and db-8: two probes of three.
      expect(screen.getByText('2 of 3 probes')).toBeInTheDocument();
      expect(tiles()).toHaveLength(3);
    });
  });

  test('says what to query when there are no probes, and which series it could not place', () => {
    const { rerender } = render(<ProbeGridPanel {...props([])} />);
    expect(screen.getByText(/No probes\. Query tcpprobe_availability and tcpprobe_connect_seconds/)).toBeInTheDocument();

    const aggregated = instantSeriesFrames('A', [{ labels: { __name__: 'tcpprobe_availability', server: 'erp-prod' }, value: 1 }], T);
    rerender(<ProbeGridPanel {...props(aggregated)} />);
    expect(screen.getByText(/1 series have no probe_id label/)).toBeInTheDocument();

    rerender(<ProbeGridPanel {...props([...frames(), ...aggregated])} />);
    expect(screen.getByText('1 series without probe_id left out')).toBeInTheDocument();
  });

  describe('10,000 probes', () => {
    const big = fleetFrames(generateFleet({ probes: 10_000, seed: 7 }), 'series');

    test('renders only the rows in view, and the rows scrolled to', () => {
      render(<ProbeGridPanel {...props(big, { groupBy: 'none', sortBy: 'name' }, { width: 1200, height: 600 })} />);
      const grid = screen.getByRole('grid');
      expect(grid).toHaveAttribute('aria-rowcount', String(1 + Math.ceil(10_000 / 7)));
      const shown = tiles(grid);
      expect(shown.length).toBeGreaterThan(50);
      expect(shown.length).toBeLessThan(150);
      expect(shown[0]).toHaveAccessibleName(/^db-6,/);

      act(() => {
        grid.scrollTop = 58 * 700;
        fireEvent.scroll(grid);
      });
      const after = tiles(grid);
      expect(after.length).toBeLessThan(150);
      // The first row stays mounted: its first tile holds the tab stop.
      const indices = after.map((cell) => Number(cell.dataset.index));
      expect(indices.filter((index) => index < 7)).toEqual([0, 1, 2, 3, 4, 5, 6]);
      expect(indices.filter((index) => index >= 7 && index < 4000)).toEqual([]);
      expect(after.some((cell) => Number(cell.dataset.index) > 4800)).toBe(true);
    });

    test('keyboard focus scrolls far tiles into view and focuses them', async () => {
      const user = userEvent.setup();
      render(<ProbeGridPanel {...props(big, { groupBy: 'none', sortBy: 'name' }, { width: 1200, height: 600 })} />);
      const grid = screen.getByRole('grid');
      await user.tab(); // the "Only problems" toggle
      await user.tab();
      await user.keyboard('{Control>}{End}{/Control}');
      const focused = document.activeElement as HTMLElement;
      expect(focused.dataset.index).toBe('9999');
      expect(grid.scrollTop).toBeGreaterThan(50_000);
      await user.keyboard('{PageUp}');
      expect(Number((document.activeElement as HTMLElement).dataset.index)).toBeLessThan(9999 - 7 * 5);
    });
  });
});
