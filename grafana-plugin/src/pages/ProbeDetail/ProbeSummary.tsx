// A probe's settings and latest state at a glance: why it has no data when it has none, and when it is checked next.
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { useStyles2 } from '@grafana/ui';
import { usesTls } from '../../alerting/mapping';
import type { CheckResult, Probe, ProbeServer, Schedule } from '../../api/types';
import { expiryInWords, failureReason, formatInterval, formatMs, formatWindow } from '../../components/CheckResult/format';
import { nextCheckText, type StatusFacts } from '../../components/ProbeState/explainState';
import { ProbeStateBadge } from '../../components/ProbeState/ProbeStateBadge';
import { RelativeTime } from '../../components/RelativeTime/RelativeTime';
import { useNow } from '../../components/RelativeTime/useNow';
import { locationsInWords } from '../../components/Locations/words';

interface Props {
  probe: Probe;
  server: ProbeServer;
  status: StatusFacts;
  lastResult: CheckResult | null;
  schedule?: Schedule;
  /** A probe of several locations: how many see it up and down ("down at 1 of 3 locations, up at 2"). */
  locations?: string | null;
}

export function ProbeSummary({ probe, server, status, lastResult: last, schedule, locations }: Props) {
  const styles = useStyles2(getStyles);
  const now = useNow(status.nextCheckAt !== null);
  const fields: Array<[string, React.ReactNode]> = [
    ['Status', <ProbeStateBadge key="state" status={status} />],
    ...(locations ? ([['Locations', locations]] as Array<[string, React.ReactNode]>) : []),
    ['Target', `${probe.host}:${probe.port}`],
    ['Repeat interval', formatInterval(probe.intervalSeconds)],
    ['Timeout', probe.timeoutMs === null ? `${probe.effectiveTimeoutMs} ms (server default)` : `${probe.timeoutMs} ms`],
    ['Time window', formatWindow(probe.windowBegin, probe.windowEnd) || 'all day'],
    ['Schedule', schedule ? `${schedule.name} (${schedule.timeZone})` : probe.scheduleId === null ? 'none' : `schedule ${probe.scheduleId}`],
    ['Server', `${server.name}, run from ${locationsInWords(server.gateways)}`],
    ['Owner', probe.owner || '–'],
    ['Last check', last ? <RelativeTime at={last.checkedAt} /> : 'never'],
    ['Next check', nextCheckText(status.nextCheckAt, now)],
    ['Connect time', last?.available ? formatMs(last.connectMs) : '–'],
    ['Actual host', last?.actualHost ?? probe.actualHost ?? '–'],
    ['Actual IPv4', last?.actualIpv4 ?? probe.actualIpv4 ?? '–'],
    ...deepCheckFields(probe, last),
  ];
  const reason = failureReason(last);
  return (
    <section aria-label="Probe summary" className={styles.section}>
      {probe.description && <p className={styles.description}>{probe.description}</p>}
      <dl className={styles.fields}>
        {fields.map(([label, value]) => (
          <div key={label} className={styles.field}>
            <dt className={styles.label}>{label}</dt>
            <dd className={styles.value}>{value}</dd>
          </div>
        ))}
      </dl>
      {reason && (
        <p className={styles.reason}>
          {/* With several locations the latest result is only the newest one's: say whose. */}
          <strong>Failure reason{locations && last ? ` (latest check, from ${last.gateway})` : ''}:</strong> {reason}
        </p>
      )}
    </section>
  );
}

/** A probe with TLS (or a STARTTLS step): its certificate's expiry, handshake; with a dialogue, its response time. */
function deepCheckFields(probe: Probe, last: CheckResult | null): Array<[string, string]> {
  const fields: Array<[string, string]> = [];
  if (probe.ipVersion !== 'auto') fields.push(['IP version', `IPv${probe.ipVersion} only`]);
  if (last?.actualIp && last.actualIp !== last.actualIpv4) fields.push(['Actual IP', last.actualIp]);
  if (usesTls(probe)) {
    const tls = last?.tls;
    fields.push(['Certificate expires', tls ? expiryInWords(tls.expiresInDays) : 'unknown: no handshake yet']);
    if (tls) fields.push(['TLS', `${tls.protocol}, handshake ${formatMs(tls.handshakeMs)}`]);
  }
  if (probe.dialogue) fields.push(['Response time', formatMs(last?.responseMs)]);
  return fields;
}

const getStyles = (theme: GrafanaTheme2) => ({
  section: css({ marginBottom: theme.spacing(2) }),
  description: css({ color: theme.colors.text.secondary }),
  fields: css({ display: 'grid', gridTemplateColumns: 'repeat(auto-fill, minmax(180px, 1fr))', gap: theme.spacing(1, 3), margin: 0 }),
  field: css({ display: 'flex', flexDirection: 'column', minWidth: 0 }),
  label: css({ color: theme.colors.text.secondary, fontSize: theme.typography.bodySmall.fontSize }),
  value: css({ margin: 0, overflow: 'hidden', textOverflow: 'ellipsis' }),
  reason: css({ color: theme.colors.error.text, marginTop: theme.spacing(1) }),
});
