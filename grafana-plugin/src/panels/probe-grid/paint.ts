// How a tile looks and reads: its colour from the field config (thresholds, colour mode) or the state colours, and
// the words a screen reader and the tooltip use, so that no state is told by colour alone.
import { FieldType, formattedValueToString, getDisplayProcessor, type FieldConfig, type GrafanaTheme2, type TimeZone } from '@grafana/data';
import { links } from '../../constants';
import { locationCounts, locationsText } from './locations';
import type { ConnectLevel, NoDataReason, Probe, ProbeGridOptions, ProbeState, Tile } from './types';

export const STATE_GLYPH: Record<ProbeState, string> = { up: '✓', down: '✕', partial: '◐', nodata: '–' };
export const STATE_TEXT: Record<ProbeState, string> = { up: 'up', down: 'down', partial: 'partly down', nodata: 'no data' };
/** Why no data, in the words the tooltip and the aria-label use: only what the series can tell. */
export const NO_DATA_TEXT: Record<NoDataReason, string> = {
  outsideWindow: "outside its window or schedule, or before the window's first check",
  notCheckedYet: 'not checked yet (none since its gateway started)',
  notANumber: 'the availability sample is NaN',
  unknown: 'no availability sample: outside its window, or not checked yet',
};

/** "down at 2 of 3": of the locations that report (up or down), how many see the probe down. */
export function partialText(locations: readonly Probe[]): string {
  const { down, reporting } = locationCounts(locations);
  return `down at ${down} of ${reporting}`;
}

/**
 * A probe's state in words, with the reason when it has no data; for one over several locations, how many see it down
 * when they disagree, and which locations lack data.
 */
export function stateText(probe: Probe): string {
  const { locations } = probe;
  const base =
    probe.state === 'partial' && locations
      ? partialText(locations)
      : probe.state === 'nodata' && probe.noDataReason
        ? `no data: ${NO_DATA_TEXT[probe.noDataReason]}`
        : STATE_TEXT[probe.state];
  const silent = probe.state === 'nodata' ? [] : (locations ?? []).filter((location) => location.state === 'nodata');
  return silent.length > 0 ? `${base} (no data from ${silent.map((location) => location.gateway || 'no gateway').join(', ')})` : base;
}

export const LEVEL_BADGE: Record<ConnectLevel, string> = { ok: '', warning: 'WARN', critical: 'CRIT' };

export interface TilePaint {
  background: string;
  color: string;
  /** Under the name: the connect time, the failure reason or "no data". */
  valueText: string;
  /** Connect time formatted with the field config's unit and decimals; '' when there is none. */
  connectText: string;
  ariaLabel: string;
}

export interface Painter {
  (tile: Tile): TilePaint;
  /** A connect time with the field config's unit and decimals ('' for none): for each location in the tooltip. */
  connectText(seconds: number | null): string;
  /** The colour of each state (up: the base threshold's), for the legend. */
  stateColor: Readonly<Record<ProbeState, string>>;
}

/** A painter for the current theme, field config and state colours; it remembers each probe's paint. */
export function createPainter(
  theme: GrafanaTheme2,
  fieldConfig: FieldConfig,
  options: Pick<ProbeGridOptions, 'downColor' | 'partialColor' | 'noDataColor'>,
  timeZone?: TimeZone,
): Painter {
  const display = getDisplayProcessor({ field: { type: FieldType.number, config: fieldConfig }, theme, ...(timeZone ? { timeZone } : {}) });
  const stateColor: Record<ProbeState, string> = {
    down: theme.visualization.getColorByName(options.downColor),
    partial: theme.visualization.getColorByName(options.partialColor),
    nodata: theme.visualization.getColorByName(options.noDataColor),
    up: theme.visualization.getColorByName(fieldConfig.thresholds?.steps[0]?.color ?? 'green'),
  };
  const cache = new WeakMap<Probe, TilePaint>();
  // A handful of colours serve thousands of tiles; their contrast text is worked out once each.
  const contrast = new Map<string, string>();
  const textOn = (background: string) => {
    let text = contrast.get(background);
    if (text === undefined) {
      text = theme.colors.getContrastText(background);
      contrast.set(background, text);
    }
    return text;
  };

  const paint = (tile: Tile): TilePaint => {
    const { probe } = tile;
    const cached = cache.get(probe);
    if (cached) {
      return cached;
    }
    const shown = probe.connectSeconds !== null ? display(probe.connectSeconds) : undefined;
    const connectText = shown ? formattedValueToString(shown) : '';
    const background = probe.state === 'up' && shown?.color ? shown.color : stateColor[probe.state];
    const valueText =
      probe.state === 'up'
        ? connectText || 'up'
        : probe.state === 'down'
          ? (probe.failureReason ?? 'down')
          : probe.state === 'partial' && probe.locations
            ? partialText(probe.locations)
            : STATE_TEXT[probe.state];
    const look: TilePaint = {
      background,
      color: textOn(background),
      valueText,
      connectText,
      ariaLabel: ariaLabelOf(tile, connectText),
    };
    cache.set(probe, look);
    return look;
  };
  return Object.assign(paint, {
    connectText: (seconds: number | null) => (seconds === null ? '' : formattedValueToString(display(seconds))),
    stateColor,
  });
}

function ariaLabelOf({ probe, level }: Tile, connectText: string): string {
  const parts = [`${probe.name}${probe.sharedId ? ` via ${probe.gateway}` : ''}`, stateText(probe)];
  if (probe.state === 'up' && connectText) {
    parts.push(`${probe.locations ? 'slowest connect time' : 'connect time'} ${connectText}${level === 'ok' ? '' : ` (${level})`}`);
  }
  if ((probe.state === 'down' || probe.state === 'partial') && probe.failureReason) {
    parts.push(probe.failureReason);
  }
  // After the failure, which is that of the locations down: "refused, down from a, b; up from c".
  if (probe.locations) {
    parts.push(locationsText(probe.locations));
  }
  if (probe.server) {
    parts.push(`server ${probe.server}`);
  }
  return parts.join(', ');
}

/** The app's page of the probe; undefined when the probe_id is not a gateway id (then the tile opens nothing). */
export function probeUrl(probe: Probe): string | undefined {
  return /^\d+$/.test(probe.probeId) ? links.probe(Number(probe.probeId)) : undefined;
}
