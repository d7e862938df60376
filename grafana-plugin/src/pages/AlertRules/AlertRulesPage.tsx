// Drift between the alert rules the configuration asks for and what Grafana has: per rule group, the rules Grafana
// is missing, the fields someone changed, and the app's rules it should not have; editors repair all of it at once.
import { useState } from 'react';
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { PluginPage } from '@grafana/runtime';
import { Alert, Badge, Button, type BadgeColor, LinkButton, LoadingPlaceholder, Stack, Text, useStyles2 } from '@grafana/ui';
import type { DriftStatus, GroupDrift, RuleDrift } from '../../alerting/diff';
import { loadDrift, repairDrift, type DriftReport, type DriftResult } from '../../alerting/drift';
import { toAlertingError } from '../../alerting/grafanaApi';
import type { GroupWrite } from '../../alerting/sync';
import { isGatewayError, type GatewayError } from '../../api/errors';
import { GatewayErrorAlert } from '../../components/GatewayErrorAlert';
import { getStyles as getTableStyles } from '../../components/ThresholdsAndAlerts/tables';
import { links } from '../../constants';
import { useLoad } from '../../hooks/useLoad';
import { usePermissions } from '../../permissions';

type Loaded = { result: DriftResult } | { gatewayError: GatewayError } | { error: Error };

async function loadPage(): Promise<Loaded> {
  try {
    return { result: await loadDrift() };
  } catch (error) {
    if (isGatewayError(error)) return { gatewayError: error };
    return { error: toAlertingError(error, 'read the alert rules') };
  }
}

const STATUS: Record<DriftStatus, { text: string; color: BadgeColor }> = {
  inSync: { text: 'In sync', color: 'green' },
  missing: { text: 'Missing', color: 'red' },
  changed: { text: 'Changed', color: 'orange' },
  extra: { text: 'Not wanted', color: 'purple' },
};

export function AlertRulesPage() {
  const { canEdit } = usePermissions();
  const loaded = useLoad(loadPage, []);
  const [repair, setRepair] = useState<{ running: boolean; writes?: GroupWrite[]; error?: Error }>({ running: false });

  const value = loaded.value;
  const report = value && 'result' in value && value.result.status === 'ready' ? value.result.report : undefined;
  const drifting = report ? report.groups.filter((group) => group.status !== 'inSync') : [];

  const onRepair = async () => {
    if (!report) return;
    setRepair({ running: true });
    try {
      setRepair({ running: false, writes: await repairDrift(report) });
    } catch (error) {
      setRepair({ running: false, error: toAlertingError(error, 'repair the alert rules') });
    }
    loaded.reload();
  };

  const actions = (
    <Stack gap={1}>
      <Button variant="secondary" icon="sync" onClick={loaded.reload} disabled={loaded.loading}>
        Check again
      </Button>
      {canEdit && report && drifting.length > 0 && (
        <Button icon={repair.running ? 'spinner' : 'wrench'} onClick={onRepair} disabled={repair.running || loaded.loading}>
          Repair
        </Button>
      )}
    </Stack>
  );

  return (
    <PluginPage
      pageNav={{ text: 'Alert rules', parentItem: { text: 'Probe servers', url: links.servers() } }}
      subTitle="The Grafana-managed alert rules made from the thresholds of every server and probe, compared with what Grafana has."
      actions={actions}
    >
      <Stack direction="column" gap={2}>
        {loaded.loading && !value && <LoadingPlaceholder text="Comparing the alert rules with Grafana…" />}
        {value && 'gatewayError' in value && <GatewayErrorAlert error={value.gatewayError} title="The configuration could not be read" onRetry={loaded.reload} />}
        {value && 'error' in value && (
          <Alert severity="error" title="Grafana's alert rules could not be read">
            {value.error.message}
          </Alert>
        )}
        {value && 'result' in value && value.result.status === 'notConfigured' && (
          <Alert severity="warning" title="Alert rules are not written to Grafana">
            <Stack direction="column" gap={1} alignItems="flex-start">
              <div>{value.result.message}</div>
              <LinkButton size="sm" variant="secondary" icon="cog" href={links.config()}>
                Open the app configuration
              </LinkButton>
            </Stack>
          </Alert>
        )}
        {repair.error && (
          <Alert severity="error" title="The repair did not finish">
            {repair.error.message}
          </Alert>
        )}
        {repair.writes && !repair.error && (
          <Alert severity="success" title="Alert rules repaired" onRemove={() => setRepair({ running: false })}>
            {repair.writes.length === 0 ? 'Nothing needed changing.' : repair.writes.map(describeWrite).join('; ')}
          </Alert>
        )}
        {report && <DriftView report={report} drifting={drifting} canEdit={canEdit} />}
      </Stack>
    </PluginPage>
  );
}

function describeWrite(write: GroupWrite): string {
  switch (write.action) {
    case 'put':
      return `wrote group ${write.group}`;
    case 'delete':
      return `removed group ${write.group} from folder ${write.folderUid}`;
    case 'deleteRule':
      return `removed rule ${write.uid} from group ${write.group}`;
  }
}

function DriftView({ report, drifting, canEdit }: { report: DriftReport; drifting: GroupDrift[]; canEdit: boolean }) {
  const styles = useStyles2(getStyles);
  const inSync = report.groups.filter((group) => group.status === 'inSync');
  const ruleCount = report.desired.reduce((count, group) => count + group.rules.length, 0);
  return (
    <Stack direction="column" gap={2}>
      <Text color="secondary">
        {ruleCount} rules in {report.desired.length} groups belong in folder {report.target.folderTitle} ({report.target.folderUid}).
      </Text>
      {drifting.length === 0 ? (
        <Alert severity="success" title="No drift">
          Grafana has every alert rule the thresholds ask for, as they ask for it.
        </Alert>
      ) : (
        <Alert severity="warning" title={`${drifting.length} of ${report.groups.length} rule groups differ from the configuration`}>
          {canEdit
            ? 'Repair writes each differing group as the configuration has it and removes the app’s rules that are not wanted.'
            : 'An editor of this organization can repair them.'}
        </Alert>
      )}
      {drifting.map((group) => (
        <section key={`${group.folderUid}/${group.group}`} aria-label={`Group ${group.group}`} className={styles.group}>
          <Stack direction="column" gap={1}>
            <Stack gap={1} alignItems="center">
              <Text element="h3" variant="h5">
                {group.group}
                {report.groupNames[group.group] ? ` (${report.groupNames[group.group]})` : ''}
              </Text>
              <Badge {...STATUS[group.status]} />
              <Text color="secondary" variant="bodySmall">
                folder {group.folderUid}
              </Text>
            </Stack>
            {group.interval && (
              <Text>
                Evaluation interval: Grafana has {group.interval.actual}, the configuration {group.interval.desired}.
              </Text>
            )}
            <RuleDriftTable rules={group.rules.filter((rule) => rule.status !== 'inSync')} />
          </Stack>
        </section>
      ))}
      {inSync.length > 0 && <Text color="secondary">In sync: {inSync.map((group) => group.group).join(', ')}.</Text>}
    </Stack>
  );
}

function RuleDriftTable({ rules }: { rules: RuleDrift[] }) {
  const styles = useStyles2(getStyles);
  if (rules.length === 0) return null;
  return (
    <table className={styles.table} aria-label="Differing rules">
      <thead>
        <tr>
          <th>Rule</th>
          <th>Status</th>
          <th>What differs (Grafana → configuration)</th>
        </tr>
      </thead>
      <tbody>
        {rules.map((rule) => (
          <tr key={`${rule.uid}/${rule.status}`}>
            <td>
              <div>{rule.title}</div>
              <div className={styles.secondary}>{rule.uid}</div>
            </td>
            <td>
              <Badge {...STATUS[rule.status]} />
            </td>
            <td>
              {rule.status === 'missing' && 'Grafana does not have this rule.'}
              {rule.status === 'extra' && 'Not made from any threshold: removed on repair.'}
              {rule.changes.length > 0 && (
                <ul className={styles.changes}>
                  {rule.changes.map((change) => (
                    <li key={change.field}>
                      <strong>{change.field}</strong>: <code className={styles.code}>{change.actual || '(none)'}</code> →{' '}
                      <code className={styles.code}>{change.desired || '(none)'}</code>
                    </li>
                  ))}
                </ul>
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  ...getTableStyles(theme),
  group: css({ border: `1px solid ${theme.colors.border.weak}`, borderRadius: theme.shape.radius.default, padding: theme.spacing(1, 2) }),
  changes: css({ margin: 0, paddingLeft: theme.spacing(2) }),
});
