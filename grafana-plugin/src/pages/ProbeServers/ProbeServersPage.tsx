// The app's home: every probe server with its probes' health, searchable and filterable; create, edit and delete
// for the roles that may.
import { useCallback, useMemo, useState } from 'react';
import { useNavigate } from 'react-router-dom';
import { PluginPage } from '@grafana/runtime';
import { Button, EmptyState, LoadingPlaceholder, Stack, Text } from '@grafana/ui';
import { syncRulesAfterChange } from '../../alerting/sync';
import { toGatewayError, type GatewayError } from '../../api/errors';
import { getStatus } from '../../api/probing';
import { deleteServer, listAllServers } from '../../api/servers';
import type { ProbeServer } from '../../api/types';
import { GatewayErrorAlert } from '../../components/GatewayErrorAlert';
import { links } from '../../constants';
import { useLoad } from '../../hooks/useLoad';
import { usePermissions } from '../../permissions';
import { DeleteServerModal } from './DeleteServerModal';
import { filterChoices, filterServers, hasFilters, NO_FILTERS, type ServerFilters } from './filters';
import { healthByServer, type HealthSummary } from './health';
import { ServerFiltersBar } from './ServerFiltersBar';
import { ServersTable } from './ServersTable';

interface ServerList {
  servers: ProbeServer[];
  /** Null when /status failed: the list still shows, health reads "Unknown". */
  health: Map<number, HealthSummary> | null;
}

async function loadServerList(): Promise<ServerList> {
  const status = getStatus().catch(() => null);
  const servers = await listAllServers();
  const statusResponse = await status;
  return { servers, health: statusResponse ? healthByServer(statusResponse.items) : null };
}

export function ProbeServersPage() {
  const permissions = usePermissions();
  const navigate = useNavigate();
  const list = useLoad(loadServerList, []);
  const [filters, setFilters] = useState<ServerFilters>(NO_FILTERS);
  const [deleting, setDeleting] = useState<ProbeServer | null>(null);
  const [deleteError, setDeleteError] = useState<GatewayError | null>(null);

  const servers = useMemo(() => list.value?.servers ?? [], [list.value]);
  const shown = useMemo(() => filterServers(servers, filters), [servers, filters]);
  const choices = useMemo(() => filterChoices(servers), [servers]);

  const onDelete = useCallback((server: ProbeServer) => {
    setDeleteError(null);
    setDeleting(server);
  }, []);

  const confirmDelete = async () => {
    const server = deleting;
    setDeleting(null);
    if (!server) return;
    try {
      await deleteServer(server.id);
      await syncRulesAfterChange(server.id);
    } catch (error) {
      setDeleteError(toGatewayError(error));
    }
    list.reload();
  };

  const createButton = permissions.canEdit && (
    <Button icon="plus" onClick={() => navigate(links.newServer())}>
      Create probe server
    </Button>
  );

  return (
    <PluginPage
      subTitle="Groups of TCP probes that run from one or more gateways (locations) and share a role, a site and connection settings."
      actions={servers.length > 0 ? createButton : undefined}
    >
      <Stack direction="column" gap={2}>
        {list.error && <GatewayErrorAlert error={list.error} title="Probe servers could not be loaded" onRetry={list.reload} />}
        {deleteError && <GatewayErrorAlert error={deleteError} title="The probe server was not deleted" />}
        {list.loading && !list.value && <LoadingPlaceholder text="Loading probe servers..." />}

        {list.value && servers.length === 0 && (
          <EmptyState variant="call-to-action" message="No probe servers yet" button={createButton || undefined}>
            {permissions.canEdit ? (
              'Create one: a probe server groups the host:port checks that run from its gateways, with their role and site.'
            ) : (
              <Text>An editor of this organization can create the first one.</Text>
            )}
          </EmptyState>
        )}

        {servers.length > 0 && (
          <>
            <ServerFiltersBar filters={filters} choices={choices} onChange={setFilters} />
            {shown.length === 0 ? (
              <EmptyState
                variant="not-found"
                message="No probe servers match these filters"
                button={
                  hasFilters(filters) && (
                    <Button variant="secondary" icon="times" onClick={() => setFilters(NO_FILTERS)}>
                      Clear filters
                    </Button>
                  )
                }
              />
            ) : (
              <ServersTable servers={shown} health={list.value?.health ?? null} permissions={permissions} onDelete={onDelete} />
            )}
          </>
        )}
      </Stack>

      {deleting && <DeleteServerModal server={deleting} onConfirm={confirmDelete} onDismiss={() => setDeleting(null)} />}
    </PluginPage>
  );
}
