// The gateways (probing locations): which ones the control plane knows, what they run, where they listen, and whether
// they are online (an agent that has not been heard from for 60 s is offline).
import { useEffect, useMemo } from 'react';
import { PluginPage } from '@grafana/runtime';
import { Badge, Button, EmptyState, InteractiveTable, LoadingPlaceholder, Stack, type Column } from '@grafana/ui';
import { listGateways } from '../../api';
import type { GatewayInfo } from '../../api/types';
import { useLoad } from '../../hooks/useLoad';
import { GatewayErrorAlert } from '../../components/GatewayErrorAlert';
import { RelativeTime } from '../../components/RelativeTime/RelativeTime';

/** Gateways heartbeat every few seconds and count as offline after a minute of silence; this catches both soon enough. */
export const GATEWAYS_REFRESH_MS = 15_000;

export function GatewaysPage() {
  const gateways = useLoad(listGateways, []);
  const { reload } = gateways;
  useEffect(() => {
    const timer = setInterval(reload, GATEWAYS_REFRESH_MS);
    return () => clearInterval(timer);
  }, [reload]);

  const columns = useMemo<Array<Column<GatewayInfo>>>(
    () => [
      {
        id: 'online',
        header: 'State',
        cell: ({ row: { original } }) =>
          original.online ? <Badge color="green" icon="check-circle" text="Online" /> : <Badge color="red" icon="exclamation-circle" text="Offline" />,
        sortType: (a, b) => Number(a.original.online) - Number(b.original.online),
        disableGrow: true,
      },
      {
        id: 'id',
        header: 'Gateway',
        cell: ({ row: { original } }) => (
          <Stack gap={1} alignItems="center">
            <span>{original.id}</span>
            {original.self && <Badge color="blue" text="control plane" tooltip="The gateway that answers the plugin and stores the configuration" />}
          </Stack>
        ),
        sortType: (a, b) => a.original.id.localeCompare(b.original.id),
      },
      { id: 'version', header: 'Version', cell: ({ row: { original } }) => original.version, disableGrow: true },
      { id: 'address', header: 'Address', cell: ({ row: { original } }) => original.address ?? '–' },
      {
        id: 'lastSeenAt',
        header: 'Last seen',
        cell: ({ row: { original } }) => <RelativeTime at={original.lastSeenAt} />,
        sortType: (a, b) => a.original.lastSeenAt.localeCompare(b.original.lastSeenAt),
        disableGrow: true,
      },
      {
        id: 'registeredAt',
        header: 'Registered',
        cell: ({ row: { original } }) => <RelativeTime at={original.registeredAt} absolute />,
        disableGrow: true,
      },
    ],
    [],
  );

  const items = gateways.value?.items;
  const offline = items?.filter((gateway) => !gateway.online).length ?? 0;
  return (
    <PluginPage
      pageNav={{ text: 'Gateways' }}
      subTitle="The probing locations: every probe server runs its probes from one of these."
      actions={
        <Button variant="secondary" icon="sync" onClick={reload} disabled={gateways.loading}>
          Refresh
        </Button>
      }
    >
      {gateways.error && <GatewayErrorAlert error={gateways.error} onRetry={reload} />}
      {items === undefined ? (
        !gateways.error && <LoadingPlaceholder text="Loading gateways…" />
      ) : items.length === 0 ? (
        <EmptyState variant="not-found" message="No gateway has registered yet">
          A gateway registers when it starts. Start one with GATEWAY_ID set to its name; agents in other networks also
          need GATEWAY_CONTROL_PLANE_URL and the control plane token.
        </EmptyState>
      ) : (
        <Stack direction="column" gap={1}>
          <div aria-label="Gateways summary">
            {items.length} {items.length === 1 ? 'gateway' : 'gateways'}, {offline} offline
            {offline > 0 && '. An offline agent keeps probing its last configuration, but its results stop reaching this page until it reconnects.'}
          </div>
          <InteractiveTable columns={columns} data={items} getRowId={(gateway) => gateway.id} initialSortBy={[{ id: 'id', desc: false }]} />
        </Stack>
      )}
    </PluginPage>
  );
}
