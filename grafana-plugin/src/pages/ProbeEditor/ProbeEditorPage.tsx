// Create a probe on a server (servers/:serverId/probes/new) or edit one (probes/:probeId/edit).
import { useNavigate, useParams } from 'react-router-dom';
import { config, PluginPage } from '@grafana/runtime';
import { Alert, EmptyState, LoadingPlaceholder } from '@grafana/ui';
import { getProbe, getServer, getStatus, listSchedules } from '../../api';
import type { CheckResult, Probe, ProbeServer, Schedule } from '../../api/types';
import { links } from '../../constants';
import { parseId } from '../../hooks/useIdParam';
import { useLoad } from '../../hooks/useLoad';
import { usePermissions } from '../../permissions';
import { GatewayErrorAlert } from '../../components/GatewayErrorAlert';
import { ProbeForm } from './ProbeForm';
import { locationsInWords } from '../../components/Locations/words';

interface Loaded {
  server: ProbeServer;
  probe?: Probe;
  /** The probe's latest check from /status: the stored probe catches up with it only every few seconds. */
  lastResult: CheckResult | null;
  schedules: Schedule[];
}

/** The gateway's largest page. */
const MAX_SCHEDULES = 1000;

export function ProbeEditorPage() {
  const params = useParams();
  const probeId = parseId(params.probeId);
  const serverIdParam = parseId(params.serverId);
  const navigate = useNavigate();
  const { canEdit } = usePermissions();

  const loaded = useLoad<Loaded>(async () => {
    const [probe, schedules] = await Promise.all([
      probeId === undefined ? Promise.resolve(undefined) : getProbe(probeId),
      listSchedules({ limit: MAX_SCHEDULES }),
    ]);
    const serverId = probe?.serverId ?? serverIdParam!;
    const [server, status] = await Promise.all([getServer(serverId), probe ? getStatus({ serverId }) : undefined]);
    const latest = status?.items.find((item) => item.probeId === probe?.id)?.lastResult;
    return { server, probe, lastResult: latest ?? probe?.lastResult ?? null, schedules: schedules.items };
  }, [probeId, serverIdParam]);

  const editing = probeId !== undefined;
  const { server, probe } = loaded.value ?? {};
  const pageNav = {
    text: editing ? `Edit ${probe?.name ?? 'probe'}` : 'New probe',
    parentItem: server
      ? { text: server.name, url: links.server(server.id), parentItem: { text: 'Probe servers', url: links.servers() } }
      : { text: 'Probe servers', url: links.servers() },
  };

  const subTitle = server ? `${editing ? 'A probe' : 'A new probe'} of server ${server.name}, run from ${locationsInWords(server.gateways)}` : undefined;

  if (probeId === undefined && serverIdParam === undefined) {
    return (
      <PluginPage pageNav={pageNav}>
        <Alert severity="error" title="Not a probe">
          The address names no probe and no server.
        </Alert>
      </PluginPage>
    );
  }
  if (!canEdit) {
    return (
      <PluginPage pageNav={pageNav}>
        <Alert severity="info" title="Read-only for your role">
          Viewers see probes but cannot create or change them. Ask a Grafana editor or admin of this organization.
        </Alert>
      </PluginPage>
    );
  }

  let content;
  if (loaded.error && loaded.value === undefined) {
    content =
      loaded.error.kind === 'notFound' ? (
        <EmptyState variant="not-found" message={editing ? `Probe ${probeId} does not exist` : `Probe server ${serverIdParam} does not exist`}>
          It may have been deleted in the meantime. Go back to the list of probe servers.
        </EmptyState>
      ) : (
        <GatewayErrorAlert error={loaded.error} onRetry={loaded.reload} />
      );
  } else if (loaded.value === undefined || (loaded.loading && editing)) {
    // While a reload after a 409 runs, the form waits for the new version rather than showing the stale one.
    content = <LoadingPlaceholder text={editing ? 'Loading the probe…' : 'Loading the server…'} />;
  } else {
    const { server: loadedServer, probe: loadedProbe, lastResult, schedules } = loaded.value;
    content = (
      <ProbeForm
        // A new version (after a reload) starts a fresh form.
        key={loadedProbe ? `${loadedProbe.id}@${loadedProbe.version}` : 'new'}
        server={loadedServer}
        probe={loadedProbe}
        lastResult={lastResult}
        schedules={schedules}
        currentUser={config.bootData.user.login}
        onSaved={(saved) => navigate(editing ? links.probe(saved.id) : links.server(saved.serverId))}
        onReload={loaded.reload}
        cancelHref={loadedProbe ? links.probe(loadedProbe.id) : links.server(loadedServer.id)}
      />
    );
  }
  return (
    <PluginPage pageNav={pageNav} subTitle={subTitle}>
      {content}
    </PluginPage>
  );
}
