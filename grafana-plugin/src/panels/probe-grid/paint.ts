// How a tile looks and reads: its colour from the field config (thresholds, colour mode) or the state colours, and
// the words a screen reader and the tooltip use, so that no state is told by colour alone.
import { FieldType, formattedValueToString, getDisplayProcessor, type FieldConfig, type GrafanaTheme2, type TimeZone } from '@grafana/data';
import { links } from '../../constants';
import type { ConnectLevel, NoDataReason, Probe, ProbeGridOptions, ProbeState, Tile } from './types';

export const STATE_GLYPH: Record<ProbeState, string> = { up: '✓', down: '✕', nodata: '–' };
export const STATE_TEXT: Record<ProbeState, string> = { up: 'up', down: 'down', nodata: 'no data' };
/** Why no data, in the words the tooltip and the aria-label use: only what the series can tell. */
export const NO_DATA_TEXT: Record<NoDataReason, string> = {
  outsideWindow: "outside its window or schedule, or before the window's first check",
  notCheckedYet: 'not checked yet (none since its gateway started)',
  notANumber: 'the availability sample is NaN',
  unknown: 'no availability sample: outside its window, or not checked yet',
};

/** A probe's state in words, with the reason when it has no data. */
export const stateText = (probe: Probe) =>
  probe.state === 'nodata' && probe.noDataReason ? `no data: ${NO_DATA_TEXT[probe.noDataReason]}` : STATE_TEXT[probe.state];

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

export type Painter = (tile: Tile) => TilePaint;

/** A painter for the current theme, field config and state colours; it remembers each probe's paint. */
export function createPainter(theme: GrafanaTheme2, fieldConfig: FieldConfig, options: Pick<ProbeGridOptions, 'downColor' | 'noDataColor'>, timeZone?: TimeZone): Painter {
  const display = getDisplayProcessor({ field: { type: FieldType.number, config: fieldConfig }, theme, ...(timeZone ? { timeZone } : {}) });
  const stateColor = {
    down: theme.visualization.getColorByName(options.downColor),
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

  return (tile) => {
    const { probe, level } = tile;
    const cached = cache.get(probe);
    if (cached) {
      return cached;
    }
    const shown = probe.connectSeconds !== null ? display(probe.connectSeconds) : undefined;
    const connectText = shown ? formattedValueToString(shown) : '';
    const background = probe.state === 'up' && shown?.color ? shown.color : stateColor[probe.state];
    const valueText = probe.state === 'up' ? connectText || 'up' : probe.state === 'down' ? (probe.failureReason ?? 'down') : 'no data';
    const paint: TilePaint = {
      background,
      color: textOn(background),
      valueText,
      connectText,
      ariaLabel: ariaLabelOf(tile, connectText),
    };
    cache.set(probe, paint);
    return paint;
  };
}

function ariaLabelOf({ probe, level }: Tile, connectText: string): string {
  const parts = [`${probe.name}${probe.sharedId ? ` via ${probe.gateway}` : ''}`, stateText(probe)];
  if (probe.state === 'up' && connectText) {
    parts.push(`connect time ${connectText}${level === 'ok' ? '' : ` (${level})`}`);
  }
  if (probe.state === 'down' && probe.failureReason) {
    parts.push(probe.failureReason);
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
