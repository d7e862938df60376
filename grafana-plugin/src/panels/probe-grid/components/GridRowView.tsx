// One virtualised row of the grid: a group header with its counts, or a row of tiles. Memoised: scrolling mounts
// only the rows that come into view.
import { cx } from '@emotion/css';
import { memo } from 'react';
import { TILE_GAP, type GridLayout, type GridRow } from '../layout';
import { LEVEL_BADGE, STATE_GLYPH, type Painter } from '../paint';
import type { ProbeGroup, ProbeState, StateCounts } from '../types';
import type { GridStyles } from './styles';

interface Props {
  gridId: string;
  rowIndex: number;
  row: GridRow;
  layout: GridLayout;
  groups: readonly ProbeGroup[];
  /** Flat index of the roving tab stop; rows without it get -1 so that they do not re-render when it moves. */
  activeIndex: number;
  /** Flat index of the tile the tooltip describes, or -1. */
  describedIndex: number;
  tooltipId: string;
  showValues: boolean;
  paint: Painter;
  styles: GridStyles;
}

interface CountsProps {
  counts: StateCounts;
  styles: GridStyles;
  /** With the state colours, each count gets a swatch: the counts are then the grid's legend. */
  colors?: Readonly<Record<ProbeState, string>>;
  /** Show the partly-down count even at 0 (where some probe runs from several locations); else only when not 0. */
  showPartial?: boolean;
}

/** The counts by state: glyph, number and words; a fleet of one location per probe never shows "partly down". */
export function CountsText({ counts, styles, colors, showPartial = false }: CountsProps) {
  const count = (state: ProbeState, words: string, className?: string | false) => (
    <span className={cx(styles.count, className)} data-count={state}>
      {colors && <span aria-hidden className={styles.swatch} style={{ background: colors[state] }} />}
      <span aria-hidden>{STATE_GLYPH[state]} </span>
      {counts[state]} {words}
    </span>
  );
  return (
    <span className={styles.counts}>
      {count('down', 'down', counts.down > 0 && styles.countDown)}
      {(showPartial || counts.partial > 0) && count('partial', 'partly down', counts.partial > 0 && styles.countPartial)}
      {count('nodata', 'no data')}
      {count('up', 'up')}
    </span>
  );
}

export const GridRowView = memo(function GridRowView({ gridId, rowIndex, row, layout, groups, activeIndex, describedIndex, tooltipId, showValues, paint, styles }: Props) {
  const position = { top: row.top, height: row.height };
  if (row.kind === 'header') {
    const group = groups[row.group]!;
    return (
      <div role="row" aria-rowindex={rowIndex + 1} className={styles.headerRow} style={position}>
        <div role="gridcell" aria-colspan={layout.columns} className={styles.headerCell}>
          <span role="heading" aria-level={3} className={styles.groupTitle} title={group.title}>
            {group.title}
          </span>
          <CountsText counts={group.counts} styles={styles} />
        </div>
      </div>
    );
  }

  const { width, height } = layout.tile;
  const cells = [];
  for (let index = row.start; index < row.end; index++) {
    const tile = layout.tiles[index]!;
    const { probe, level } = tile;
    const look = paint(tile);
    cells.push(
      <div
        key={probe.key}
        id={`${gridId}-tile-${index}`}
        role="gridcell"
        aria-colindex={index - row.start + 1}
        aria-label={look.ariaLabel}
        aria-describedby={index === describedIndex ? tooltipId : undefined}
        tabIndex={index === activeIndex ? 0 : -1}
        data-index={index}
        data-state={probe.state}
        className={cx(styles.tile, probe.state === 'nodata' && styles.tileNoData)}
        style={{ left: (index - row.start) * (width + TILE_GAP), top: TILE_GAP / 2, width, height, background: look.background, color: look.color }}
      >
        <span className={styles.tileName}>
          {/* Plain text, not an element: the tile's aria-label speaks for it, and scrolling mounts fewer nodes. */}
          {`${STATE_GLYPH[probe.state]}\u2002${probe.name}`}
          {probe.sharedId && <span className={styles.gateway}> @{probe.gateway}</span>}
        </span>
        {showValues && (
          <span className={styles.tileValue}>
            {look.valueText}
            {LEVEL_BADGE[level] && <span className={styles.badge}>{LEVEL_BADGE[level]}</span>}
          </span>
        )}
      </div>,
    );
  }
  return (
    <div role="row" aria-rowindex={rowIndex + 1} className={styles.tileRow} style={position}>
      {cells}
    </div>
  );
});
