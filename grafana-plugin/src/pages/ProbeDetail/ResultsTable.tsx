// A probe's recent checks, newest first, with the failure reason of each failed one.
import { useMemo } from 'react';
import { Badge, InteractiveTable, type Column } from '@grafana/ui';
import type { CheckResult } from '../../api/types';
import { OUTCOME_LABELS, formatMs } from '../../components/CheckResult/format';
import { RelativeTime } from '../../components/RelativeTime/RelativeTime';

export function ResultsTable({ results }: { results: CheckResult[] }) {
  const columns = useMemo<Array<Column<CheckResult>>>(
    () => [
      {
        id: 'checkedAt',
        header: 'Checked',
        cell: ({ row: { original } }) => <RelativeTime at={original.checkedAt} absolute />,
        disableGrow: true,
      },
      {
        id: 'outcome',
        header: 'Outcome',
        cell: ({ row: { original } }) => (
          <Badge color={original.available ? 'green' : 'red'} text={OUTCOME_LABELS[original.outcome]} icon={original.available ? 'check' : 'times'} />
        ),
        disableGrow: true,
      },
      { id: 'connectMs', header: 'Connect', cell: ({ row: { original } }) => formatMs(original.connectMs), disableGrow: true },
      { id: 'dnsMs', header: 'DNS', cell: ({ row: { original } }) => formatMs(original.dnsMs), disableGrow: true },
      { id: 'actualHost', header: 'Actual host', cell: ({ row: { original } }) => original.actualHost ?? '–' },
      { id: 'actualIpv4', header: 'Actual IPv4', cell: ({ row: { original } }) => original.actualIpv4 ?? '–', disableGrow: true },
      { id: 'gateway', header: 'Gateway', cell: ({ row: { original } }) => original.gateway, disableGrow: true },
      { id: 'error', header: 'Failure reason', cell: ({ row: { original } }) => original.error ?? '' },
    ],
    [],
  );
  return <InteractiveTable columns={columns} data={results} getRowId={(result, index) => `${index}-${result.checkedAt}`} pageSize={20} />;
}
