import { describe, expect, it } from 'vitest';
import { ResultHistories } from '../../src/engine/result-histories.js';
import type { CheckResult } from '../../src/probing/types.js';

function success(startedAt: number, connectMs = 1.5): CheckResult {
  return { outcome: 'success', error: null, startedAt, dnsMs: 0.25, connectMs, actualHost: 'db.example.test', actualIpv4: '192.0.2.7', actualAddress: '192.0.2.7' };
}

function refused(startedAt: number): CheckResult {
  return { outcome: 'refused', error: 'connect ECONNREFUSED 192.0.2.7:5432', startedAt, dnsMs: null, connectMs: null, actualHost: null, actualIpv4: null, actualAddress: null };
}

describe('ResultHistories', () => {
  it('starts empty', () => {
    const histories = new ResultHistories(3);
    const slot = histories.open();
    expect(histories.latest(slot)).toBeNull();
    expect(histories.list(slot)).toEqual([]);
  });

  it('gives back every field, nulls included, newest first', () => {
    const histories = new ResultHistories(3);
    const slot = histories.open();
    histories.add(slot, success(1000, 0.125));
    histories.add(slot, refused(2000));
    expect(histories.latest(slot)).toEqual(refused(2000));
    expect(histories.list(slot)).toEqual([refused(2000), success(1000, 0.125)]);
    expect(histories.list(slot, 1)).toEqual([refused(2000)]);
  });

  it('keeps DNS and connect times to the microsecond, what the API shows of them', () => {
    const histories = new ResultHistories(2);
    const slot = histories.open();
    histories.add(slot, { ...success(1000, 12.3456789), dnsMs: 0.0004 });
    expect(histories.latest(slot)).toMatchObject({ connectMs: 12.346, dnsMs: 0 });
    histories.add(slot, { ...success(2000, 59_999.9999), dnsMs: 0 });
    expect(histories.latest(slot)).toMatchObject({ connectMs: 60_000, dnsMs: 0 });
  });

  it('keeps only the newest `capacity` results as the ring wraps, again and again', () => {
    const histories = new ResultHistories(3);
    const slot = histories.open();
    for (let i = 1; i <= 10; i++) {
      histories.add(slot, success(i * 1000));
      const expected = [i, i - 1, i - 2].filter((n) => n >= 1).map((n) => n * 1000);
      expect(histories.list(slot).map((r) => r.startedAt)).toEqual(expected);
    }
  });

  it('keeps slots apart, across growth to many slots', () => {
    const histories = new ResultHistories(2);
    const slots = Array.from({ length: 300 }, () => histories.open());
    expect(new Set(slots).size).toBe(300);
    slots.forEach((slot, i) => histories.add(slot, success(i)));
    slots.forEach((slot, i) => histories.add(slot, success(i + 0.5)));
    slots.forEach((slot, i) => expect(histories.list(slot).map((r) => r.startedAt)).toEqual([i + 0.5, i]));
  });

  it('reuses a closed slot, empty', () => {
    const histories = new ResultHistories(2);
    const first = histories.open();
    histories.add(first, success(1));
    histories.close(first);
    const again = histories.open();
    expect(again).toBe(first);
    expect(histories.latest(again)).toBeNull();
    histories.add(again, refused(5));
    expect(histories.list(again)).toEqual([refused(5)]);
  });

  it('records an address change, and keeps the older address on the older result', () => {
    const histories = new ResultHistories(3);
    const slot = histories.open();
    histories.add(slot, success(1));
    histories.add(slot, success(2));
    histories.add(slot, { ...success(3), actualIpv4: '192.0.2.8', actualAddress: '192.0.2.8' });
    expect(histories.list(slot).map((r) => r.actualIpv4)).toEqual(['192.0.2.8', '192.0.2.7', '192.0.2.7']);
  });

  it('keeps an IPv6 address, which has no IPv4, and forgets an error once its entry is reused', () => {
    const histories = new ResultHistories(2);
    const slot = histories.open();
    const overIpv6: CheckResult = { ...success(1), actualIpv4: null, actualAddress: '2001:db8::7' };
    histories.add(slot, overIpv6);
    histories.add(slot, refused(2));
    expect(histories.list(slot)).toEqual([refused(2), overIpv6]);
    histories.add(slot, success(3));
    histories.add(slot, success(4));
    expect(histories.list(slot)).toEqual([success(4), success(3)]);
  });

  it('keeps a deep check\'s handshake and response time but not its transcript; a plain result after it has neither key', () => {
    const histories = new ResultHistories(2);
    const slot = histories.open();
    const tls = {
      handshakeMs: 2.5, protocol: 'TLSv1.3', cipher: 'TLS_AES_256_GCM_SHA384', subject: 'CN=db.example.test', issuer: 'CN=CA',
      fingerprintSha256: '00'.repeat(32), notBefore: 0, notAfter: 1e12, chainExpiresAt: 1e12,
    };
    const deep: CheckResult = { ...success(1000), tls, responseMs: 4.25, transcript: [{ atMs: 4.25, direction: 'received', text: '+PONG' }] };
    const failedBeforeHandshake: CheckResult = { ...refused(2000), tls: null, responseMs: null, transcript: [] };
    histories.add(slot, deep);
    histories.add(slot, failedBeforeHandshake);
    expect(histories.list(slot)).toEqual([{ ...refused(2000), tls: null, responseMs: null }, { ...success(1000), tls, responseMs: 4.25 }]);
    // The ring reuses the deep entry's place: a plain result there reads back as plain (no tls key: metrics drop the series).
    histories.add(slot, success(3000));
    expect(histories.latest(slot)).toEqual(success(3000));
    expect(histories.latest(slot)).not.toHaveProperty('tls');
    histories.close(slot);
    const again = histories.open();
    histories.add(again, success(4000));
    expect(histories.latest(again)).not.toHaveProperty('responseMs');
  });

  it('refuses a capacity it cannot index', () => {
    expect(() => new ResultHistories(0)).toThrow(/1-255/);
    expect(() => new ResultHistories(256)).toThrow(/1-255/);
  });
});
