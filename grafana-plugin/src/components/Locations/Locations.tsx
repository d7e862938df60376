// A server's locations (gateways) in a table cell: each name as a tag (coloured by name, the same everywhere), in the
// server's order.
import { Stack, Tag } from '@grafana/ui';

export function Locations({ gateways }: { gateways: readonly string[] }) {
  return (
    <Stack gap={0.5} wrap="wrap">
      {gateways.map((gateway) => (
        <Tag key={gateway} name={gateway} />
      ))}
    </Stack>
  );
}
