// A server's probes with their latest state (and why, when it has none): status, connect time, last check, failure reason and where the check
// connected (actual host, actual IPv4), with run, edit and delete for the roles that may.
import { useMemo } from 'react';
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { InteractiveTable, Stack, useStyles2, type Column } from '@grafana/ui';
import type { GatewayError } from '../../api/errors';
import type { CheckResult, Probe, ProbeState } from '../../api/types';
import type { StatusFacts } from '../../components/ProbeState/explainState';
import { links } from '../../constants';
import { AppLinkButton, AppTextLink } from '../../components/AppLink/AppLink';
import { failureReason, formatInterval, formatMs } from '../../components/CheckResult/format';
import { DeleteProbeButton, RunProbeButton } from '../../components/ProbeActions/ProbeActions';
import { ProbeStateBadge } from '../../components/ProbeState/ProbeStateBadge';
import { RelativeTime } from '../../components/RelativeTime/RelativeTime';

export interface ProbeRow {
  probe: Probe;
  status: StatusFacts;
  lastResult: CheckResult | null;
  /** A server of several locations: how many see the probe up and down; null for one location. */
  locations: string | null;
}

/** Worst first when sorted by status. */
const STATE_RANK: Record<ProbeState, number> = { down: 0, nodata: 1, up: 2, disabled: 3 };

interface Props {
  rows: ProbeRow[];
  canEdit: boolean;
  canDelete: boolean;
  onRunResult: (probe: Pick<Probe, 'id' | 'name'>, result: CheckResult) => void;
  onDeleted: (probe: Pick<Probe, 'id' | 'name'>) => void;
  onError: (error: GatewayError) => void;
}

export function ProbesTable({ rows, canEdit, canDelete, onRunResult, onDeleted, onError }: Props) {
  const styles = useStyles2(getStyles);
  const columns = useMemo<Array<Column<ProbeRow>>>(() => {
    const cols: Array<Column<ProbeRow>> = [
      {
        id: 'state',
        header: 'Status',
        cell: ({ row: { original } }) => (
          <div className={styles.stack}>
            <ProbeStateBadge status={original.status} layout="stacked" />
            {original.locations && <span className={styles.muted}>{original.locations}</span>}
          </div>
        ),
        sortType: (a, b) => STATE_RANK[a.original.status.state] - STATE_RANK[b.original.status.state],
      },
      {
        id: 'name',
        header: 'Probe',
        cell: ({ row: { original } }) => (
          <div className={styles.stack}>
            <AppTextLink href={links.probe(original.probe.id)}>{original.probe.name}</AppTextLink>
            <span className={styles.muted}>
              {original.probe.host}:{original.probe.port} every {formatInterval(original.probe.intervalSeconds)}
            </span>
          </div>
        ),
        sortType: (a, b) => a.original.probe.name.localeCompare(b.original.probe.name),
      },
      {
        id: 'connect',
        header: 'Connect time',
        cell: ({ row: { original } }) => (original.lastResult?.available ? formatMs(original.lastResult.connectMs) : '–'),
        disableGrow: true,
      },
      {
        id: 'lastCheck',
        header: 'Last check',
        cell: ({ row: { original } }) =>
          original.lastResult ? (
            <RelativeTime at={original.lastResult.checkedAt} />
          ) : (
            <span className={styles.muted}>never</span>
          ),
        disableGrow: true,
      },
      {
        id: 'failure',
        header: 'Failure reason',
        cell: ({ row: { original } }) => <span className={styles.reason}>{failureReason(original.lastResult)}</span>,
      },
      {
        id: 'actualHost',
        header: 'Actual host',
        cell: ({ row: { original } }) => original.lastResult?.actualHost ?? original.probe.actualHost ?? '–',
      },
      {
        id: 'actualIpv4',
        header: 'Actual IPv4',
        cell: ({ row: { original } }) => original.lastResult?.actualIpv4 ?? original.probe.actualIpv4 ?? '–',
        disableGrow: true,
      },
    ];
    if (canEdit || canDelete) {
      cols.push({
        id: 'actions',
        cell: ({ row: { original } }) => (
          <Stack gap={0.5} justifyContent="flex-end">
            {canEdit && <RunProbeButton compact probe={original.probe} onResult={onRunResult} onError={onError} />}
            {canEdit && (
              <AppLinkButton
                href={links.editProbe(original.probe.id)}
                icon="pen"
                size="sm"
                variant="secondary"
                fill="text"
                tooltip="Edit the probe"
                aria-label={`Edit ${original.probe.name}`}
              />
            )}
            {canDelete && <DeleteProbeButton compact probe={original.probe} onDeleted={onDeleted} onError={onError} />}
          </Stack>
        ),
        disableGrow: true,
      });
    }
    return cols;
  }, [canEdit, canDelete, onRunResult, onDeleted, onError, styles]);

  return (
    <InteractiveTable
      columns={columns}
      data={rows}
      getRowId={(row) => String(row.probe.id)}
      initialSortBy={[{ id: 'name', desc: false }]}
    />
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  stack: css({ display: 'flex', flexDirection: 'column' }),
  muted: css({ color: theme.colors.text.secondary, fontSize: theme.typography.bodySmall.fontSize }),
  reason: css({ color: theme.colors.error.text, wordBreak: 'break-word' }),
});
