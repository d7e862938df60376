// The probe server a page is about: its fields at a glance, and (for editors) the way to change them.
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { Badge, Stack, useStyles2 } from '@grafana/ui';
import type { ProbeServer } from '../../api/types';

export function ServerHeader({ server }: { server: ProbeServer }) {
  const styles = useStyles2(getStyles);
  const fields: Array<[string, string | null]> = [
    ['Role', server.role],
    ['Site', server.site],
    [server.gateways.length === 1 ? 'Location' : `Locations (${server.gateways.length})`, server.gateways.join(', ')],
    ['Organization', server.organization],
    ['Owner', server.owner],
    ['Network interface', server.networkInterface ?? 'the gateway default'],
    ['Connect timeout', `${server.connectTimeoutMs} ms`],
    ['Shared account', server.sharedAccount],
  ];
  return (
    <section aria-label="Probe server" className={styles.header}>
      {!server.enabled && (
        <Stack>
          <Badge color="darkgrey" icon="pause" text="Server disabled: none of its probes run" />
        </Stack>
      )}
      <dl className={styles.fields}>
        {fields.map(([label, value]) => (
          <div key={label} className={styles.field}>
            <dt className={styles.label}>{label}</dt>
            <dd className={styles.value}>{value || '–'}</dd>
          </div>
        ))}
      </dl>
    </section>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  header: css({ display: 'flex', flexDirection: 'column', gap: theme.spacing(1), marginBottom: theme.spacing(2) }),
  fields: css({
    display: 'grid',
    gridTemplateColumns: 'repeat(auto-fill, minmax(180px, 1fr))',
    gap: theme.spacing(1, 3),
    margin: 0,
  }),
  field: css({ display: 'flex', flexDirection: 'column', minWidth: 0 }),
  label: css({ color: theme.colors.text.secondary, fontSize: theme.typography.bodySmall.fontSize }),
  value: css({ margin: 0, overflow: 'hidden', textOverflow: 'ellipsis' }),
});
