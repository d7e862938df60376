import { describe, expect, test } from 'vitest';
import type { ProbeStatus } from '../../api/types';
import { emptyHealth, healthByServer, healthLevel } from './health';

const status = (serverId: number, probeId: number, state: ProbeStatus['state'], reason: ProbeStatus['reason'] = null): ProbeStatus => ({
  probeId, serverId, probe: `p${probeId}`, server: `s${serverId}`, target: 'h:1', enabled: state !== 'disabled', state, reason,
  inWindow: true, nextCheckAt: null, windowOpensAt: null, timeliness: null, missedSlotAt: null, missedSlotReason: null, lastResult: null,
  locations: [], locationsDown: 0, locationsUp: 0, locationsTotal: 1,
});

describe('healthByServer', () => {
  test('counts each state per server', () => {
    const byServer = healthByServer([status(1, 1, 'up'), status(1, 2, 'down'), status(1, 3, 'up'), status(2, 4, 'nodata', 'outside_window'), status(2, 5, 'disabled', 'disabled')]);
    expect(byServer.get(1)).toEqual({ up: 2, down: 1, nodata: 0, disabled: 0, noData: {} });
    expect(byServer.get(2)).toMatchObject({ up: 0, down: 0, nodata: 1, disabled: 1 });
    expect(byServer.has(3)).toBe(false);
  });

  test('the probes without data are counted by why', () => {
    const byServer = healthByServer([
      status(1, 1, 'nodata', 'outside_window'),
      status(1, 2, 'nodata', 'outside_window'),
      status(1, 3, 'nodata', 'not_checked_yet'),
      status(1, 4, 'nodata', 'gateway_offline'),
      status(1, 5, 'nodata', null),
      status(1, 6, 'disabled', 'server_disabled'),
    ]);
    expect(byServer.get(1)!.noData).toEqual({ outside_window: 2, not_checked_yet: 1, gateway_offline: 1, unexplained: 1 });
    expect(byServer.get(1)!.nodata).toBe(5);
  });

  test('no statuses, no servers; summaries do not share their counts', () => {
    expect(healthByServer([]).size).toBe(0);
    const byServer = healthByServer([status(1, 1, 'nodata', 'outside_window'), status(2, 2, 'nodata', 'gateway_offline')]);
    expect(byServer.get(1)!.noData).toEqual({ outside_window: 1 });
    expect(emptyHealth().noData).toEqual({});
  });
});

describe('healthLevel', () => {
  test('down wins, then up, then no data', () => {
    expect(healthLevel({ up: 5, down: 1, nodata: 2, disabled: 0 })).toBe('down');
    expect(healthLevel({ up: 5, down: 0, nodata: 2, disabled: 0 })).toBe('up');
    expect(healthLevel({ up: 0, down: 0, nodata: 2, disabled: 1 })).toBe('nodata');
    expect(healthLevel({ up: 0, down: 0, nodata: 0, disabled: 3 })).toBe('none');
    expect(healthLevel(emptyHealth())).toBe('none');
  });
});
