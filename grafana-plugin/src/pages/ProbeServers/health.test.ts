import { describe, expect, test } from 'vitest';
import type { ProbeStatus } from '../../api/types';
import { EMPTY_HEALTH, healthByServer, healthLevel } from './health';

const status = (serverId: number, probeId: number, state: ProbeStatus['state']): ProbeStatus => ({
  probeId, serverId, probe: `p${probeId}`, server: `s${serverId}`, target: 'h:1', enabled: state !== 'disabled', state, inWindow: true, lastResult: null,
});

describe('healthByServer', () => {
  test('counts each state per server', () => {
    const byServer = healthByServer([status(1, 1, 'up'), status(1, 2, 'down'), status(1, 3, 'up'), status(2, 4, 'nodata'), status(2, 5, 'disabled')]);
    expect(byServer.get(1)).toEqual({ up: 2, down: 1, nodata: 0, disabled: 0 });
    expect(byServer.get(2)).toEqual({ up: 0, down: 0, nodata: 1, disabled: 1 });
    expect(byServer.has(3)).toBe(false);
  });

  test('no statuses, no servers', () => {
    expect(healthByServer([]).size).toBe(0);
  });
});

describe('healthLevel', () => {
  test('down wins, then up, then no data', () => {
    expect(healthLevel({ up: 5, down: 1, nodata: 2, disabled: 0 })).toBe('down');
    expect(healthLevel({ up: 5, down: 0, nodata: 2, disabled: 0 })).toBe('up');
    expect(healthLevel({ up: 0, down: 0, nodata: 2, disabled: 1 })).toBe('nodata');
    expect(healthLevel({ up: 0, down: 0, nodata: 0, disabled: 3 })).toBe('none');
    expect(healthLevel(EMPTY_HEALTH)).toBe('none');
  });
});
