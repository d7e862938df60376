// A server's probe health in a table cell: how many probes are down, up, without data (by why) and disabled.
import { Badge, Stack, Text } from '@grafana/ui';
import { REASON_LABELS } from '../../components/ProbeState/explainState';
import type { HealthSummary } from './health';

interface Props {
  /** Undefined when the status could not be loaded. */
  summary: HealthSummary | undefined;
  probeCount: number;
}

/** The no-data reasons in the order a user acts on them: an offline gateway first, a window that opens later last. */
const NO_DATA_ORDER = ['gateway_offline', 'not_checked_yet', 'outside_window', 'unexplained'] as const;

const NO_DATA_TOOLTIPS: Record<(typeof NO_DATA_ORDER)[number], string> = {
  gateway_offline: 'No data: the gateway these probes run on has not been seen for over a minute',
  not_checked_yet: 'Not checked yet: the first check is due shortly',
  outside_window: 'No data: outside their time window or schedule; they run again when it opens',
  unexplained: 'No data: outside their window or not checked yet',
};

export function HealthCell({ summary, probeCount }: Props) {
  if (probeCount === 0) {
    return (
      <Text color="secondary" italic>
        No probes
      </Text>
    );
  }
  if (!summary) {
    return <Text color="secondary">Unknown</Text>;
  }
  return (
    <Stack gap={0.5} wrap="wrap">
      {summary.down > 0 && <Badge color="red" icon="exclamation-triangle" text={`${summary.down} down`} />}
      {summary.up > 0 && <Badge color="green" icon="check" text={`${summary.up} up`} />}
      {NO_DATA_ORDER.map((reason) => {
        const count = summary.noData[reason];
        if (!count) return null;
        const label = reason === 'unexplained' ? 'no data' : REASON_LABELS[reason];
        return <Badge key={reason} color="orange" icon="question-circle" text={`${count} ${label}`} tooltip={NO_DATA_TOOLTIPS[reason]} />;
      })}
      {summary.disabled > 0 && <Badge color="darkgrey" icon="pause" text={`${summary.disabled} disabled`} />}
    </Stack>
  );
}
