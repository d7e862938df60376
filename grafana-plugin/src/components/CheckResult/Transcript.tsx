// A dialogue as it went: what was sent, what came back and where TLS started, each at its time since connected.
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { useStyles2 } from '@grafana/ui';
import type { TranscriptEntry } from '../../api/types';
import { formatMs } from './format';

const DIRECTION_WORDS: Record<TranscriptEntry['direction'], string> = { sent: '→ sent', received: '← received', tls: '🔒 TLS' };

export function Transcript({ entries }: { entries: readonly TranscriptEntry[] }) {
  const styles = useStyles2(getStyles);
  if (entries.length === 0) return <p className={styles.empty}>Transcript: nothing was sent or received.</p>;
  return (
    <table className={styles.table} aria-label="Transcript">
      <thead>
        <tr>
          <th>At</th>
          <th>Step</th>
          <th>Text</th>
        </tr>
      </thead>
      <tbody>
        {entries.map((entry, index) => (
          <tr key={index} data-direction={entry.direction}>
            <td className={styles.at}>{formatMs(entry.atMs)}</td>
            <td className={styles.direction}>{DIRECTION_WORDS[entry.direction]}</td>
            <td className={styles.text}>{entry.text}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  table: css({
    marginTop: theme.spacing(1),
    borderCollapse: 'collapse',
    width: '100%',
    th: { textAlign: 'left', color: theme.colors.text.secondary, fontWeight: theme.typography.fontWeightMedium, paddingRight: theme.spacing(2) },
    td: { verticalAlign: 'top', paddingRight: theme.spacing(2) },
  }),
  at: css({ whiteSpace: 'nowrap', fontVariantNumeric: 'tabular-nums' }),
  direction: css({ whiteSpace: 'nowrap' }),
  text: css({ fontFamily: theme.typography.fontFamilyMonospace, whiteSpace: 'pre-wrap', wordBreak: 'break-all' }),
  empty: css({ marginTop: theme.spacing(1), color: theme.colors.text.secondary }),
});
