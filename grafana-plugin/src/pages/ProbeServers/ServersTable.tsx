// The probe server table: who, where, from which gateways (locations), and how its probes are doing; edit and delete per row.
import { useMemo } from 'react';
import { Link, useNavigate } from 'react-router-dom';
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { Badge, IconButton, InteractiveTable, Stack, useStyles2, type Column } from '@grafana/ui';
import type { ProbeServer } from '../../api/types';
import { links } from '../../constants';
import type { GatewayPermissions } from '../../permissions';
import { HealthCell } from './HealthCell';
import { Locations } from '../../components/Locations/Locations';
import type { HealthSummary } from './health';

interface Props {
  servers: ProbeServer[];
  /** Null when /status could not be loaded. */
  health: Map<number, HealthSummary> | null;
  permissions: GatewayPermissions;
  onDelete: (server: ProbeServer) => void;
}

const orDash = (text: string | null) => text || '—';

export function ServersTable({ servers, health, permissions, onDelete }: Props) {
  const styles = useStyles2(getStyles);
  const navigate = useNavigate();

  const columns = useMemo<Array<Column<ProbeServer>>>(() => {
    const all: Array<Column<ProbeServer>> = [
      {
        id: 'name',
        header: 'Name',
        sortType: 'string',
        cell: ({ row: { original } }) => (
          <Stack gap={1} alignItems="center">
            <Link className={styles.link} to={links.server(original.id)}>
              {original.name}
            </Link>
            {!original.enabled && <Badge color="darkgrey" text="disabled" />}
          </Stack>
        ),
      },
      { id: 'description', header: 'Description', cell: ({ row: { original } }) => orDash(original.description) },
      { id: 'role', header: 'Role', sortType: 'string', cell: ({ row: { original } }) => orDash(original.role) },
      { id: 'site', header: 'Site', sortType: 'string', cell: ({ row: { original } }) => orDash(original.site) },
      { id: 'gateways', header: 'Locations', cell: ({ row: { original } }) => <Locations gateways={original.gateways} /> },
      { id: 'owner', header: 'Owner', sortType: 'string', cell: ({ row: { original } }) => orDash(original.owner) },
      {
        id: 'health',
        header: 'Probes',
        cell: ({ row: { original } }) => <HealthCell summary={health ? health.get(original.id) : undefined} probeCount={original.probeCount} />,
      },
    ];
    if (permissions.canEdit || permissions.canDelete) {
      all.push({
        id: 'actions',
        header: '',
        disableGrow: true,
        cell: ({ row: { original } }) => (
          <Stack gap={0.5}>
            {permissions.canEdit && (
              <IconButton name="pen" tooltip={`Edit ${original.name}`} onClick={() => navigate(links.editServer(original.id))} />
            )}
            {permissions.canDelete && (
              <IconButton name="trash-alt" variant="destructive" tooltip={`Delete ${original.name}`} onClick={() => onDelete(original)} />
            )}
          </Stack>
        ),
      });
    }
    return all;
  }, [health, permissions.canEdit, permissions.canDelete, navigate, onDelete, styles.link]);

  return <InteractiveTable columns={columns} data={servers} getRowId={(server) => String(server.id)} initialSortBy={INITIAL_SORT} />;
}

const INITIAL_SORT = [{ id: 'name' }];

const getStyles = (theme: GrafanaTheme2) => ({
  link: css({ color: theme.colors.text.link, fontWeight: theme.typography.fontWeightMedium }),
});
