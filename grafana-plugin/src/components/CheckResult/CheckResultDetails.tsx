// One check's result as a titled box: outcome, connect and DNS time, where it connected (actual host and IPv4), the
// TLS handshake and certificate, the response time, the error, which gateway ran it, and a dialogue's transcript.
// Used by "Test connection", "Run now" and the probe page.
import { css } from '@emotion/css';
import { dateTimeFormat, type GrafanaTheme2 } from '@grafana/data';
import { Alert, useStyles2 } from '@grafana/ui';
import type { CheckResult } from '../../api/types';
import { OUTCOME_LABELS, expiryInWords, formatMs } from './format';
import { Transcript } from './Transcript';

interface Props {
  result: CheckResult;
  /** e.g. "Connection test" or "Run of db-primary"; the box is labelled with it for assistive technology. */
  title: string;
  onClose?: () => void;
}

export function CheckResultDetails({ result, title, onClose }: Props) {
  const styles = useStyles2(getStyles);
  const rows: Array<[string, string]> = [
    ['Outcome', OUTCOME_LABELS[result.outcome]],
    ['Connect time', formatMs(result.connectMs)],
    ['DNS time', result.dnsMs === null ? 'no lookup (IP address)' : formatMs(result.dnsMs)],
    ['Actual host', result.actualHost ?? '–'],
    ['Actual IPv4', result.actualIpv4 ?? (result.actualAddress ? `none (connected to ${result.actualAddress})` : '–')],
  ];
  if (result.actualIp && result.actualIp !== result.actualIpv4) rows.push(['Actual IP', result.actualIp]);
  const { tls } = result;
  if (tls) {
    rows.push(
      ['TLS', `${tls.protocol}, ${tls.cipher}`],
      ['Handshake time', formatMs(tls.handshakeMs)],
      ['Certificate subject', tls.subject],
      ['Certificate issuer', tls.issuer],
      ['Certificate expires', `${expiryInWords(tls.expiresInDays)} (${dateTimeFormat(tls.chainExpiresAt)})`],
    );
  }
  if (result.responseMs !== null && result.responseMs !== undefined) rows.push(['Response time', formatMs(result.responseMs)]);
  rows.push(['Gateway', result.gateway], ['Checked at', dateTimeFormat(result.checkedAt)]);
  if (result.error) rows.push(['Error', result.error]);
  return (
    <Alert
      severity={result.available ? 'success' : 'error'}
      title={`${title}: ${result.available ? `connected in ${formatMs(result.connectMs)}` : OUTCOME_LABELS[result.outcome].toLowerCase()}`}
      aria-label={title}
      onRemove={onClose}
    >
      <dl className={styles.list}>
        {rows.map(([term, value]) => (
          <div key={term} className={styles.row}>
            <dt className={styles.term}>{term}</dt>
            <dd className={styles.value}>{value}</dd>
          </div>
        ))}
      </dl>
      {result.transcript && <Transcript entries={result.transcript} />}
    </Alert>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  list: css({ display: 'grid', gridTemplateColumns: 'max-content 1fr', columnGap: theme.spacing(2), rowGap: theme.spacing(0.25), margin: 0 }),
  row: css({ display: 'contents' }),
  term: css({ color: theme.colors.text.secondary, fontWeight: theme.typography.fontWeightMedium }),
  value: css({ margin: 0, fontFamily: theme.typography.fontFamilyMonospace, wordBreak: 'break-all' }),
});
