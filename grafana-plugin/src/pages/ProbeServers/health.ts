// Per-server health from /api/v1/status: how many of a server's probes are up, down, without data or disabled, and
// why the ones without data have none. Pure.
import type { ProbeState, ProbeStatus } from '../../api/types';
import type { StatusReason } from '../../components/ProbeState/explainState';

export interface HealthSummary extends Record<ProbeState, number> {
  /** The no-data probes by reason; `unexplained` from a gateway that gives no reason. */
  noData: Partial<Record<StatusReason | 'unexplained', number>>;
}

export function emptyHealth(): HealthSummary {
  return { up: 0, down: 0, nodata: 0, disabled: 0, noData: {} };
}

export function healthByServer(statuses: readonly ProbeStatus[]): Map<number, HealthSummary> {
  const byServer = new Map<number, HealthSummary>();
  for (const status of statuses) {
    const summary = byServer.get(status.serverId) ?? emptyHealth();
    summary[status.state] += 1;
    if (status.state === 'nodata') {
      const reason = status.reason ?? 'unexplained';
      summary.noData[reason] = (summary.noData[reason] ?? 0) + 1;
    }
    byServer.set(status.serverId, summary);
  }
  return byServer;
}

export type HealthLevel = 'down' | 'up' | 'nodata' | 'none';

/** The one word a table cell leads with: any probe down is what matters; then up; then no data. */
export function healthLevel(summary: Record<ProbeState, number>): HealthLevel {
  if (summary.down > 0) return 'down';
  if (summary.up > 0) return 'up';
  if (summary.nodata > 0) return 'nodata';
  return 'none';
}
