// One probe: its settings and state (why it has no data, when it is checked next), its state at each location, charts
// of availability and connect time per location from Prometheus, and its recent checks from the gateway; editors run,
// edit and delete it from here.
import { useCallback, useEffect, useState } from 'react';
import { useNavigate } from 'react-router-dom';
import { PluginPage } from '@grafana/runtime';
import { Alert, Button, EmptyState, LoadingPlaceholder, Stack, Text } from '@grafana/ui';
import { getProbe, getProbeResults, getSchedule, getServer, getStatus } from '../../api';
import type { GatewayError } from '../../api/errors';
import type { CheckResult, Probe, ProbeServer, ProbeStatus, Schedule } from '../../api/types';
import { links } from '../../constants';
import { useIdParam } from '../../hooks/useIdParam';
import { useLoad } from '../../hooks/useLoad';
import { usePermissions } from '../../permissions';
import { AppLinkButton } from '../../components/AppLink/AppLink';
import { CheckResultDetails } from '../../components/CheckResult/CheckResultDetails';
import { formatInterval } from '../../components/CheckResult/format';
import { GatewayErrorAlert } from '../../components/GatewayErrorAlert';
import { DeleteProbeButton, RunProbeButton } from '../../components/ProbeActions/ProbeActions';
import { explainState, noSampleText, stateSentence, statusFacts, type StatusFacts } from '../../components/ProbeState/explainState';
import { ThresholdsAndAlerts } from '../../components/ThresholdsAndAlerts/ThresholdsAndAlerts';
import { locationsSummary } from '../../components/Locations/words';
import { LocationsTable } from './LocationsTable';
import { ProbeCharts } from './ProbeCharts';
import { ProbeSummary } from './ProbeSummary';
import { ResultsTable } from './ResultsTable';

/** How many recent checks the page lists. */
export const RESULTS_SHOWN = 100;

/** A check due this soon is waited for: the page reloads just after it, so "due in 4 s" turns into its result. */
const FOLLOW_NEXT_CHECK_MS = 60_000;
/** How long after the due time the reload comes: the check's own time and the engine's hand-over to /status. */
const AFTER_CHECK_MS = 1500;
/** At most one such reload this often, also when a late gateway keeps reporting a due time gone by. */
const MIN_FOLLOW_MS = 5000;

interface Loaded {
  probe: Probe;
  server: ProbeServer;
  status: StatusFacts;
  /** From /status: the engine's latest, which the stored probe catches up with only every few seconds. */
  lastResult: CheckResult | null;
  /** The probe as /status lists it, with its locations; undefined when /status does not list it (yet). */
  listed?: ProbeStatus;
  schedule?: Schedule;
}

async function loadProbe(probeId: number): Promise<Loaded> {
  const probe = await getProbe(probeId);
  const [server, status, schedule] = await Promise.all([
    getServer(probe.serverId),
    getStatus({ probeId }),
    probe.scheduleId === null ? Promise.resolve(undefined) : getSchedule(probe.scheduleId).catch(() => undefined),
  ]);
  const latest = status.items.find((item) => item.probeId === probeId);
  return {
    probe,
    server,
    status: statusFacts(probe, latest),
    lastResult: latest?.lastResult ?? probe.lastResult,
    listed: latest,
    schedule,
  };
}

export function ProbeDetailPage() {
  const probeId = useIdParam('probeId');
  if (probeId === undefined) {
    return (
      <PluginPage pageNav={{ text: 'Probe' }}>
        <Alert severity="error" title="Not a probe">
          The address names no probe. Choose one on its probe server&apos;s page.
        </Alert>
      </PluginPage>
    );
  }
  return <ProbeDetail probeId={probeId} />;
}

function ProbeDetail({ probeId }: { probeId: number }) {
  const { canEdit, canDelete } = usePermissions();
  const navigate = useNavigate();
  const loaded = useLoad(() => loadProbe(probeId), [probeId]);
  const results = useLoad(() => getProbeResults(probeId, { limit: RESULTS_SHOWN }), [probeId]);
  const [ran, setRan] = useState<CheckResult>();
  const [actionError, setActionError] = useState<GatewayError>();

  const { reload: reloadProbe } = loaded;
  const { reload: reloadResults } = results;
  const refresh = useCallback(() => {
    reloadProbe();
    reloadResults();
  }, [reloadProbe, reloadResults]);
  const onRunResult = useCallback(
    (_probe: unknown, result: CheckResult) => {
      setActionError(undefined);
      setRan(result);
      refresh();
    },
    [refresh],
  );

  const value = loaded.value;
  const nextCheckAt = value?.status.nextCheckAt ?? null;
  useEffect(() => {
    if (nextCheckAt === null) return;
    const waitMs = Date.parse(nextCheckAt) - Date.now() + AFTER_CHECK_MS;
    if (waitMs > FOLLOW_NEXT_CHECK_MS + AFTER_CHECK_MS) return;
    const timer = setTimeout(refresh, Math.max(waitMs, MIN_FOLLOW_MS));
    return () => clearTimeout(timer);
  }, [nextCheckAt, refresh]);

  const pageNav = {
    text: value?.probe.name ?? `Probe ${probeId}`,
    parentItem: value
      ? { text: value.server.name, url: links.server(value.server.id), parentItem: { text: 'Probe servers', url: links.servers() } }
      : { text: 'Probe servers', url: links.servers() },
  };

  if (loaded.error && !value) {
    return (
      <PluginPage pageNav={pageNav}>
        {loaded.error.kind === 'notFound' ? (
          <EmptyState variant="not-found" message={`Probe ${probeId} does not exist`}>
            It may have been deleted. Its server&apos;s page lists the probes that remain.
          </EmptyState>
        ) : (
          <GatewayErrorAlert error={loaded.error} onRetry={loaded.reload} />
        )}
      </PluginPage>
    );
  }
  if (!value) {
    return (
      <PluginPage pageNav={pageNav}>
        <LoadingPlaceholder text="Loading the probe…" />
      </PluginPage>
    );
  }

  const { probe } = value;
  const why = stateSentence(explainState(value.status, Date.now()));
  const actions = (
    <Stack gap={1}>
      <Button variant="secondary" icon="sync" onClick={refresh}>
        Refresh
      </Button>
      {canEdit && <RunProbeButton probe={probe} onResult={onRunResult} onError={setActionError} />}
      {canEdit && (
        <AppLinkButton href={links.editProbe(probe.id)} icon="pen" variant="secondary">
          Edit
        </AppLinkButton>
      )}
      {canDelete && <DeleteProbeButton probe={probe} onDeleted={() => navigate(links.server(probe.serverId))} onError={setActionError} />}
    </Stack>
  );

  return (
    <PluginPage pageNav={pageNav} subTitle={`${probe.host}:${probe.port}, every ${formatInterval(probe.intervalSeconds)}`} actions={actions}>
      <Stack direction="column" gap={2}>
        {actionError && <GatewayErrorAlert error={actionError} />}
        {loaded.error && <GatewayErrorAlert error={loaded.error} onRetry={loaded.reload} />}
        {ran && <CheckResultDetails title={`Run of ${probe.name}`} result={ran} onClose={() => setRan(undefined)} />}
        <ProbeSummary
          probe={probe}
          server={value.server}
          status={value.status}
          lastResult={value.lastResult}
          schedule={value.schedule}
          locations={value.listed ? locationsSummary(value.listed) : null}
        />
        {value.listed && value.server.gateways.length > 1 && (
          <section aria-label="Locations">
            <Stack direction="column" gap={1}>
              <Text element="h3" variant="h4">
                Locations
              </Text>
              <LocationsTable status={value.listed} />
            </Stack>
          </section>
        )}
        <ProbeCharts probeId={probe.id} noDataText={noSampleText(value.status)} gatewayCount={value.server.gateways.length} />
        <ThresholdsAndAlerts probeId={probe.id} />
        <section aria-label="Recent results">
          <Stack direction="column" gap={1}>
            <Text element="h3" variant="h4">
              Recent results
            </Text>
            {results.error && <GatewayErrorAlert error={results.error} onRetry={results.reload} />}
            {results.value === undefined ? (
              !results.error && <LoadingPlaceholder text="Loading results…" />
            ) : results.value.items.length === 0 ? (
              <EmptyState variant="call-to-action" message="No results yet" hideImage>
                {value.status.state === 'disabled'
                  ? `${why}; enable ${value.status.reason === 'server_disabled' ? 'the server' : 'it'} on its edit page.`
                  : `${why}. The gateway checks this probe every ${formatInterval(probe.intervalSeconds)} inside its window${canEdit ? '; use Run now to check at once' : ''}. Results since the gateway started are kept here.`}
              </EmptyState>
            ) : (
              <ResultsTable results={results.value.items} />
            )}
          </Stack>
        </section>
      </Stack>
    </PluginPage>
  );
}
