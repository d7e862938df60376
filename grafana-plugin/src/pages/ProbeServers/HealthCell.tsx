// A server's probe health in a table cell: how many probes are down, up, without data, disabled.
import { Badge, Stack, Text } from '@grafana/ui';
import type { HealthSummary } from './health';

interface Props {
  /** Undefined when the status could not be loaded. */
  summary: HealthSummary | undefined;
  probeCount: number;
}

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
      {summary.nodata > 0 && <Badge color="orange" icon="question-circle" text={`${summary.nodata} no data`} />}
      {summary.disabled > 0 && <Badge color="darkgrey" icon="pause" text={`${summary.disabled} disabled`} />}
    </Stack>
  );
}
