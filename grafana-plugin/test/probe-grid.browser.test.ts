// The probe status grid in a real Chromium: the panel bundled with the real @grafana/ui and @grafana/data on a
// standalone page (src/panels/probe-grid/preview), fed with Prometheus-shaped frames, driven by mouse and keyboard.
// Needs Debian's chromium (`apt-get install -y chromium`); fails, naming it, when it is missing.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { buildPreview, launchChromium, servePreview, type PreviewServer } from '../src/panels/probe-grid/preview/harness';

const SCREENSHOT = join(import.meta.dirname, '..', 'e2e', 'screenshots', 'probe-grid.png');
const PARTIAL_SCREENSHOT = join(import.meta.dirname, '..', 'e2e', 'screenshots', 'probe-grid-partial.png');
/** Two servers of 24 probes, each run from three gateways, some probes down at only some of them. */
const SEVERAL_LOCATIONS = 'probes=48&seed=4&locations=3&partialRatio=0.15&downRatio=0.04&noDataRatio=0.04';

let server: PreviewServer | undefined;
let browser: Browser | undefined;

beforeAll(async () => {
  // Launch first: a missing Chromium is the likeliest failure and should be told before a build.
  browser = await launchChromium();
  await buildPreview();
  server = await servePreview();
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

async function openPreview(query: string, viewport = { width: 1240, height: 800 }): Promise<Page> {
  const page = await browser!.newPage({ viewport });
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(`${server!.url}/?${query}`);
  await page.waitForSelector('body[data-ready="true"]', { timeout: 30_000 }).catch((error: Error) => {
    throw new Error(`the preview did not render: ${errors.join('; ') || error.message}`);
  });
  return page;
}

describe('probe status grid in Chromium', () => {
  test('shows grouped tiles with counts and states in words, a tooltip on hover; saves a screenshot', async () => {
    const page = await openPreview('probes=120&seed=3&downRatio=0.08&noDataRatio=0.06');
    const headings = page.getByRole('heading', { level: 3 });
    expect(await headings.count()).toBeGreaterThan(2);
    expect(await headings.first().textContent()).toMatch(/^server /);

    const down = page.locator('[role="gridcell"][data-state="down"]');
    expect(await down.count()).toBeGreaterThan(0);
    expect(await down.first().getAttribute('aria-label')).toMatch(/, down/);
    expect(await down.first().textContent()).toMatch(/^✕/);
    expect(await page.locator('[role="gridcell"][data-state="nodata"]').first().textContent()).toMatch(/^–.*no data$/);

    // The tiles lie in a grid without overlapping.
    const boxes = await page.locator('[role="gridcell"][data-index]').evaluateAll((cells) => cells.slice(0, 3).map((cell) => cell.getBoundingClientRect().toJSON()));
    expect(boxes[1].x).toBeGreaterThanOrEqual(boxes[0].x + boxes[0].width);

    await down.first().hover();
    const tooltip = page.getByRole('tooltip');
    await tooltip.waitFor();
    const text = await tooltip.textContent();
    expect(text).toMatch(/State\s*down/);
    expect(text).toMatch(/Target.*corp\.example:\d+/);
    expect(text).toMatch(/Actual IPv4\s*10\.\d+\.\d+\.\d+/);
    expect(text).toMatch(/Failure\s*(refused|timeout|unreachable|dns_error)/);
    expect(text).toMatch(/Last check\s*\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}/);

    mkdirSync(join(SCREENSHOT, '..'), { recursive: true });
    await page.screenshot({ path: SCREENSHOT });
    await page.close();
  });

  test('a long name, cut on its tile, is read whole in the tooltip; a no-data tile\'s tooltip says why', async () => {
    const page = await openPreview('probes=120&seed=3&longNames=true&sortBy=name');
    const long = page.locator('[role="gridcell"][aria-label*="replica-listener"]').first();
    const name = (await long.getAttribute('aria-label'))!.split(',')[0]!;
    // The tile's own name line is too narrow for it...
    expect(await long.evaluate((cell) => cell.firstElementChild!.scrollWidth > cell.firstElementChild!.clientWidth + 1)).toBe(true);
    await long.hover();
    const title = page.getByRole('tooltip').getByText(name, { exact: true });
    // ...the tooltip shows all of it.
    expect(await title.evaluate((element) => element.scrollWidth > element.clientWidth + 1)).toBe(false);

    await page.locator('[role="gridcell"][data-state="nodata"]').first().hover();
    expect(await page.getByRole('tooltip').textContent()).toMatch(/State\s*no data: (outside its window|not checked yet)/);
    await page.close();
  });

  test('"Only problems" leaves the probes down, slow or failed recently', async () => {
    const page = await openPreview('probes=120&seed=3&downRatio=0.08&noDataRatio=0.06');
    const all = await page.locator('[role="gridcell"][data-index]').count();
    await page.getByRole('button', { name: 'Only problems' }).click();
    const states = await page.locator('[role="gridcell"][data-index]').evaluateAll((cells) => cells.map((cell) => (cell as HTMLElement).dataset.state));
    expect(states.length).toBeLessThan(all);
    expect(states).toContain('down');
    expect(states).not.toContain('nodata');
    await page.close();
  });

  test('a probe down at some of its locations: its own colour and "down at 2 of 3", each location in the tooltip; saves a screenshot', async () => {
    // Tall enough for the tooltip to open below a tile of the second group, leaving the legend in the screenshot.
    const page = await openPreview(`${SEVERAL_LOCATIONS}&height=960`, { width: 1240, height: 1000 });
    const cssColor = (name: string) => page.evaluate((colorName) => window.probeGrid.cssColor(colorName), name);
    const background = (cell: ReturnType<Page['locator']>) => cell.evaluate((element) => getComputedStyle(element).backgroundColor);

    expect(await page.locator('[role="gridcell"][data-index]').count()).toBe(48);
    const partial = page.locator('[role="gridcell"][data-state="partial"]');
    expect(await partial.count()).toBeGreaterThan(2);
    const first = partial.first();
    expect(await first.textContent()).toMatch(/^◐\s.+down at [12] of [23]$/);
    expect(await first.getAttribute('aria-label')).toMatch(/^[\w-]+, down at [12] of [23](?: \(no data from [\w-]+\))?, \w+, down from [\w-]+(, [\w-]+)?; up from /);
    // Its own colour: the theme's purple, neither the down red nor a connect-time colour.
    const purple = await cssColor('purple');
    expect(await background(first)).toBe(purple);
    expect(await background(page.locator('[role="gridcell"][data-state="down"]').first())).toBe(await cssColor('red'));
    expect(purple).not.toBe(await cssColor('red'));
    // The legend: the partly-down count with its swatch in that colour.
    const legend = page.locator('[data-count="partial"]').first();
    expect(await legend.textContent()).toMatch(/^◐ \d+ partly down$/);
    expect(await legend.locator('span').first().evaluate((swatch) => getComputedStyle(swatch).backgroundColor)).toBe(purple);
    // Sorted by state, in each group partly down follows down.
    const states = await page.locator('[role="gridcell"][data-index]').evaluateAll((cells) => cells.map((cell) => (cell as HTMLElement).dataset.state));
    expect(states.slice(0, states.indexOf('partial')).every((state) => state === 'down')).toBe(true);

    // A partly-down probe with a silent location: the tooltip lists all three, and says which has no data.
    const silent = page.locator('[role="gridcell"][data-state="partial"][aria-label*="no data from"]').first();
    await silent.hover();
    const tooltip = page.getByRole('tooltip');
    await tooltip.waitFor();
    const text = (await tooltip.textContent())!;
    expect(text).toMatch(/State\s*down at 1 of 2 \(no data from [\w-]+\)/);
    expect(text).toMatch(/Locations/);
    for (const gateway of ['hq', 'branch-fra', 'branch-nyc']) expect(text).toContain(gateway);
    expect(text).toMatch(/✓ up · \d+(\.\d+)? ms/);
    expect(text).toMatch(/✕ down · (refused|timeout|unreachable|dns_error)/);
    expect(text).toMatch(/– no data: outside its window/);
    expect(await tooltip.locator('dl').nth(1).locator('dt').allTextContents()).toHaveLength(3);

    mkdirSync(join(PARTIAL_SCREENSHOT, '..'), { recursive: true });
    await page.screenshot({ path: PARTIAL_SCREENSHOT });
    await page.close();
  });

  test('grouped by gateway, a partly-down probe is in each of its gateways\' groups with that location\'s state', async () => {
    const merged = await openPreview(SEVERAL_LOCATIONS);
    const label = (await merged.locator('[role="gridcell"][data-state="partial"]').first().getAttribute('aria-label'))!;
    await merged.close();
    const name = label.split(',')[0]!;
    const gateway = '(?:hq|branch-fra|branch-nyc)';
    const from = (words: string) => new RegExp(`${words} from (${gateway}(?:, ${gateway})*)`).exec(label)?.[1]?.split(', ') ?? [];
    const expected = Object.fromEntries([...from('down').map((g) => [g, 'down']), ...from('up').map((g) => [g, 'up']), ...from('no data').map((g) => [g, 'nodata'])]);
    expect(Object.keys(expected).sort()).toEqual(['branch-fra', 'branch-nyc', 'hq']);

    // Tall enough that every row of the three groups is mounted.
    const page = await openPreview(`${SEVERAL_LOCATIONS}&groupBy=gateway&height=1500`);
    expect(await page.getByRole('heading', { level: 3 }).allTextContents()).toEqual(['gateway branch-fra', 'gateway branch-nyc', 'gateway hq']);
    // Every probe at each of its three locations, none partly down.
    expect(await page.locator('[role="gridcell"][data-index]').count()).toBe(48 * 3);
    expect(await page.locator('[role="gridcell"][data-state="partial"]').count()).toBe(0);
    const tiles = page.locator(`[role="gridcell"][aria-label^="${name} via "]`);
    const states = await tiles.evaluateAll((cells) =>
      Object.fromEntries(cells.map((cell) => [/ via ([\w-]+),/.exec(cell.getAttribute('aria-label')!)![1], (cell as HTMLElement).dataset.state])),
    );
    expect(states).toEqual(expected);
    // The summary still counts probes, partly down among them.
    expect(await page.locator('[data-count="partial"]').first().textContent()).toMatch(/^◐ [1-9]\d* partly down$/);
    await page.close();
  });

  test('keyboard: Tab lands on the first tile, arrows move focus, Enter opens the probe page', async () => {
    const page = await openPreview('probes=120&seed=3&downRatio=0.08&noDataRatio=0.06&groupBy=site');
    const focused = () => page.evaluate(() => (document.activeElement as HTMLElement).dataset.index);
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement!.textContent)).toBe('Only problems');
    await page.keyboard.press('Tab');
    expect(await focused()).toBe('0');
    await page.keyboard.press('ArrowRight');
    expect(await focused()).toBe('1');
    await page.keyboard.press('ArrowDown');
    const below = await focused();
    expect(Number(below)).toBeGreaterThan(1);
    await page.keyboard.press('Control+End');
    expect(await focused()).toBe('119');
    const label = await page.evaluate(() => document.activeElement!.getAttribute('aria-label'));
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/a\/probekit-tcpprobe-app\/probes\/\d+$/);
    const probeId = new URL(page.url()).pathname.split('/').pop();
    expect(label).toMatch(new RegExp(`-${probeId}\\b`));
    await page.close();
  });

  test('10,000 probes: only the rows in view are in the DOM, scrolling brings others, a click opens a probe', async () => {
    const page = await openPreview('probes=60');
    const result = await page.evaluate(() => window.probeGrid.render({ probes: 10_000 }));
    expect(result.tilesInDom).toBeGreaterThan(30);
    expect(result.tilesInDom).toBeLessThan(300);
    // A loose bound that catches rendering every tile; bench/probe-grid measures the real figure on a quiet machine.
    expect(result.firstPaintMs).toBeLessThan(3_000);

    const scroll = await page.evaluate(() => window.probeGrid.scroll({ frames: 60, pxPerFrame: 120 }));
    expect(scroll.scrolledPx).toBeGreaterThan(3_000);
    const indices = await page.locator('[role="gridcell"][data-index]').evaluateAll((cells) => cells.map((cell) => Number((cell as HTMLElement).dataset.index)));
    expect(Math.max(...indices)).toBeGreaterThan(300);

    await page.locator('[role="gridcell"][data-index]').last().click();
    await page.waitForURL(/\/a\/probekit-tcpprobe-app\/probes\/\d+$/);
    await page.close();
  });
});
