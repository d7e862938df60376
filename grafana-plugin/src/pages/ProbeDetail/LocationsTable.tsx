// The probe at each of its locations (gateways), in the server's order: state, latest connect time, why it failed,
// where it connected (actual host, IPv4) and when, so "down for my users or only from here" has an answer.
import { Badge, Stack, useStyles2 } from '@grafana/ui';
import type { ProbeStatus } from '../../api/types';
import { failureReason, formatMs } from '../../components/CheckResult/format';
import { ProbeStateBadge } from '../../components/ProbeState/ProbeStateBadge';
import { RelativeTime } from '../../components/RelativeTime/RelativeTime';
import { getStyles } from '../../components/ThresholdsAndAlerts/tables';
import { locationFacts } from './locationFacts';

export function LocationsTable({ status }: { status: ProbeStatus }) {
  const styles = useStyles2(getStyles);
  return (
    <table className={styles.table} aria-label="Locations">
      <thead>
        <tr>
          <th>Gateway</th>
          <th>State</th>
          <th>Connect time</th>
          <th>Failure reason</th>
          <th>Actual host</th>
          <th>Actual IPv4</th>
          <th>Last check</th>
        </tr>
      </thead>
      <tbody>
        {status.locations.map((location) => {
          const last = location.lastResult;
          return (
            <tr key={location.gateway}>
              <td>
                <Stack gap={1} alignItems="center">
                  <span>{location.gateway}</span>
                  {location.self && <Badge color="blue" text="this gateway" tooltip="The gateway that answers the plugin" />}
                </Stack>
              </td>
              <td>
                <ProbeStateBadge status={locationFacts(status, location)} layout="stacked" />
              </td>
              <td>{last?.available ? formatMs(last.connectMs) : '–'}</td>
              <td>{failureReason(last) || '–'}</td>
              <td>{last?.actualHost ?? '–'}</td>
              <td>{last?.actualIpv4 ?? '–'}</td>
              <td>{last ? <RelativeTime at={last.checkedAt} /> : 'never'}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
