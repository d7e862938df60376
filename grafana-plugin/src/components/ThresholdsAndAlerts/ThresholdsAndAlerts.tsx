// "Thresholds & alerts" of a probe server or of one probe: which thresholds apply and where each comes from (the
// built-in default, the server, the probe's own override), the alert rules they become in Grafana with their current
// state, and for editors the thresholds editor, whose save is applied to Grafana at once.
import { useCallback, useEffect, useMemo, useState } from 'react';
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { Alert, Button, LinkButton, LoadingPlaceholder, Stack, Text, useStyles2 } from '@grafana/ui';
import { getRuleStates, listContactPointNames, toAlertingError, type AlertingError, type RuleState } from '../../alerting/grafanaApi';
import { loadGatewayTeams, loadServerConfig } from '../../alerting/gatewayConfig';
import type { RuleGateway as AlertingGateway } from '../../alerting/rules';
import { follows, probeThresholds, serverThresholds, thresholdKey, type SourcedThreshold } from '../../alerting/mapping';
import { probeRuleUids, serverRuleGroup, summarizeRule } from '../../alerting/rules';
import { alertingTarget, NO_PROMETHEUS_MESSAGE, type AlertingTarget } from '../../alerting/settings';
import { grafanaEnvironment, syncFailureText, syncServerRules, type SyncOutcome } from '../../alerting/sync';
import { GatewayError } from '../../api/errors';
import { getProbe, updateProbe } from '../../api/probes';
import { updateServer } from '../../api/servers';
import type { Probe, ProbeServer, Threshold } from '../../api/types';
import { useAppSettings } from '../../appSettings';
import { links } from '../../constants';
import { useLoad } from '../../hooks/useLoad';
import { usePermissions } from '../../permissions';
import { AppLinkButton } from '../AppLink/AppLink';
import { GatewayErrorAlert } from '../GatewayErrorAlert';
import { RulesTable, ThresholdsTable, type ThresholdRowView } from './tables';
import { ThresholdsEditor } from './ThresholdsEditor';

export type ThresholdsAndAlertsProps =
  | { serverId: number; probeId?: undefined; onSaved?: (server: ProbeServer) => void }
  | { probeId: number; serverId?: undefined; onSaved?: (probe: Probe) => void };

interface Loaded {
  server: ProbeServer;
  probes: Probe[];
  /** The probe the section is about; undefined on the server's section. */
  probe?: Probe;
  /** Gateways' teams: a multi-location server's path rules go to them. */
  gateways: AlertingGateway[];
}

async function load(serverId: number | undefined, probeId: number | undefined): Promise<Loaded> {
  const id = probeId === undefined ? serverId! : (await getProbe(probeId)).serverId;
  const [found, gateways] = await Promise.all([loadServerConfig(id), loadGatewayTeams()]);
  if (!found) throw new GatewayError('notFound', `Probe server ${id} does not exist.`, 404);
  const config = { ...found, gateways };
  if (probeId === undefined) return config;
  const probe = config.probes.find((candidate) => candidate.id === probeId);
  if (!probe) throw new GatewayError('notFound', `Probe ${probeId} does not exist.`, 404);
  return { ...config, probe };
}

/** Shows the rules without writing them when no data source is configured. */
const PREVIEW_TARGET: AlertingTarget = { folderUid: '', folderTitle: '', datasourceUid: '', grafanaUrl: '', orgId: 1 };

export function ThresholdsAndAlerts(props: ThresholdsAndAlertsProps) {
  const { serverId, probeId } = props;
  const styles = useStyles2(getStyles);
  const jsonData = useAppSettings();
  const { canEdit } = usePermissions();
  const loaded = useLoad(() => load(serverId, probeId), [serverId, probeId]);
  const [editing, setEditing] = useState<{ extra: Threshold[] } | null>(null);
  const [contactPoints, setContactPoints] = useState<string[] | null>(null);
  const [sync, setSync] = useState<{ running: boolean; outcome?: SyncOutcome }>({ running: false });
  const [statesAttempt, setStatesAttempt] = useState(0);

  const resolved = useMemo(() => alertingTarget(jsonData, grafanaEnvironment()), [jsonData]);
  const target = resolved.ok ? resolved.target : PREVIEW_TARGET;
  const value = loaded.value;
  const group = useMemo(() => (value ? serverRuleGroup(value.server, value.probes, target, value.gateways) : null), [value, target]);
  const rules = useMemo(() => {
    if (!value || !group) return [];
    const shown = value.probe ? new Set(probeRuleUids(value.server, value.probe)) : null;
    return group.rules.filter((rule) => !shown || shown.has(rule.uid ?? '')).map(summarizeRule);
  }, [value, group]);

  const ruleUids = rules.map((rule) => rule.uid).join(',');
  const states = useLoad<{ states: Map<string, RuleState> | null; error?: AlertingError }>(async () => {
    if (!resolved.ok || !group || ruleUids === '') return { states: null };
    try {
      return { states: await getRuleStates(group.folderUid, group.title, ruleUids.split(',')) };
    } catch (error) {
      return { states: null, error: toAlertingError(error, 'read the alert rule states') };
    }
  }, [resolved.ok, group?.folderUid, group?.title, ruleUids, statesAttempt]);

  useEffect(() => {
    if (!editing || contactPoints !== null) return;
    listContactPointNames().then(setContactPoints, () => setContactPoints(null));
  }, [editing, contactPoints]);

  const runSync = useCallback(async (id: number) => {
    setSync({ running: true });
    const outcome = await syncServerRules(id);
    setSync({ running: false, outcome });
    setStatesAttempt((attempt) => attempt + 1);
  }, []);

  if (loaded.error && !value) return <GatewayErrorAlert error={loaded.error} title="Thresholds could not be loaded" onRetry={loaded.reload} />;
  if (!value) return <LoadingPlaceholder text="Loading thresholds…" />;

  const { server, probes, probe } = value;
  const owner = probe ? 'probe' : 'server';
  const defaultTeam = jsonData.defaultTeam;

  const saveThresholds = async (thresholds: Threshold[]) => {
    if (probe) {
      const saved = await updateProbe(probe.id, { thresholds, version: probe.version });
      (props.onSaved as ((saved: Probe) => void) | undefined)?.(saved);
    } else {
      const saved = await updateServer(server.id, { thresholds, version: server.version });
      (props.onSaved as ((saved: ProbeServer) => void) | undefined)?.(saved);
    }
    setEditing(null);
    loaded.reload();
    await runSync(server.id);
  };

  const rows: ThresholdRowView[] = probe
    ? probeThresholds(server, probe).map((entry) => probeRow(entry, server, canEdit && !editing ? () => setEditing({ extra: [entry.threshold] }) : undefined))
    : serverThresholds(server).map((entry) => ({
        ...sourceOf(entry, 'server', server),
        threshold: entry.threshold,
        overriddenBy: probes.filter((candidate) => !follows(probeThresholds(server, candidate), entry)).map((candidate) => candidate.name),
      }));

  const statesNote = !resolved.ok ? '–' : states.value?.error ? 'unknown' : 'loading…';

  return (
    <section aria-label="Thresholds and alerts" className={styles.section}>
      <Stack direction="column" gap={2}>
        <Stack justifyContent="space-between" alignItems="center">
          <Text element="h3" variant="h4">
            Thresholds &amp; alerts
          </Text>
          <AppLinkButton href={links.alertRules()} variant="secondary" fill="text" icon="bell" size="sm">
            All alert rules
          </AppLinkButton>
        </Stack>

        {!resolved.ok && (
          <Alert severity="warning" title="Alert rules are not written to Grafana">
            <Stack direction="column" gap={1} alignItems="flex-start">
              <div>{NO_PROMETHEUS_MESSAGE}</div>
              <LinkButton size="sm" variant="secondary" icon="cog" href={links.config()}>
                Open the app configuration
              </LinkButton>
            </Stack>
          </Alert>
        )}
        <SyncStatus sync={sync} onRetry={() => runSync(server.id)} />

        <Text color="secondary">
          {probe
            ? 'This probe follows its server’s thresholds and the built-in default; a threshold of its own with the same kind and level overrides them for this probe only.'
            : 'The server’s thresholds apply to all its probes; a probe can override one with its own threshold of the same kind and level.'}
        </Text>
        <ThresholdsTable rows={rows} defaultTeam={defaultTeam} showOverriddenBy={!probe} gatewayCount={server.gateways.length} />

        {editing ? (
          <ThresholdsEditor
            initial={probe ? probe.thresholds : server.thresholds}
            extra={editing.extra}
            defaultTeam={defaultTeam}
            contactPoints={contactPoints}
            owner={owner}
            gatewayCount={server.gateways.length}
            onSave={saveThresholds}
            onCancel={() => setEditing(null)}
          />
        ) : canEdit ? (
          <Stack>
            <Button variant="secondary" icon="pen" onClick={() => setEditing({ extra: [] })}>
              {probe ? 'Edit probe overrides' : 'Edit thresholds'}
            </Button>
          </Stack>
        ) : (
          <Text color="secondary">Changing thresholds needs the Editor role in this organization.</Text>
        )}

        <Stack justifyContent="space-between" alignItems="center">
          <Text element="h4" variant="h5">
            {probe ? 'Alert rules that watch this probe' : `Alert rules (group ${group?.title ?? ''})`}
          </Text>
          {resolved.ok && (
            <Button size="sm" variant="secondary" fill="text" icon="sync" onClick={() => setStatesAttempt((attempt) => attempt + 1)}>
              Refresh states
            </Button>
          )}
        </Stack>
        {states.value?.error && (
          <Alert severity="warning" title="Rule states unavailable">
            {states.value.error.message}
          </Alert>
        )}
        <RulesTable rules={rules} states={states.value?.states ?? null} probeId={probe?.id} statesNote={statesNote} />
      </Stack>
    </section>
  );
}

function sourceOf(entry: SourcedThreshold, scope: 'server' | 'probe', server: Pick<ProbeServer, 'thresholds'>): Pick<ThresholdRowView, 'source' | 'sourceColor'> {
  switch (entry.source) {
    case 'default':
      return { source: 'Built-in default', sourceColor: 'darkgrey' };
    case 'server':
      return scope === 'server' ? { source: 'This server', sourceColor: 'blue' } : { source: 'Inherited from the server', sourceColor: 'darkgrey' };
    case 'probe':
      return server.thresholds.some((threshold) => thresholdKey(threshold) === thresholdKey(entry.threshold))
        ? { source: 'This probe (overrides the server)', sourceColor: 'purple' }
        : { source: 'This probe', sourceColor: 'purple' };
  }
}

function probeRow(entry: SourcedThreshold, server: Pick<ProbeServer, 'thresholds'>, onOverride: (() => void) | undefined): ThresholdRowView {
  return { ...sourceOf(entry, 'probe', server), threshold: entry.threshold, onOverride: entry.source === 'probe' ? undefined : onOverride };
}

function SyncStatus({ sync, onRetry }: { sync: { running: boolean; outcome?: SyncOutcome }; onRetry: () => void }) {
  if (sync.running) return <LoadingPlaceholder text="Applying the alert rules in Grafana…" />;
  const outcome = sync.outcome;
  if (!outcome || outcome.status === 'notConfigured') return null;
  if (outcome.status === 'failed') {
    return (
      <Alert severity="error" title={outcome.forbidden ? 'You may not change alert rules in Grafana' : 'Alert rules not updated'}>
        <Stack direction="column" gap={1} alignItems="flex-start">
          <div>{syncFailureText(outcome)}</div>
          <Stack gap={1}>
            <Button size="sm" variant="secondary" icon="sync" onClick={onRetry}>
              Retry
            </Button>
            <AppLinkButton size="sm" variant="secondary" icon="bell" href={links.alertRules()}>
              Alert rules page
            </AppLinkButton>
          </Stack>
        </Stack>
      </Alert>
    );
  }
  const written = outcome.writes.map((write) => (write.action === 'put' ? `wrote group ${write.group}` : `removed group ${write.group}`));
  return (
    <Alert severity="success" title={written.length > 0 ? 'Alert rules updated in Grafana' : 'Grafana already has these alert rules'}>
      {written.length > 0 ? `In folder ${outcome.target.folderTitle}: ${written.join(', ')}.` : 'Nothing needed changing.'}
    </Alert>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  section: css({ marginTop: theme.spacing(3) }),
});
