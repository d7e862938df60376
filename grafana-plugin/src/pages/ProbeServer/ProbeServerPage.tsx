// A probe server's page: its fields, its probes with their latest state and why a probe has none (refreshed every few
// seconds), the thresholds the server sets for all its probes, and for editors the ways to add, run, edit and delete probes.
import { useCallback, useEffect, useMemo, useState } from 'react';
import { PluginPage } from '@grafana/runtime';
import { Alert, Button, EmptyState, LoadingPlaceholder, Stack } from '@grafana/ui';
import { getServer, getStatus, listProbes } from '../../api';
import type { GatewayError } from '../../api/errors';
import type { CheckResult, Probe } from '../../api/types';
import { links } from '../../constants';
import { useIdParam } from '../../hooks/useIdParam';
import { useLoad } from '../../hooks/useLoad';
import { usePermissions } from '../../permissions';
import { AppLinkButton } from '../../components/AppLink/AppLink';
import { CheckResultDetails } from '../../components/CheckResult/CheckResultDetails';
import { STATE_LABELS } from '../../components/CheckResult/format';
import { GatewayErrorAlert } from '../../components/GatewayErrorAlert';
import { statusFacts } from '../../components/ProbeState/explainState';
import { ThresholdsAndAlerts } from '../../components/ThresholdsAndAlerts/ThresholdsAndAlerts';
import { ProbesTable, type ProbeRow } from './ProbesTable';
import { locationsSummary } from '../../components/Locations/words';
import { ServerHeader } from './ServerHeader';

/** How often the probes' states are fetched again while the page is open. */
export const STATUS_REFRESH_MS = 10_000;

/** The gateway's largest page: a server's probes are shown on one page. */
const MAX_PROBES = 1000;

export function ProbeServerPage() {
  const serverId = useIdParam('serverId');
  if (serverId === undefined) {
    return (
      <PluginPage pageNav={{ text: 'Probe server' }}>
        <Alert severity="error" title="Not a probe server">
          The address names no probe server. Go back to the list of probe servers.
        </Alert>
      </PluginPage>
    );
  }
  return <ServerProbes serverId={serverId} />;
}

function ServerProbes({ serverId }: { serverId: number }) {
  const { canEdit, canDelete } = usePermissions();
  const server = useLoad(() => getServer(serverId), [serverId]);
  const probes = useLoad(() => listProbes(serverId, { limit: MAX_PROBES }), [serverId]);
  const status = useLoad(() => getStatus({ serverId }), [serverId]);
  const [ran, setRan] = useState<{ name: string; result: CheckResult }>();
  const [actionError, setActionError] = useState<GatewayError>();
  const [notice, setNotice] = useState<string>();

  const reloadStatus = status.reload;
  useEffect(() => {
    const timer = setInterval(reloadStatus, STATUS_REFRESH_MS);
    return () => clearInterval(timer);
  }, [reloadStatus]);

  const reloadProbes = probes.reload;
  const reloadAll = useCallback(() => {
    reloadProbes();
    reloadStatus();
  }, [reloadProbes, reloadStatus]);

  const onRunResult = useCallback(
    (probe: Pick<Probe, 'name'>, result: CheckResult) => {
      setActionError(undefined);
      setNotice(undefined);
      setRan({ name: probe.name, result });
      reloadAll();
    },
    [reloadAll],
  );
  const onDeleted = useCallback(
    (probe: Pick<Probe, 'name'>) => {
      setActionError(undefined);
      setRan(undefined);
      setNotice(`Probe ${probe.name} deleted.`);
      reloadAll();
    },
    [reloadAll],
  );
  const onError = useCallback((error: GatewayError) => {
    setNotice(undefined);
    setActionError(error);
  }, []);

  const rows = useMemo<ProbeRow[]>(() => {
    const byId = new Map((status.value?.items ?? []).map((item) => [item.probeId, item]));
    return (probes.value?.items ?? []).map((probe) => {
      const latest = byId.get(probe.id);
      return {
        probe,
        status: statusFacts(probe, latest),
        lastResult: latest?.lastResult ?? probe.lastResult,
        locations: latest ? locationsSummary(latest) : null,
      };
    });
  }, [probes.value, status.value]);

  const title = server.value?.name ?? `Probe server ${serverId}`;
  const pageNav = {
    text: title,
    parentItem: { text: 'Probe servers', url: links.servers() },
  };
  const actions = (
    <Stack gap={1}>
      <Button variant="secondary" icon="sync" onClick={reloadAll} disabled={probes.loading}>
        Refresh
      </Button>
      {canEdit && server.value && (
        <>
          <AppLinkButton href={links.editServer(serverId)} icon="pen" variant="secondary">
            Edit server
          </AppLinkButton>
          <AppLinkButton href={links.newProbe(serverId)} icon="plus">
            Add probe
          </AppLinkButton>
        </>
      )}
    </Stack>
  );

  if (server.error && !server.value) {
    return (
      <PluginPage pageNav={pageNav}>
        {server.error.kind === 'notFound' ? (
          <EmptyState variant="not-found" message={`Probe server ${serverId} does not exist`}>
            It may have been deleted. Choose a server from the list of probe servers.
          </EmptyState>
        ) : (
          <GatewayErrorAlert error={server.error} onRetry={server.reload} />
        )}
      </PluginPage>
    );
  }

  return (
    <PluginPage pageNav={pageNav} subTitle={server.value?.description ?? undefined} actions={actions}>
      {server.value ? <ServerHeader server={server.value} /> : <LoadingPlaceholder text="Loading the probe server…" />}

      {actionError && <GatewayErrorAlert error={actionError} onRetry={actionError.isStaleVersion ? reloadAll : undefined} />}
      {probes.error && <GatewayErrorAlert error={probes.error} onRetry={probes.reload} />}
      {status.error && !probes.error && <GatewayErrorAlert error={status.error} title="Probe states unavailable" onRetry={status.reload} />}
      {notice && (
        <Alert severity="success" title={notice} onRemove={() => setNotice(undefined)} />
      )}
      {ran && <CheckResultDetails title={`Run of ${ran.name}`} result={ran.result} onClose={() => setRan(undefined)} />}

      {probes.value === undefined ? (
        !probes.error && <LoadingPlaceholder text="Loading probes…" />
      ) : rows.length === 0 ? (
        <EmptyState
          variant={canEdit ? 'call-to-action' : 'not-found'}
          message="This server has no probes yet"
          button={
            canEdit ? (
              <AppLinkButton href={links.newProbe(serverId)} icon="plus" size="lg">
                Add probe
              </AppLinkButton>
            ) : undefined
          }
        >
          {canEdit
            ? 'A probe checks one host:port from each of this server’s gateways, every 5 minutes unless you choose otherwise. Test the connection before you save it.'
            : 'Probes are added by editors. Ask a Grafana editor or admin of this organization to add the host:port checks this server should run.'}
        </EmptyState>
      ) : (
        <Stack direction="column" gap={1}>
          {status.value && (
            <div aria-label="Probe states summary">
              {(['up', 'down', 'nodata', 'disabled'] as const)
                .map((state) => `${STATE_LABELS[state]}: ${status.value!.summary[state]}`)
                .join(' · ')}
            </div>
          )}
          <ProbesTable rows={rows} canEdit={canEdit} canDelete={canDelete} onRunResult={onRunResult} onDeleted={onDeleted} onError={onError} />
        </Stack>
      )}

      {server.value && <ThresholdsAndAlerts serverId={serverId} onSaved={server.reload} />}
    </PluginPage>
  );
}
