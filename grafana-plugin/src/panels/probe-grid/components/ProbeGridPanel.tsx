// The probe status grid panel: one tile per probe (over all its locations; grouped by gateway, one per location),
// grouped, virtualised by rows, with a roving tab stop, a tooltip and a click (or Enter) that opens the probe's page.
import { config, locationService } from '@grafana/runtime';
import type { PanelProps } from '@grafana/data';
import { Button, useStyles2, useTheme2 } from '@grafana/ui';
import { useCallback, useId, useLayoutEffect, useMemo, useRef, useState, type FocusEvent, type KeyboardEvent, type MouseEvent, type UIEvent } from 'react';
import { buildLayout, isNavigationKey, moveFocus, scrollToReveal, TILE_GAP, TILE_SIZES, visibleRows } from '../layout';
import { mergeLocations, probesToGroup } from '../locations';
import { createPainter, probeUrl } from '../paint';
import { countStates, framesToProbes, groupProbes } from '../transform';
import { DEFAULT_OPTIONS, type ProbeGridOptions, type Tile } from '../types';
import { CountsText, GridRowView } from './GridRowView';
import { locationsRoom, ProbeTooltip, TOOLTIP_WIDTH } from './ProbeTooltip';
import { getGridStyles, SUMMARY_HEIGHT } from './styles';

/** Room kept for the vertical scrollbar so that a row of tiles never needs a horizontal one. */
const SCROLLBAR_ALLOWANCE = 16;
/** Tooltip height used to decide whether it fits below a tile (it is not measured, so as not to force a layout). */
const TOOLTIP_ROOM = 240;

const indexOfEvent = (event: { target: EventTarget }): number | undefined => {
  const cell = (event.target as Element).closest?.('[data-index]');
  return cell ? Number(cell.getAttribute('data-index')) : undefined;
};

export function ProbeGridPanel({ data, options, fieldConfig, width, height, timeZone }: PanelProps<ProbeGridOptions>) {
  const theme = useTheme2();
  const styles = useStyles2(getGridStyles);
  const gridId = useId();
  const tooltipId = `${gridId}-tooltip`;
  const scroller = useRef<HTMLDivElement>(null);

  const { probes: byLocation, seriesWithoutProbeId } = useMemo(() => framesToProbes(data.series), [data.series]);
  // One per probe: what the summary counts, and the tiles unless grouped by gateway.
  const probes = useMemo(() => mergeLocations(byLocation), [byLocation]);
  const grouped = probesToGroup(options.groupBy, byLocation, probes);
  const fieldDefaults = fieldConfig.defaults;
  // The summary's toggle wins over the panel option until the option itself changes.
  const [toggled, setToggled] = useState<{ option: boolean; problemsOnly: boolean }>();
  const problemsOnly = toggled !== undefined && toggled.option === options.problemsOnly ? toggled.problemsOnly : options.problemsOnly;
  const groups = useMemo(
    () => groupProbes(grouped, { groupBy: options.groupBy, sortBy: options.sortBy, thresholds: fieldDefaults.thresholds, problemsOnly }),
    [grouped, options.groupBy, options.sortBy, fieldDefaults.thresholds, problemsOnly],
  );
  const tileMetrics = TILE_SIZES[options.tileSize] ?? TILE_SIZES.medium;
  const layout = useMemo(() => buildLayout(groups, width - SCROLLBAR_ALLOWANCE, tileMetrics), [groups, width, tileMetrics]);
  // Panels saved before the option existed have none: the default then.
  const { downColor, noDataColor, partialColor = DEFAULT_OPTIONS.partialColor } = options;
  const paint = useMemo(
    () => createPainter(theme, fieldDefaults, { downColor, partialColor, noDataColor }, timeZone),
    [theme, fieldDefaults, downColor, partialColor, noDataColor, timeZone],
  );
  const totals = useMemo(() => countStates(probes), [probes]);
  // Some probe runs from several locations: the legend then shows "partly down" even at 0.
  const severalLocations = probes.length !== byLocation.length;

  const viewportHeight = Math.max(0, height - SUMMARY_HEIGHT);
  // The scroll position lives in a ref; a render is asked for only when the range of rows to show changes.
  const scrollTopRef = useRef(0);
  const [, setShownRows] = useState('');
  const [activeKey, setActiveKey] = useState<string>();
  const [focusedIndex, setFocusedIndex] = useState<number>();
  const [hoveredIndex, setHoveredIndex] = useState<number>();
  const [tooltipDismissed, setTooltipDismissed] = useState(false);
  const pendingFocus = useRef<number>();

  const tileCount = layout.tiles.length;
  const activeIndex = Math.min(activeKey !== undefined ? (layout.indexOf(activeKey) ?? 0) : 0, tileCount - 1);

  // Keyboard moves render the target row first, then focus it.
  useLayoutEffect(() => {
    if (pendingFocus.current === undefined) {
      return;
    }
    const element = scroller.current?.querySelector<HTMLElement>(`[data-index="${pendingFocus.current}"]`);
    pendingFocus.current = undefined;
    element?.focus({ preventScroll: true });
  });

  const open = useCallback((tile: Tile, inNewTab: boolean) => {
    const url = probeUrl(tile.probe);
    if (!url) {
      return;
    }
    if (inNewTab) {
      window.open(`${config.appSubUrl ?? ''}${url}`, '_blank', 'noopener');
    } else {
      locationService.push(url);
    }
  }, []);

  const moveTo = (index: number) => {
    const tile = layout.tiles[index];
    if (!tile) {
      return;
    }
    setActiveKey(tile.probe.key);
    setTooltipDismissed(false);
    const top = scrollToReveal(layout, index, scrollTopRef.current, viewportHeight);
    if (top !== scrollTopRef.current && scroller.current) {
      scroller.current.scrollTop = top;
      scrollTopRef.current = top;
    }
    pendingFocus.current = index;
  };

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    const index = indexOfEvent(event);
    if (index === undefined) {
      return;
    }
    if (isNavigationKey(event.key)) {
      event.preventDefault();
      const pageRows = Math.max(1, Math.floor(viewportHeight / layout.tile.height) - 1);
      moveTo(moveFocus(layout, index, event.key, { ctrlKey: event.ctrlKey || event.metaKey, pageRows }));
    } else if (event.key === 'Enter' || event.key === ' ') {
      event.preventDefault();
      open(layout.tiles[index]!, event.ctrlKey || event.metaKey);
    } else if (event.key === 'Escape') {
      setTooltipDismissed(true);
    }
  };

  const onClick = (event: MouseEvent<HTMLDivElement>) => {
    const index = indexOfEvent(event);
    if (index !== undefined) {
      setActiveKey(layout.tiles[index]!.probe.key);
      open(layout.tiles[index]!, event.ctrlKey || event.metaKey || event.button === 1);
    }
  };

  const onMouseOver = (event: MouseEvent<HTMLDivElement>) => {
    const index = indexOfEvent(event);
    if (index !== hoveredIndex) {
      setHoveredIndex(index);
    }
  };

  const onFocus = (event: FocusEvent<HTMLDivElement>) => {
    const index = indexOfEvent(event);
    if (index !== undefined) {
      setActiveKey(layout.tiles[index]!.probe.key);
      setFocusedIndex(index);
    }
  };

  const onBlur = (event: FocusEvent<HTMLDivElement>) => {
    if (!event.currentTarget.contains(event.relatedTarget as Node | null)) {
      setFocusedIndex(undefined);
      setTooltipDismissed(false);
    }
  };

  const onScroll = (event: UIEvent<HTMLDivElement>) => {
    scrollTopRef.current = event.currentTarget.scrollTop;
    const { first, last } = visibleRows(layout, scrollTopRef.current, viewportHeight);
    setShownRows(`${first}:${last}`);
    // The tile under the pointer has moved away; its tooltip would point at another one.
    if (hoveredIndex !== undefined) {
      setHoveredIndex(undefined);
    }
  };

  if (probes.length === 0) {
    return (
      <div className={styles.empty} style={{ width, height }}>
        {seriesWithoutProbeId > 0
          ? `${seriesWithoutProbeId} series have no probe_id label: query tcpprobe_availability and tcpprobe_connect_seconds without aggregating the probe labels away.`
          : 'No probes. Query tcpprobe_availability and tcpprobe_connect_seconds (instant queries) from the Prometheus that scrapes the probekit gateways.'}
      </div>
    );
  }

  // Grouped by gateway a probe has a tile per location: the summary counts probes, not tiles.
  const shownProbes = !problemsOnly ? probes.length : grouped === probes ? tileCount : new Set(layout.tiles.map((tile) => tile.probe.probeId)).size;
  const summary = (
    <div className={styles.summary}>
      <span>
        {problemsOnly ? `${shownProbes} of ${probes.length}` : probes.length} {probes.length === 1 ? 'probe' : 'probes'}
      </span>
      <CountsText counts={totals} styles={styles} colors={paint.stateColor} showPartial={severalLocations} />
      <Button
        size="sm"
        fill="text"
        variant={problemsOnly ? 'primary' : 'secondary'}
        aria-pressed={problemsOnly}
        title="Show only the probes down (at every location or some), slow or failed recently"
        onClick={() => setToggled({ option: options.problemsOnly, problemsOnly: !problemsOnly })}
      >
        Only problems
      </Button>
      {seriesWithoutProbeId > 0 && (
        <span className={styles.notice} title="Their query aggregates the probe_id label away">
          {seriesWithoutProbeId} series without probe_id left out
        </span>
      )}
    </div>
  );

  if (tileCount === 0) {
    return (
      <div className={styles.panel} style={{ width, height }}>
        {summary}
        <div className={styles.empty}>No problems: none of the {probes.length} probes is down, slow or failed recently.</div>
      </div>
    );
  }

  const scrollTop = scrollTopRef.current;
  const { first, last } = visibleRows(layout, scrollTop, viewportHeight);
  const rowIndices: number[] = [];
  const activeRow = layout.rowOfTile[activeIndex]!;
  // The tab stop's row stays mounted while scrolled away, so that focus is never lost with it.
  if (activeRow < first) {
    rowIndices.push(activeRow);
  }
  for (let index = first; index <= last; index++) {
    rowIndices.push(index);
  }
  if (activeRow > last) {
    rowIndices.push(activeRow);
  }

  const describedIndex = tooltipDismissed ? undefined : (hoveredIndex ?? focusedIndex);
  const described = describedIndex !== undefined ? layout.tiles[describedIndex] : undefined;
  let tooltip = null;
  if (described) {
    const row = layout.rows[layout.rowOfTile[describedIndex!]!]!;
    const column = describedIndex! - (row.kind === 'tiles' ? row.start : 0);
    const tileTop = SUMMARY_HEIGHT + row.top - scrollTop;
    const tileBottom = tileTop + row.height;
    const left = Math.max(0, Math.min(column * (layout.tile.width + TILE_GAP), width - TOOLTIP_WIDTH));
    const room = TOOLTIP_ROOM + locationsRoom(described.probe);
    const below = tileBottom + room <= height || tileTop < room;
    tooltip = (
      <ProbeTooltip
        id={tooltipId}
        tile={described}
        paint={paint(described)}
        connectText={paint.connectText}
        linked={probeUrl(described.probe) !== undefined}
        timeZone={timeZone}
        atMs={data.timeRange.to.valueOf()}
        style={below ? { left, top: Math.max(SUMMARY_HEIGHT, tileBottom) } : { left, bottom: height - tileTop }}
      />
    );
  }

  return (
    <div className={styles.panel} style={{ width, height }}>
      {summary}
      <div
        ref={scroller}
        className={styles.scroller}
        style={{ height: viewportHeight }}
        role="grid"
        aria-label={`Probe status: ${totals.down} down, ${totals.partial > 0 ? `${totals.partial} partly down, ` : ''}${totals.nodata} no data, ${totals.up} up`}
        aria-rowcount={layout.rows.length}
        aria-colcount={layout.columns}
        onScroll={onScroll}
        onKeyDown={onKeyDown}
        onClick={onClick}
        onAuxClick={onClick}
        onMouseOver={onMouseOver}
        onMouseLeave={() => setHoveredIndex(undefined)}
        onFocus={onFocus}
        onBlur={onBlur}
      >
        <div className={styles.canvas} style={{ height: layout.totalHeight }}>
          {rowIndices.map((rowIndex) => {
            const row = layout.rows[rowIndex]!;
            const inRow = (index: number | undefined) =>
              index !== undefined && row.kind === 'tiles' && index >= row.start && index < row.end ? index : -1;
            return (
              <GridRowView
                key={rowIndex}
                gridId={gridId}
                rowIndex={rowIndex}
                row={row}
                layout={layout}
                groups={groups}
                activeIndex={inRow(activeIndex)}
                describedIndex={inRow(describedIndex)}
                tooltipId={tooltipId}
                showValues={options.showValues}
                paint={paint}
                styles={styles}
              />
            );
          })}
        </div>
      </div>
      {tooltip}
    </div>
  );
}
