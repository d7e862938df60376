import { describe, expect, test } from 'vitest';
import { buildLayout, HEADER_HEIGHT, moveFocus, scrollToReveal, TILE_GAP, visibleRows, type GridLayout, type NavigationKey } from './layout';
import type { Probe, ProbeGroup } from './types';

const tile = { width: 100, height: 40 };
const rowHeight = tile.height + TILE_GAP;
/** Room for exactly 3 tiles a row. */
const width = 3 * tile.width + 2 * TILE_GAP;

function group(key: string, count: number, startId: number): ProbeGroup {
  const tiles = Array.from({ length: count }, (_, offset) => ({
    probe: { key: `${key}-${startId + offset}`, probeId: String(startId + offset), name: `p${startId + offset}` } as Probe,
    level: 'ok' as const,
    rank: 5,
  }));
  return { key, title: key, tiles, counts: { up: count, down: 0, partial: 0, nodata: 0 }, attention: 0 };
}

/**
 * header a
 * 0 1 2
 * 3 4
 * header b
 * 5 6 7
 * 8 9 10
 * 11
 */
const layout: GridLayout = buildLayout([group('a', 5, 0), group('b', 7, 5)], width, tile);

describe('buildLayout', () => {
  test('packs each group under its header into rows of as many tiles as fit', () => {
    expect(layout.columns).toBe(3);
    expect(layout.rows.map((row) => (row.kind === 'header' ? `header ${row.group}` : `${row.start}-${row.end - 1}`))).toEqual([
      'header 0',
      '0-2',
      '3-4',
      'header 1',
      '5-7',
      '8-10',
      '11-11',
    ]);
    expect(layout.rows.map((row) => row.top)).toEqual([0, 30, 30 + rowHeight, 30 + 2 * rowHeight, 60 + 2 * rowHeight, 60 + 3 * rowHeight, 60 + 4 * rowHeight]);
    expect(layout.totalHeight).toBe(2 * HEADER_HEIGHT + 5 * rowHeight);
    expect(Array.from(layout.rowOfTile)).toEqual([1, 1, 1, 2, 2, 4, 4, 4, 5, 5, 5, 6]);
    expect(layout.indexOf('b-8')).toBe(8);
    expect(layout.indexOf('nope')).toBeUndefined();
  });

  test('at least one column however narrow the panel', () => {
    expect(buildLayout([group('a', 2, 0)], 10, tile).columns).toBe(1);
  });

  test('10,000 tiles give rows, not 10,000 positions', () => {
    const big = buildLayout([group('a', 10_000, 0)], 1200, tile);
    expect(big.columns).toBe(11);
    // The tiles widen to span the row: 11 × 103 px + 10 gaps of 6 px = 1,193 px of 1,200.
    expect(big.tile).toEqual({ width: 103, height: 40 });
    expect(big.rows).toHaveLength(1 + Math.ceil(10_000 / 11));
  });
});

describe('visibleRows', () => {
  test('the rows a viewport shows, widened by the overscan, clamped to the grid', () => {
    expect(visibleRows(layout, 0, 80, 0)).toEqual({ first: 0, last: 2 });
    expect(visibleRows(layout, 30 + rowHeight, 10, 0)).toEqual({ first: 2, last: 2 });
    expect(visibleRows(layout, 30 + rowHeight, 10, 2)).toEqual({ first: 0, last: 4 });
    expect(visibleRows(layout, 10_000, 100, 1)).toEqual({ first: 5, last: 6 });
  });

  test('an empty grid shows nothing', () => {
    expect(visibleRows(buildLayout([], width, tile), 0, 100)).toEqual({ first: 0, last: -1 });
  });
});

describe('moveFocus', () => {
  const move = (from: number, key: NavigationKey, options?: { ctrlKey?: boolean; pageRows?: number }) => moveFocus(layout, from, key, options);

  test('left and right follow the reading order across rows and groups, stopping at the ends', () => {
    expect([move(0, 'ArrowLeft'), move(0, 'ArrowRight'), move(2, 'ArrowRight'), move(4, 'ArrowRight'), move(11, 'ArrowRight')]).toEqual([0, 1, 3, 5, 11]);
  });

  test('up and down keep the column, cross group headers and clamp to a shorter row', () => {
    expect(move(1, 'ArrowDown')).toBe(4);
    expect(move(2, 'ArrowDown')).toBe(4);
    expect(move(4, 'ArrowDown')).toBe(6);
    expect(move(6, 'ArrowUp')).toBe(4);
    expect(move(7, 'ArrowUp')).toBe(4);
    expect(move(10, 'ArrowDown')).toBe(11);
    expect(move(11, 'ArrowDown')).toBe(11);
    expect(move(1, 'ArrowUp')).toBe(1);
  });

  test('Home and End go to the row ends, with Ctrl to the grid ends; PageUp/PageDown move by pages of rows', () => {
    expect(move(9, 'Home')).toBe(8);
    expect(move(8, 'End')).toBe(10);
    expect(move(9, 'Home', { ctrlKey: true })).toBe(0);
    expect(move(1, 'End', { ctrlKey: true })).toBe(11);
    expect(move(1, 'PageDown', { pageRows: 2 })).toBe(6);
    expect(move(1, 'PageDown', { pageRows: 50 })).toBe(11);
    expect(move(9, 'PageUp', { pageRows: 3 })).toBe(1);
  });

  test('no tiles: nowhere to go', () => {
    expect(moveFocus(buildLayout([], width, tile), 0, 'ArrowDown')).toBe(-1);
  });
});

describe('scrollToReveal', () => {
  test('moves as little as needed, and shows the group header above a group first row', () => {
    const viewport = 100;
    expect(scrollToReveal(layout, 0, 0, viewport)).toBe(0);
    expect(scrollToReveal(layout, 11, 0, viewport)).toBe(layout.totalHeight - viewport);
    // Tile 5 opens group b: its header comes into view with it.
    expect(scrollToReveal(layout, 5, layout.totalHeight, viewport)).toBe(layout.rows[3]!.top);
    expect(scrollToReveal(layout, 8, 0, viewport)).toBe(layout.rows[5]!.top + rowHeight - viewport);
  });
});
