// Per-server health from /api/v1/status: how many of a server's probes are up, down, without data or disabled. Pure.
import type { ProbeState, ProbeStatus } from '../../api/types';

export type HealthSummary = Record<ProbeState, number>;

export const EMPTY_HEALTH: Readonly<HealthSummary> = Object.freeze({ up: 0, down: 0, nodata: 0, disabled: 0 });

export function healthByServer(statuses: readonly ProbeStatus[]): Map<number, HealthSummary> {
  const byServer = new Map<number, HealthSummary>();
  for (const status of statuses) {
    const summary = byServer.get(status.serverId) ?? { ...EMPTY_HEALTH };
    summary[status.state] += 1;
    byServer.set(status.serverId, summary);
  }
  return byServer;
}

export type HealthLevel = 'down' | 'up' | 'nodata' | 'none';

/** The one word a table cell leads with: any probe down is what matters; then up; then no data. */
export function healthLevel(summary: HealthSummary): HealthLevel {
  if (summary.down > 0) return 'down';
  if (summary.up > 0) return 'up';
  if (summary.nodata > 0) return 'nodata';
  return 'none';
}
