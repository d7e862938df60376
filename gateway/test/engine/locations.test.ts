// summarizeLocations: a probe's state over the gateways that run it, from each location's own.
import { describe, expect, it } from 'vitest';
import { newest, summarizeLocations } from '../../src/engine/locations.js';
import type { CheckResultView, LocationStatus } from '../../src/schemas/check.js';

const result = (gateway: string, checkedAt: string, available = true): CheckResultView => ({
  outcome: available ? 'success' : 'refused', available, error: available ? null : 'connection refused', checkedAt,
  dnsMs: null, connectMs: available ? 1.5 : null, actualHost: null, actualIpv4: '10.0.0.1', actualAddress: '10.0.0.1', gateway,
  actualIp: '10.0.0.1', tls: null, responseMs: null,
});

let clock = 0;
function at(gateway: string, state: LocationStatus['state'], extra: Partial<LocationStatus> = {}): LocationStatus {
  const checkedAt = new Date(Date.UTC(2026, 0, 1) + ++clock * 1000).toISOString();
  const reported = state === 'up' || state === 'down';
  return {
    gateway,
    state,
    reason: reported ? null : state === 'disabled' ? 'disabled' : 'not_checked_yet',
    inWindow: state !== 'disabled',
    lastResult: reported ? result(gateway, checkedAt, state === 'up') : null,
    self: false,
    ...extra,
  };
}

describe('summarizeLocations', () => {
  it('gives a one-location probe exactly the state of its location', () => {
    for (const location of [
      at('hq', 'up'), at('hq', 'down'), at('hq', 'disabled'), at('hq', 'disabled', { reason: 'server_disabled' }),
      at('hq', 'nodata', { reason: 'outside_window', inWindow: false }), at('hq', 'nodata', { reason: 'gateway_offline' }),
      at('hq', 'nodata', { reason: 'gateway_offline', lastResult: result('hq', '2025-12-31T00:00:00.000Z') }),
    ]) {
      const summary = summarizeLocations([location]);
      expect(summary).toEqual({
        state: location.state, reason: location.reason, inWindow: location.inWindow, lastResult: location.lastResult,
        locationsDown: location.state === 'down' ? 1 : 0, locationsUp: location.state === 'up' ? 1 : 0, locationsTotal: 1,
      });
    }
  });

  it('is down when any reporting location sees it down, and counts each way', () => {
    const summary = summarizeLocations([at('hq', 'up'), at('fra', 'down'), at('aws', 'down')]);
    expect(summary).toMatchObject({ state: 'down', reason: null, locationsDown: 2, locationsUp: 1, locationsTotal: 3 });
    expect(summarizeLocations([at('hq', 'up'), at('fra', 'down')]).state).toBe('down');
  });

  it('is up when at least one reports and all that report see it up; a location without data counts neither way', () => {
    const summary = summarizeLocations([at('hq', 'nodata', { reason: 'gateway_offline' }), at('fra', 'up'), at('aws', 'nodata')]);
    expect(summary).toMatchObject({ state: 'up', reason: null, locationsDown: 0, locationsUp: 1, locationsTotal: 3 });
  });

  it('has no data when no location reports, with the reason of the first location in server order', () => {
    const summary = summarizeLocations([
      at('hq', 'nodata', { reason: 'gateway_offline', inWindow: false }), at('fra', 'nodata', { reason: 'not_checked_yet', inWindow: true }),
    ]);
    expect(summary).toMatchObject({ state: 'nodata', reason: 'gateway_offline', inWindow: true, lastResult: null, locationsUp: 0, locationsDown: 0 });
  });

  it('is disabled, with its reason, when the probe or its server is', () => {
    const summary = summarizeLocations([at('hq', 'disabled', { reason: 'server_disabled' }), at('fra', 'disabled', { reason: 'server_disabled' })]);
    expect(summary).toMatchObject({ state: 'disabled', reason: 'server_disabled', inWindow: false, locationsTotal: 2 });
  });

  it('shows the newest result among locations, even from a location without state now', () => {
    const older = at('hq', 'up');
    const stale = at('fra', 'nodata', { reason: 'gateway_offline', lastResult: result('fra', '2030-01-01T00:00:00.000Z', false) });
    expect(summarizeLocations([older, stale]).lastResult).toEqual(stale.lastResult);
    const a = at('hq', 'down');
    const b = at('fra', 'up');
    expect(summarizeLocations([b, a]).lastResult).toEqual(b.lastResult);
  });

  it('aggregates over the filtered locations but counts all of them', () => {
    const all = [at('hq', 'up'), at('fra', 'down'), at('aws', 'nodata', { reason: 'gateway_offline', inWindow: false })];
    expect(summarizeLocations(all, [all[0]!])).toEqual({
      state: 'up', reason: null, inWindow: true, lastResult: all[0]!.lastResult, locationsDown: 1, locationsUp: 1, locationsTotal: 3,
    });
    expect(summarizeLocations(all, [all[1]!])).toMatchObject({ state: 'down', lastResult: all[1]!.lastResult });
    expect(summarizeLocations(all, [all[2]!])).toMatchObject({ state: 'nodata', reason: 'gateway_offline', inWindow: false, lastResult: null });
  });

  it('refuses an empty set: a server has at least one gateway', () => {
    expect(() => summarizeLocations([])).toThrow(RangeError);
  });
});

describe('newest', () => {
  it('picks the latest checkedAt, the first of equals, null without results', () => {
    const a = result('a', '2026-01-01T00:00:01.000Z');
    const b = result('b', '2026-01-01T00:00:02.000Z');
    const c = result('c', '2026-01-01T00:00:02.000Z');
    expect(newest([a, null, b, c])).toBe(b);
    expect(newest([null, null])).toBeNull();
    expect(newest([])).toBeNull();
  });
});
