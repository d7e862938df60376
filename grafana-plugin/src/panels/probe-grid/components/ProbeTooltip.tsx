// The details of one tile, shown on hover and on keyboard focus: where the probe points, how it answered, when; for a
// probe run from several locations, how each location sees it.
import { css } from '@emotion/css';
import { dateTimeFormat, type GrafanaTheme2, type TimeZone } from '@grafana/data';
import { useStyles2 } from '@grafana/ui';
import type { CSSProperties } from 'react';
import { daysUntil, expiryInWords } from '../../../components/CheckResult/format';
import { LEVEL_BADGE, STATE_GLYPH, stateText, type TilePaint } from '../paint';
import type { Probe, Tile } from '../types';

export const TOOLTIP_WIDTH = 300;

interface Props {
  id: string;
  tile: Tile;
  paint: TilePaint;
  /** Formats a location's connect time as the tile's is. */
  connectText: (seconds: number | null) => string;
  linked: boolean;
  timeZone?: TimeZone;
  /** When the instant queries were evaluated (the time range's end): what a certificate's days left count from. */
  atMs: number;
  style: CSSProperties;
}

/** Extra height the tooltip takes for a probe over several locations: a heading and one line a location. */
export const locationsRoom = (probe: Probe) => (probe.locations ? 22 + 18 * probe.locations.length : 0);

/** One location's line: its state in words, then its connect time when up, its failure when down. */
function locationLine(location: Probe, connectText: Props['connectText']): string {
  const detail = location.state === 'up' ? connectText(location.connectSeconds) : location.state === 'down' ? location.failureReason : undefined;
  return `${STATE_GLYPH[location.state]} ${stateText(location)}${detail ? ` · ${detail}` : ''}`;
}

export function ProbeTooltip({ id, tile, paint, connectText, linked, timeZone, atMs, style }: Props) {
  const styles = useStyles2(getStyles);
  const { probe, level } = tile;
  const rows: Array<[string, string]> = [
    ['State', `${stateText(probe)}${level === 'ok' ? '' : ` (${level} connect time)`}`],
    ['Target', probe.target || 'unknown'],
    ['Actual IPv4', probe.actualIpv4 ?? 'unknown'],
  ];
  if (probe.actualHost && probe.actualHost !== probe.target.replace(/:\d+$/, '')) {
    rows.push(['Actual host', probe.actualHost]);
  }
  // Over several locations, each location's connect time is in its own line below.
  if (!probe.locations) {
    rows.push(['Connect time', paint.connectText ? `${paint.connectText}${probe.state === 'up' ? '' : ' (last success)'}` : 'none recorded']);
  }
  if (probe.failureReason) {
    rows.push([probe.state === 'down' || probe.state === 'partial' ? 'Failure' : 'Recent failure', probe.failureReason]);
  }
  if (probe.certExpiresAtMs !== undefined) {
    rows.push(['Certificate', `expires ${expiryInWords(daysUntil(probe.certExpiresAtMs, atMs))} (${dateTimeFormat(probe.certExpiresAtMs, { timeZone })})`]);
  }
  rows.push(['Last check', probe.lastCheckMs !== undefined ? dateTimeFormat(probe.lastCheckMs, { timeZone }) : 'unknown']);
  rows.push(['Server', [probe.server, probe.role, probe.site].filter(Boolean).join(' · ') || 'unknown']);
  if (!probe.locations) {
    rows.push(['Gateway', probe.gateway || 'unknown']);
  }

  return (
    <div id={id} role="tooltip" className={styles.tooltip} style={style}>
      <div className={styles.title}>
        <span aria-hidden className={styles.swatch} style={{ background: paint.background, color: paint.color }}>
          {STATE_GLYPH[probe.state]}
        </span>
        <span className={styles.name}>{probe.name}</span>
        {LEVEL_BADGE[level] && <span className={styles.badge}>{LEVEL_BADGE[level]}</span>}
      </div>
      <dl className={styles.details}>
        {rows.map(([term, value]) => (
          <div key={term} className={styles.row}>
            <dt>{term}</dt>
            <dd>{value}</dd>
          </div>
        ))}
      </dl>
      {probe.locations && (
        <>
          <div className={styles.section}>Locations</div>
          <dl className={styles.details} aria-label="Locations">
            {probe.locations.map((location) => (
              <div key={location.key} className={styles.row} data-state={location.state}>
                <dt>{location.gateway || 'no gateway'}</dt>
                <dd>{locationLine(location, connectText)}</dd>
              </div>
            ))}
          </dl>
        </>
      )}
      {linked && <div className={styles.hint}>Click or press Enter to open the probe</div>}
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  tooltip: css({
    position: 'absolute',
    zIndex: theme.zIndex.tooltip,
    width: TOOLTIP_WIDTH,
    padding: theme.spacing(1),
    background: theme.components.tooltip.background,
    color: theme.components.tooltip.text,
    borderRadius: theme.shape.radius.default,
    boxShadow: theme.shadows.z3,
    fontSize: theme.typography.bodySmall.fontSize,
    pointerEvents: 'none',
  }),
  title: css({ display: 'flex', alignItems: 'center', gap: theme.spacing(1), marginBottom: theme.spacing(0.5), fontWeight: theme.typography.fontWeightMedium }),
  swatch: css({ display: 'inline-flex', justifyContent: 'center', alignItems: 'center', width: 18, height: 18, borderRadius: theme.shape.radius.default, flexShrink: 0 }),
  // The full name, wrapped: the tile cuts a long one, and this is where it is read whole.
  name: css({ minWidth: 0, overflowWrap: 'anywhere' }),
  badge: css({ fontSize: 10, padding: '0 4px', border: `1px solid currentColor`, borderRadius: theme.shape.radius.default }),
  details: css({ margin: 0, display: 'grid', rowGap: 2 }),
  row: css({
    display: 'grid',
    gridTemplateColumns: '96px 1fr',
    dt: { color: theme.colors.text.secondary, fontWeight: 'normal' },
    dd: { margin: 0, overflowWrap: 'anywhere' },
  }),
  section: css({ marginTop: theme.spacing(0.5), color: theme.colors.text.secondary, fontWeight: theme.typography.fontWeightMedium }),
  hint: css({ marginTop: theme.spacing(0.5), color: theme.colors.text.secondary }),
});
