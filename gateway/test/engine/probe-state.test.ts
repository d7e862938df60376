// The pure decisions behind /api/v1/status's reason and the check at once after a save, with plain inputs.
import { describe, expect, it } from 'vitest';
import { explainState, SAVED_SINCE_START_SKEW_MS, wantsCheckAtOnce, type PlacementFacts, type StateFacts } from '../../src/engine/probe-state.js';

const running: StateFacts = {
  probeEnabled: true, serverEnabled: true, local: true, gatewayOnline: true, windowOpen: true, inWindow: true, available: true,
};

describe('explainState', () => {
  it.each([
    ['up', {}, 'up', null],
    ['down', { available: false }, 'down', null],
    ['probe disabled, before everything else', { probeEnabled: false, serverEnabled: false, windowOpen: false }, 'disabled', 'disabled'],
    ['server disabled', { serverEnabled: false }, 'disabled', 'server_disabled'],
    ['another gateway, offline: its stored result is stale', { local: false, gatewayOnline: false }, 'nodata', 'gateway_offline'],
    ['this gateway is never offline', { gatewayOnline: false }, 'up', null],
    ['window closed, with an old result', { windowOpen: false, inWindow: false }, 'nodata', 'outside_window'],
    ['no result yet', { available: null }, 'nodata', 'not_checked_yet'],
    ['held back by a hand-over', { inWindow: false }, 'nodata', 'not_checked_yet'],
  ] as const)('%s', (_name, facts, state, reason) => {
    expect(explainState({ ...running, ...facts })).toEqual({ state, reason });
  });
});

describe('wantsCheckAtOnce', () => {
  const STARTED = Date.UTC(2026, 5, 15, 12);
  const target = { host: 'db.example.com', port: 5432, timeoutMs: 2000, networkInterface: null };
  const placed = (facts: Partial<PlacementFacts>): boolean => wantsCheckAtOnce({
    previous: null, next: target, probeSavedAt: STARTED + 5000, serverSavedAt: STARTED - 86_400_000, movedHereAt: null, engineStartedAt: STARTED, ...facts,
  });

  it('checks a probe created or enabled since the engine started, or whose server was enabled since', () => {
    expect(placed({})).toBe(true);
    expect(placed({ probeSavedAt: STARTED - 86_400_000, serverSavedAt: STARTED + 5000 })).toBe(true);
  });

  it('leaves probes saved before the engine started on their slots (an agent filling an empty store), allowing for clock skew', () => {
    expect(placed({ probeSavedAt: STARTED - 86_400_000 })).toBe(false);
    expect(placed({ probeSavedAt: STARTED - SAVED_SINCE_START_SKEW_MS })).toBe(true);
    expect(placed({ probeSavedAt: STARTED - SAVED_SINCE_START_SKEW_MS - 1 })).toBe(false);
  });

  it('checks again when host, port, timeout or network interface change, and not for other edits', () => {
    expect(placed({ previous: target })).toBe(false);
    for (const change of [{ host: 'db2.example.com' }, { port: 5433 }, { timeoutMs: 3000 }, { networkInterface: 'eth1' }]) {
      expect(placed({ previous: target, next: { ...target, ...change } }), JSON.stringify(change)).toBe(true);
    }
    expect(placed({ previous: { ...target, networkInterface: undefined }, next: target })).toBe(false);
  });

  it('checks again when the IP version, TLS settings or dialogue change; absent is the same as their default', () => {
    const deep = { ...target, ipVersion: '6' as const, tls: { serverName: null, verify: true, minVersion: null }, dialogue: [{ expect: '^220 ' }] };
    expect(placed({ previous: deep, next: { ...deep, tls: { ...deep.tls }, dialogue: [{ expect: '^220 ' }] } })).toBe(false);
    for (const change of [{ ipVersion: '4' as const }, { tls: { ...deep.tls, verify: false } }, { tls: null }, { dialogue: [{ expect: '^250 ' }] }, { dialogue: null }]) {
      expect(placed({ previous: deep, next: { ...deep, ...change } }), JSON.stringify(change)).toBe(true);
    }
    expect(placed({ previous: target, next: { ...target, ipVersion: 'auto', tls: null, dialogue: null } })).toBe(false);
  });

  it('does not check a server moved here: the old gateway ran its slots until the hand-over', () => {
    expect(placed({ serverSavedAt: STARTED + 9000, movedHereAt: STARTED + 9000 })).toBe(false);
    // Created on the server after it moved here: a new probe like any other.
    expect(placed({ movedHereAt: STARTED + 1000, probeSavedAt: STARTED + 5000 })).toBe(true);
  });
});
