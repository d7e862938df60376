import { describe, expect, test } from 'vitest';
import type { LocationStatus, ProbeStatus } from '../../api/types';
import { locationFacts } from './locationFacts';

describe('location facts', () => {
  const status = {
    nextCheckAt: '2026-01-01T10:00:05Z', windowOpensAt: '2026-01-01T12:00:00Z', timeliness: 'late', missedSlotAt: '2026-01-01T10:00:00Z', missedSlotReason: 'late',
  } as ProbeStatus;
  const location = (extra: Partial<LocationStatus>): LocationStatus => ({ gateway: 'hq', state: 'up', reason: null, inWindow: true, lastResult: null, self: false, ...extra });

  test("the next check and the slot's timeliness only for the gateway that answers", () => {
    expect(locationFacts(status, location({ self: true }))).toMatchObject({ nextCheckAt: status.nextCheckAt, timeliness: 'late', missedSlotReason: 'late' });
    expect(locationFacts(status, location({}))).toMatchObject({ state: 'up', nextCheckAt: null, timeliness: null, missedSlotAt: null, missedSlotReason: null });
  });

  test("a location outside the window opens when the probe's window does", () => {
    expect(locationFacts(status, location({ state: 'nodata', reason: 'outside_window' })).windowOpensAt).toBe(status.windowOpensAt);
    expect(locationFacts(status, location({ state: 'nodata', reason: 'gateway_offline' })).windowOpensAt).toBeNull();
  });
});
