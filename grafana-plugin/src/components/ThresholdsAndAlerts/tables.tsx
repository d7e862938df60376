// The two tables of the thresholds section: which thresholds apply and where each comes from, and the alert rules
// they become with their state in Grafana.
import type { ReactNode } from 'react';
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { Badge, Button, type BadgeColor, useStyles2 } from '@grafana/ui';
import type { RuleState } from '../../alerting/grafanaApi';
import type { RuleSummary } from '../../alerting/rules';
import type { Threshold } from '../../api/types';
import { quorumFor, quorumSentence, quorumShort } from '../Locations/words';
import { describeThreshold, KIND_LABELS, LEVEL_LABELS } from './thresholdForm';

export interface ThresholdRowView {
  threshold: Threshold;
  /** Where it comes from, in words: "Built-in default", "This server", "Inherited from the server", ... */
  source: string;
  sourceColor: BadgeColor;
  /** Server page: the probes that bring their own threshold instead. */
  overriddenBy?: string[];
  /** Probe page, editors: start overriding this inherited threshold. */
  onOverride?: () => void;
}

interface ThresholdsTableProps {
  rows: ThresholdRowView[];
  defaultTeam?: string;
  showOverriddenBy: boolean;
  /** The server's gateways: with more than one, availability thresholds show their quorum of locations. */
  gatewayCount: number;
}

export function ThresholdsTable({ rows, defaultTeam, showOverriddenBy, gatewayCount }: ThresholdsTableProps) {
  const styles = useStyles2(getStyles);
  const multiLocation = gatewayCount > 1;
  return (
    <table className={styles.table} aria-label="Effective thresholds">
      <thead>
        <tr>
          <th>Threshold</th>
          <th>Condition</th>
          {multiLocation && <th>Locations</th>}
          <th>Team</th>
          <th>Contact point</th>
          <th>Runbook</th>
          <th>Source</th>
          {showOverriddenBy && <th>Overridden by</th>}
          {rows.some((row) => row.onOverride) && <th aria-label="Actions" />}
        </tr>
      </thead>
      <tbody>
        {rows.map((row) => {
          const { threshold } = row;
          return (
            <tr key={`${threshold.kind}/${threshold.level}/${row.source}`}>
              <td>
                {KIND_LABELS[threshold.kind]}, {LEVEL_LABELS[threshold.level].toLowerCase()}
              </td>
              <td>{describeThreshold(threshold)}</td>
              {multiLocation && <td>{threshold.kind === 'availability' ? <QuorumCell quorum={quorumFor(threshold, gatewayCount)} /> : LOCATION_SCOPE[threshold.kind]}</td>}
              <td>{threshold.team ?? (defaultTeam ? `${defaultTeam} (app default)` : '–')}</td>
              <td>{threshold.contactPoint || 'policies'}</td>
              <td>{threshold.runbookUrl ? <a href={threshold.runbookUrl} target="_blank" rel="noreferrer">runbook</a> : '–'}</td>
              <td>
                <Badge color={row.sourceColor} text={row.source} />
              </td>
              {showOverriddenBy && <td>{row.overriddenBy && row.overriddenBy.length > 0 ? row.overriddenBy.join(', ') : '–'}</td>}
              {rows.some((candidate) => candidate.onOverride) && (
                <td>
                  {row.onOverride && (
                    <Button size="sm" variant="secondary" fill="text" icon="pen" onClick={row.onOverride} aria-label={`Override ${KIND_LABELS[threshold.kind]}, ${threshold.level}`}>
                      Override
                    </Button>
                  )}
                </td>
              )}
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

/** How the other kinds treat several locations (the alerting mapping's rules). */
const LOCATION_SCOPE = {
  availabilityRatio: 'the share up over all locations',
  connectTime: 'each location on its own',
  certExpiry: 'the earliest expiry over all locations',
} as const;

function QuorumCell({ quorum }: { quorum: ReturnType<typeof quorumFor> }) {
  const styles = useStyles2(getStyles);
  return (
    <>
      <div>{quorumShort(quorum)}</div>
      <div className={styles.secondary}>{quorumSentence(quorum)}</div>
    </>
  );
}

/** A rule's state in words and colour; `probeId` narrows it to that probe's alert instance. */
export function ruleStateView(state: RuleState | undefined, probeId?: number): { text: string; color: BadgeColor } {
  if (!state) return { text: 'Not in Grafana', color: 'orange' };
  if (state.isPaused) return { text: 'Paused', color: 'darkgrey' };
  if (state.health === 'error') return { text: 'Error', color: 'red' };
  if (probeId !== undefined) {
    const instance = state.alerts.find((alert) => alert.labels.probe_id === String(probeId));
    const instanceState = instance?.state.toLowerCase() ?? 'normal';
    if (instanceState.startsWith('alerting')) return { text: 'Firing', color: 'red' };
    if (instanceState.startsWith('pending')) return { text: 'Pending', color: 'orange' };
    if (instanceState.startsWith('recovering')) return { text: 'Recovering', color: 'blue' };
    if (instanceState.startsWith('nodata')) return { text: 'No data', color: 'darkgrey' };
    return { text: 'Normal', color: 'green' };
  }
  switch (state.state) {
    case 'firing': {
      const firing = state.alerts.filter((alert) => alert.state.toLowerCase().startsWith('alerting')).length;
      return { text: firing > 1 ? `Firing (${firing})` : 'Firing', color: 'red' };
    }
    case 'pending':
      return { text: 'Pending', color: 'orange' };
    case 'recovering':
      return { text: 'Recovering', color: 'blue' };
    default:
      return state.health === 'nodata' ? { text: 'No data', color: 'darkgrey' } : { text: 'Normal', color: 'green' };
  }
}

interface RulesTableProps {
  rules: RuleSummary[];
  /** Null while unknown (loading, not configured, unreadable). */
  states: Map<string, RuleState> | null;
  probeId?: number;
  /** Shown in the state column while `states` is null. */
  statesNote: ReactNode;
}

export function RulesTable({ rules, states, probeId, statesNote }: RulesTableProps) {
  const styles = useStyles2(getStyles);
  return (
    <table className={styles.table} aria-label="Alert rules">
      <thead>
        <tr>
          <th>Rule</th>
          <th>PromQL</th>
          <th>For</th>
          <th>Labels</th>
          <th>{probeId === undefined ? 'State' : 'State for this probe'}</th>
        </tr>
      </thead>
      <tbody>
        {rules.map((rule) => {
          const state = states ? ruleStateView(states.get(rule.uid), probeId) : null;
          return (
            <tr key={rule.uid}>
              <td>
                <div>{rule.title}</div>
                <div className={styles.secondary}>{rule.uid}</div>
              </td>
              <td>
                <code className={styles.code}>{rule.promql}</code>
              </td>
              <td>{rule.for === '0s' ? 'at once' : rule.for}</td>
              <td>
                <div className={styles.labels}>
                  {Object.entries(rule.labels).map(([name, value]) => (
                    <span key={name} className={styles.label}>
                      {name}={value}
                    </span>
                  ))}
                  {rule.contactPoint && <span className={styles.label}>contact point: {rule.contactPoint}</span>}
                </div>
              </td>
              <td>{state ? <Badge color={state.color} text={state.text} /> : statesNote}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

export const getStyles = (theme: GrafanaTheme2) => ({
  table: css({
    width: '100%',
    borderCollapse: 'collapse',
    'th, td': { textAlign: 'left', verticalAlign: 'top', padding: theme.spacing(0.75, 1), borderBottom: `1px solid ${theme.colors.border.weak}` },
    th: { color: theme.colors.text.secondary, fontWeight: theme.typography.fontWeightMedium },
  }),
  secondary: css({ color: theme.colors.text.secondary, fontSize: theme.typography.bodySmall.fontSize }),
  code: css({ fontFamily: theme.typography.fontFamilyMonospace, fontSize: theme.typography.bodySmall.fontSize, wordBreak: 'break-all' }),
  labels: css({ display: 'flex', flexWrap: 'wrap', gap: theme.spacing(0.5) }),
  label: css({
    fontSize: theme.typography.bodySmall.fontSize,
    background: theme.colors.background.secondary,
    border: `1px solid ${theme.colors.border.weak}`,
    borderRadius: theme.shape.radius.default,
    padding: theme.spacing(0, 0.5),
  }),
});
