// A probe's state as a coloured badge (up, down, no data, not checked yet, disabled) and, for the states without a
// result, why: "outside its window, opens at 08:00 (in 3 h)", counting down while the page is open. A slot the gateway
// skipped or started late turns it orange with the slot and why, so an old result does not pass for a current one.
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { Badge, useStyles2, type BadgeColor, type IconName } from '@grafana/ui';
import type { ProbeState } from '../../api/types';
import { useNow } from '../RelativeTime/useNow';
import { explainState, shownMissedSlot, stateSentence, type StatusFacts } from './explainState';

const LOOK: Record<ProbeState, { color: BadgeColor; icon: IconName }> = {
  up: { color: 'green', icon: 'check-circle' },
  down: { color: 'red', icon: 'exclamation-circle' },
  nodata: { color: 'blue', icon: 'clock-nine' },
  disabled: { color: 'darkgrey', icon: 'pause' },
};
const MISSED_SLOT_LOOK: { color: BadgeColor; icon: IconName } = { color: 'orange', icon: 'history' };

const TOOLTIPS: Partial<Record<ProbeState, string>> = {
  up: 'The latest check connected within the timeout',
  down: 'The latest check failed',
};

interface Props {
  status: StatusFacts;
  /** Show the explanation beside the badge (a page) or under it (a table cell); always in the badge's tooltip. */
  layout?: 'inline' | 'stacked';
}

export function ProbeStateBadge({ status, layout = 'inline' }: Props) {
  const styles = useStyles2(getStyles);
  // Only the moments to come change with time; up, down and disabled read the same at any second.
  const now = useNow(status.reason === 'outside_window' || status.reason === 'not_checked_yet');
  const explanation = explainState(status, now);
  const missed = shownMissedSlot(status) !== null;
  const look = missed ? MISSED_SLOT_LOOK : LOOK[status.state];
  const tooltip = (!missed && TOOLTIPS[status.state]) || stateSentence(explanation);
  return (
    <span className={layout === 'inline' ? styles.inline : styles.stacked}>
      <Badge color={look.color} icon={look.icon} text={explanation.headline} tooltip={tooltip} />
      {explanation.detail && <span className={styles.detail}>{explanation.detail}</span>}
    </span>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  inline: css({ display: 'inline-flex', alignItems: 'center', flexWrap: 'wrap', gap: theme.spacing(1) }),
  stacked: css({ display: 'flex', flexDirection: 'column', alignItems: 'flex-start', gap: theme.spacing(0.5) }),
  detail: css({ color: theme.colors.text.secondary, fontSize: theme.typography.bodySmall.fontSize }),
});
