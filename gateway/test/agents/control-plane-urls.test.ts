// The choice of control-plane URL, with plain inputs: fail over at once, back off only when all failed, return to the first.
import { describe, expect, it } from 'vitest';
import { ControlPlaneUrls, RETURN_AFTER_MS, type UrlSwitch } from '../../src/agents/control-plane-urls.js';

const [A, B, C] = ['http://a', 'http://b', 'http://c'];

function urls(...list: string[]) {
  const switches: UrlSwitch[] = [];
  return { urls: new ControlPlaneUrls(list, (s) => switches.push(s)), switches };
}

describe('ControlPlaneUrls', () => {
  it('stays on the first URL while it answers', () => {
    const { urls: u, switches } = urls(A, B);
    u.succeeded(A);
    expect(u.pick(0)).toBe(A);
    expect(switches).toEqual([]);
  });

  it('moves to the next URL at once on a failure, and backs off only when every URL failed in a row', () => {
    const { urls: u, switches } = urls(A, B, C);
    expect(u.failed(A, 0)).toBe(false);
    expect(u.pick(1)).toBe(B);
    expect(u.failed(B, 2)).toBe(false);
    expect(u.pick(3)).toBe(C);
    expect(u.failed(C, 4)).toBe(true);
    expect(u.exhaustedRounds).toBe(1);
    expect(u.pick(5)).toBe(A);
    expect(u.failed(A, 6)).toBe(true);
    expect(u.exhaustedRounds).toBe(2);
    expect(switches).toEqual([
      { from: A, to: B, kind: 'failover' },
      { from: B, to: C, kind: 'failover' },
      { from: C, to: A, kind: 'failover' },
      { from: A, to: B, kind: 'failover' },
    ]);
    u.succeeded(B);
    expect(u.exhaustedRounds).toBe(0);
    expect(u.failed(B, 7)).toBe(false);
  });

  it('with one URL, backs off after each failure and never switches', () => {
    const { urls: u, switches } = urls(A);
    expect(u.failed(A, 0)).toBe(true);
    expect(u.pick(1)).toBe(A);
    expect(switches).toEqual([]);
  });

  it('does not blame the current URL for a request that went elsewhere', () => {
    const { urls: u, switches } = urls(A, B);
    u.failed(A, 0);
    // A heartbeat sent to A before the switch fails late: B stays current.
    expect(u.failed(A, 100)).toBe(false);
    expect(u.currentUrl).toBe(B);
    expect(switches).toHaveLength(1);
  });

  it('tries the first URL again once its last failure is RETURN_AFTER_MS old, and returns to it when it answers', () => {
    const { urls: u, switches } = urls(A, B);
    u.failed(A, 1000);
    expect(u.pick(1000 + RETURN_AFTER_MS - 1)).toBe(B);
    expect(u.pick(1000 + RETURN_AFTER_MS)).toBe(A);
    // The try fails: back to B at once, no back-off, and A left alone for another RETURN_AFTER_MS.
    expect(u.failed(A, 1000 + RETURN_AFTER_MS)).toBe(false);
    expect(u.currentUrl).toBe(B);
    expect(u.pick(1000 + 2 * RETURN_AFTER_MS - 1)).toBe(B);
    expect(u.pick(1000 + 2 * RETURN_AFTER_MS)).toBe(A);
    u.succeeded(A);
    expect(u.currentUrl).toBe(A);
    expect(u.pick(1000 + 2 * RETURN_AFTER_MS + 1)).toBe(A);
    expect(switches).toEqual([{ from: A, to: B, kind: 'failover' }, { from: B, to: A, kind: 'return' }]);
  });

  it('refuses an empty list', () => {
    expect(() => new ControlPlaneUrls([])).toThrow(/at least one/);
  });
});
