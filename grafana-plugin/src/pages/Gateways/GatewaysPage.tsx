// The gateways (probing locations): which ones the control plane knows, what they run, where they listen, whether
// they are online (an agent that has not been heard from for 60 s is offline) or were only named by a server, how
// many servers run from each, and the team its path alerts go to, which an admin sets here.
import { useEffect, useMemo, useState } from 'react';
import { PluginPage, config } from '@grafana/runtime';
import { Badge, Button, EmptyState, IconButton, InteractiveTable, LoadingPlaceholder, Stack, type BadgeColor, type BadgeProps, type Column } from '@grafana/ui';
import { listGateways } from '../../api';
import type { GatewayInfo } from '../../api/types';
import { useLoad } from '../../hooks/useLoad';
import { GatewayErrorAlert } from '../../components/GatewayErrorAlert';
import { RelativeTime } from '../../components/RelativeTime/RelativeTime';
import { GatewayTeamModal } from './GatewayTeamModal';

/** Gateways heartbeat every few seconds and count as offline after a minute of silence; this catches both soon enough. */
export const GATEWAYS_REFRESH_MS = 15_000;

const STATE_BADGES: Record<GatewayInfo['state'], { color: BadgeColor; icon: BadgeProps['icon']; text: string }> = {
  online: { color: 'green', icon: 'check-circle', text: 'Online' },
  offline: { color: 'red', icon: 'exclamation-circle', text: 'Offline' },
  never_seen: { color: 'darkgrey', icon: 'question-circle', text: 'Never seen' },
};
const STATE_ORDER: Record<GatewayInfo['state'], number> = { offline: 0, never_seen: 1, online: 2 };

/** Orders optional ISO times; never (null) sorts before any time. */
const byTime = (a: string | null, b: string | null) => (a ?? '').localeCompare(b ?? '');

export function GatewaysPage() {
  const gateways = useLoad(listGateways, []);
  // Whoever may PATCH through Grafana's proxy could; a location's alert routing is an admin's call.
  const canSetTeam = config.bootData.user.orgRole === 'Admin';
  const [editingTeam, setEditingTeam] = useState<GatewayInfo | null>(null);
  const { reload } = gateways;
  useEffect(() => {
    const timer = setInterval(reload, GATEWAYS_REFRESH_MS);
    return () => clearInterval(timer);
  }, [reload]);

  const columns = useMemo<Array<Column<GatewayInfo>>>(
    () => [
      {
        id: 'state',
        header: 'State',
        cell: ({ row: { original } }) => <Badge {...STATE_BADGES[original.state]} />,
        sortType: (a, b) => STATE_ORDER[a.original.state] - STATE_ORDER[b.original.state],
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
      {
        id: 'team',
        header: 'Team',
        cell: ({ row: { original } }) => (
          <Stack gap={1} alignItems="center">
            <span>{original.team ?? 'the threshold’s team'}</span>
            {canSetTeam && <IconButton name="pen" size="sm" tooltip={`Set the team of ${original.id}`} onClick={() => setEditingTeam(original)} />}
          </Stack>
        ),
        sortType: (a, b) => (a.original.team ?? '').localeCompare(b.original.team ?? ''),
      },
      { id: 'serverCount', header: 'Servers', cell: ({ row: { original } }) => original.serverCount, sortType: (a, b) => a.original.serverCount - b.original.serverCount, disableGrow: true },
      { id: 'version', header: 'Version', cell: ({ row: { original } }) => original.version ?? '–', disableGrow: true },
      { id: 'address', header: 'Address', cell: ({ row: { original } }) => original.address ?? '–' },
      {
        id: 'lastSeenAt',
        header: 'Last seen',
        cell: ({ row: { original } }) => (original.lastSeenAt === null ? 'never' : <RelativeTime at={original.lastSeenAt} />),
        sortType: (a, b) => byTime(a.original.lastSeenAt, b.original.lastSeenAt),
        disableGrow: true,
      },
      {
        id: 'registeredAt',
        header: 'Registered',
        cell: ({ row: { original } }) => (original.registeredAt === null ? '–' : <RelativeTime at={original.registeredAt} absolute />),
        disableGrow: true,
      },
    ],
    [canSetTeam],
  );

  const items = gateways.value?.items;
  const offline = items?.filter((gateway) => gateway.state === 'offline').length ?? 0;
  const neverSeen = items?.filter((gateway) => gateway.state === 'never_seen').length ?? 0;
  return (
    <PluginPage
      pageNav={{ text: 'Gateways' }}
      subTitle="The probing locations: every probe server runs its probes from one or more of these."
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
            {neverSeen > 0 && `, ${neverSeen} never seen`}
            {offline > 0 && '. An offline agent keeps probing its last configuration, but its results stop reaching this page until it reconnects.'}
            {neverSeen > 0 && '. A never seen gateway is named by servers but has not announced itself: start it with GATEWAY_ID set to that name.'}
          </div>
          <InteractiveTable columns={columns} data={items} getRowId={(gateway) => gateway.id} initialSortBy={[{ id: 'id', desc: false }]} />
        </Stack>
      )}
      {editingTeam && (
        <GatewayTeamModal
          gateway={editingTeam}
          onDismiss={() => setEditingTeam(null)}
          onSaved={() => {
            setEditingTeam(null);
            reload();
          }}
        />
      )}
    </PluginPage>
  );
}
