// A probe's state as a coloured badge: up, down, no data (outside its window or not checked yet), disabled.
import { Badge, type BadgeColor, type IconName } from '@grafana/ui';
import type { ProbeState } from '../../api/types';
import { STATE_LABELS } from '../CheckResult/format';

const LOOK: Record<ProbeState, { color: BadgeColor; icon: IconName; tooltip: string }> = {
  up: { color: 'green', icon: 'check-circle', tooltip: 'The latest check connected within the timeout' },
  down: { color: 'red', icon: 'exclamation-circle', tooltip: 'The latest check failed' },
  nodata: { color: 'blue', icon: 'clock-nine', tooltip: 'Not checked yet, or outside its time window or schedule' },
  disabled: { color: 'darkgrey', icon: 'pause', tooltip: 'Disabled: the probe does not run' },
};

export function ProbeStateBadge({ state }: { state: ProbeState }) {
  const look = LOOK[state];
  return <Badge color={look.color} icon={look.icon} text={STATE_LABELS[state]} tooltip={look.tooltip} />;
}
