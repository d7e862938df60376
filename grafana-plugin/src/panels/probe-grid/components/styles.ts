// Styles of the grid, from the Grafana theme. Positions and colours that vary per tile are inline styles instead.
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';

export const SUMMARY_HEIGHT = 26;

export const getGridStyles = (theme: GrafanaTheme2) => ({
  panel: css({ position: 'relative', display: 'flex', flexDirection: 'column', overflow: 'hidden', boxSizing: 'border-box' }),
  summary: css({
    display: 'flex',
    alignItems: 'center',
    gap: theme.spacing(2),
    height: SUMMARY_HEIGHT,
    flexShrink: 0,
    fontSize: theme.typography.bodySmall.fontSize,
    color: theme.colors.text.secondary,
    whiteSpace: 'nowrap',
    overflow: 'hidden',
  }),
  notice: css({ color: theme.colors.warning.text, overflow: 'hidden', textOverflow: 'ellipsis' }),
  scroller: css({
    position: 'relative',
    overflowX: 'hidden',
    overflowY: 'auto',
    flexGrow: 1,
    outline: 'none',
    // Scrolling repaints only the grid, never the dashboard around it.
    contain: 'strict',
    // Scrolled by the compositor: without it Chromium scrolled this box on the main thread and rastered the whole view
    // again each frame (15 ms of software raster a frame without a GPU; 4-8 % of frames late at a brisk wheel).
    willChange: 'scroll-position',
  }),
  canvas: css({ position: 'relative', width: '100%' }),
  headerRow: css({ position: 'absolute', left: 0, right: 0, contain: 'strict' }),
  headerCell: css({
    display: 'flex',
    alignItems: 'center',
    gap: theme.spacing(2),
    height: '100%',
    borderBottom: `1px solid ${theme.colors.border.weak}`,
    marginBottom: 2,
  }),
  groupTitle: css({
    fontSize: theme.typography.h6.fontSize,
    fontWeight: theme.typography.fontWeightMedium,
    overflow: 'hidden',
    textOverflow: 'ellipsis',
    whiteSpace: 'nowrap',
    minWidth: 0,
  }),
  counts: css({ display: 'flex', gap: theme.spacing(1.5), fontSize: theme.typography.bodySmall.fontSize, color: theme.colors.text.secondary, whiteSpace: 'nowrap' }),
  count: css({}),
  countDown: css({ color: theme.colors.error.text, fontWeight: theme.typography.fontWeightMedium }),
  countPartial: css({ color: theme.colors.text.primary, fontWeight: theme.typography.fontWeightMedium }),
  swatch: css({ display: 'inline-block', width: 10, height: 10, marginRight: 4, borderRadius: 2, verticalAlign: 'middle' }),
  // Each row is laid out and painted on its own: mounting a row while scrolling touches no other.
  tileRow: css({ position: 'absolute', left: 0, right: 0, contain: 'strict' }),
  tile: css({
    position: 'absolute',
    boxSizing: 'border-box',
    display: 'flex',
    flexDirection: 'column',
    justifyContent: 'center',
    gap: 2,
    padding: theme.spacing(0, 1),
    borderRadius: theme.shape.radius.default,
    cursor: 'pointer',
    // No overflow clip on the rounded tile (a rounded clip is costly to paint and composite); its lines clip themselves.
    fontSize: theme.typography.bodySmall.fontSize,
    lineHeight: 1.2,
    '&:hover': { boxShadow: `inset 0 0 0 1px ${theme.colors.text.primary}` },
    // Drawn inside the tile: the row's paint containment would clip a ring outside it.
    '&:focus-visible': { outline: `3px solid ${theme.colors.text.primary}`, outlineOffset: -3 },
  }),
  // No data is also told by a hatch, so it differs from a grey "up" colour a user might pick.
  tileNoData: css({
    backgroundImage: 'repeating-linear-gradient(135deg, rgba(255,255,255,0.10) 0 6px, transparent 6px 12px)',
  }),
  tileName: css({ fontWeight: theme.typography.fontWeightMedium, overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap' }),
  gateway: css({ fontWeight: 'normal', opacity: 0.85 }),
  tileValue: css({ overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap' }),
  badge: css({ marginLeft: 6, padding: '0 3px', fontSize: 10, border: '1px solid currentColor', borderRadius: theme.shape.radius.default }),
  empty: css({ padding: theme.spacing(2), color: theme.colors.text.secondary }),
});

export type GridStyles = ReturnType<typeof getGridStyles>;
