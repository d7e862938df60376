// Pure geometry of the grid: groups packed into fixed-height rows, which rows a scroll position shows, and where the
// arrow keys move. Fixed heights let the panel render only the visible rows of 10,000 tiles.
import type { ProbeGroup, Tile, TileSize } from './types';

export interface TileMetrics {
  width: number;
  height: number;
}

export const TILE_SIZES: Record<TileSize, TileMetrics> = {
  small: { width: 104, height: 40 },
  medium: { width: 148, height: 52 },
  large: { width: 200, height: 68 },
};

export const TILE_GAP = 6;
export const HEADER_HEIGHT = 30;

export type GridRow =
  | { kind: 'header'; group: number; top: number; height: number }
  /** Tiles `start` (inclusive) to `end` (exclusive) of the flat tile list. */
  | { kind: 'tiles'; group: number; start: number; end: number; top: number; height: number };

export interface GridLayout {
  rows: GridRow[];
  /** Every tile in display order, groups one after another. */
  tiles: Tile[];
  /** For each tile (flat index), the index of its row. */
  rowOfTile: Int32Array;
  /** Flat tile index of a probe key (undefined when not shown); indexes the tiles on first use. */
  indexOf(key: string): number | undefined;
  columns: number;
  /** The tiles' size once widened to fill the rows. */
  tile: TileMetrics;
  totalHeight: number;
}

/**
 * `tile.width` is the narrowest a tile gets: as many columns as fit, then the tiles widen to fill the row (by less
 * than one tile's width over all of them), so that the grid spans the panel.
 */
export function buildLayout(groups: readonly ProbeGroup[], contentWidth: number, minTile: TileMetrics): GridLayout {
  const columns = Math.max(1, Math.floor((contentWidth + TILE_GAP) / (minTile.width + TILE_GAP)));
  const tile = { width: Math.max(minTile.width, Math.floor((contentWidth + TILE_GAP) / columns) - TILE_GAP), height: minTile.height };
  const rows: GridRow[] = [];
  const tiles: Tile[] = [];
  const total = groups.reduce((sum, group) => sum + group.tiles.length, 0);
  const rowOfTile = new Int32Array(total);
  const rowHeight = tile.height + TILE_GAP;
  let top = 0;

  groups.forEach((group, groupIndex) => {
    rows.push({ kind: 'header', group: groupIndex, top, height: HEADER_HEIGHT });
    top += HEADER_HEIGHT;
    for (let offset = 0; offset < group.tiles.length; offset += columns) {
      const start = tiles.length;
      const end = Math.min(offset + columns, group.tiles.length);
      for (let index = offset; index < end; index++) {
        rowOfTile[tiles.length] = rows.length;
        tiles.push(group.tiles[index]!);
      }
      rows.push({ kind: 'tiles', group: groupIndex, start, end: tiles.length, top, height: rowHeight });
      top += rowHeight;
    }
  });

  let byKey: Map<string, number> | undefined;
  const indexOf = (key: string) => {
    byKey ??= new Map(tiles.map((item, index) => [item.probe.key, index]));
    return byKey.get(key);
  };
  return { rows, tiles, rowOfTile, indexOf, columns, tile, totalHeight: top };
}

/** The first row whose bottom is below `y` (binary search over the row tops). */
function rowAt(rows: readonly GridRow[], y: number): number {
  let low = 0;
  let high = rows.length - 1;
  while (low < high) {
    const mid = (low + high) >> 1;
    const row = rows[mid]!;
    if (row.top + row.height <= y) {
      low = mid + 1;
    } else {
      high = mid;
    }
  }
  return low;
}

/** Rows `first`..`last` (inclusive) intersecting the viewport, widened by `overscan` rows on each side. */
export function visibleRows(layout: GridLayout, scrollTop: number, viewportHeight: number, overscan = 2): { first: number; last: number } {
  if (layout.rows.length === 0) {
    return { first: 0, last: -1 };
  }
  const first = rowAt(layout.rows, Math.max(0, scrollTop));
  const last = rowAt(layout.rows, scrollTop + viewportHeight - 1);
  return { first: Math.max(0, first - overscan), last: Math.min(layout.rows.length - 1, last + overscan) };
}

export type NavigationKey = 'ArrowLeft' | 'ArrowRight' | 'ArrowUp' | 'ArrowDown' | 'Home' | 'End' | 'PageUp' | 'PageDown';

export const isNavigationKey = (key: string): key is NavigationKey =>
  ['ArrowLeft', 'ArrowRight', 'ArrowUp', 'ArrowDown', 'Home', 'End', 'PageUp', 'PageDown'].includes(key);

/** The tile row `steps` tile rows above (negative) or below `rowIndex`, skipping group headers; the last one reached. */
function tileRowFrom(layout: GridLayout, rowIndex: number, steps: number): number {
  const direction = Math.sign(steps);
  let remaining = Math.abs(steps);
  let found = rowIndex;
  for (let index = rowIndex + direction; remaining > 0 && index >= 0 && index < layout.rows.length; index += direction) {
    if (layout.rows[index]!.kind === 'tiles') {
      found = index;
      remaining--;
    }
  }
  return found;
}

/**
 * Where focus goes from tile `index`: left/right through the reading order, up/down to the same column of the
 * neighbouring row (across group headers, clamped to a shorter row), Home/End to the row's ends (with Ctrl: the
 * grid's), PageUp/PageDown by `pageRows` rows.
 */
export function moveFocus(layout: GridLayout, index: number, key: NavigationKey, { ctrlKey = false, pageRows = 5 } = {}): number {
  const count = layout.tiles.length;
  if (count === 0) {
    return -1;
  }
  const current = Math.min(Math.max(index, 0), count - 1);
  const rowIndex = layout.rowOfTile[current]!;
  const row = layout.rows[rowIndex] as Extract<GridRow, { kind: 'tiles' }>;
  const column = current - row.start;
  const sameColumn = (targetRow: number) => {
    const target = layout.rows[targetRow] as Extract<GridRow, { kind: 'tiles' }>;
    return Math.min(target.start + column, target.end - 1);
  };
  switch (key) {
    case 'ArrowLeft':
      return Math.max(current - 1, 0);
    case 'ArrowRight':
      return Math.min(current + 1, count - 1);
    case 'ArrowUp':
      return sameColumn(tileRowFrom(layout, rowIndex, -1));
    case 'ArrowDown':
      return sameColumn(tileRowFrom(layout, rowIndex, 1));
    case 'PageUp':
      return sameColumn(tileRowFrom(layout, rowIndex, -Math.max(1, pageRows)));
    case 'PageDown':
      return sameColumn(tileRowFrom(layout, rowIndex, Math.max(1, pageRows)));
    case 'Home':
      return ctrlKey ? 0 : row.start;
    case 'End':
      return ctrlKey ? count - 1 : row.end - 1;
  }
}

/** The scrollTop that brings tile `index` fully into view, moving as little as possible (its group header too, for a group's first row). */
export function scrollToReveal(layout: GridLayout, index: number, scrollTop: number, viewportHeight: number): number {
  const rowIndex = layout.rowOfTile[index];
  if (rowIndex === undefined) {
    return scrollTop;
  }
  const row = layout.rows[rowIndex]!;
  const above = layout.rows[rowIndex - 1];
  const top = above?.kind === 'header' ? above.top : row.top;
  const bottom = row.top + row.height;
  if (top < scrollTop) {
    return top;
  }
  if (bottom > scrollTop + viewportHeight) {
    return Math.max(0, bottom - viewportHeight);
  }
  return scrollTop;
}
