import { describe, expect, test } from 'vitest';
import type { Probe } from '../../api/types';
import { isIntervalChoice, probeFormSchema, toCheckInput, toProbeFormValues, toProbeInput } from './probeForm';

const stored: Probe = {
  id: 4,
  serverId: 2,
  name: 'db',
  description: 'primary',
  owner: 'alice',
  scheduleId: 3,
  windowBegin: '22:00',
  windowEnd: '06:00',
  intervalSeconds: 90,
  host: 'db.example',
  port: 5432,
  timeoutMs: null,
  enabled: false,
  thresholds: [],
  effectiveTimeoutMs: 2000,
  actualHost: 'db1.example',
  actualIpv4: '10.0.0.5',
  lastResult: null,
  version: 7,
  createdAt: '2026-01-01T00:00:00.000Z',
  createdBy: 'alice',
  updatedAt: '2026-01-01T00:00:00.000Z',
  updatedBy: 'alice',
};

describe('probe form values', () => {
  test('a new probe: owner is the signed-in user, every 5 minutes, own timeout of 5000 ms, enabled', () => {
    expect(toProbeFormValues(undefined, 'bob')).toMatchObject({
      owner: 'bob',
      scheduleId: null,
      intervalSeconds: 300,
      timeoutMode: 'own',
      timeoutMs: 5000,
      enabled: true,
    });
  });

  test('a stored probe without its own timeout inherits the server one', () => {
    expect(toProbeFormValues(stored)).toMatchObject({ timeoutMode: 'inherit', timeoutMs: 5000, windowBegin: '22:00', scheduleId: 3, enabled: false });
  });

  test('round trip: empty texts become null, inherit becomes timeoutMs null, names are trimmed', () => {
    const values = { ...toProbeFormValues(stored), name: '  db  ', description: '', owner: ' ', windowBegin: '', windowEnd: '' };
    expect(toProbeInput(values)).toEqual({
      name: 'db',
      description: null,
      owner: null,
      scheduleId: 3,
      windowBegin: null,
      windowEnd: null,
      intervalSeconds: 90,
      host: 'db.example',
      port: 5432,
      timeoutMs: null,
      enabled: false,
    });
    expect(toProbeInput({ ...values, timeoutMode: 'own', timeoutMs: 1500 }).timeoutMs).toBe(1500);
  });

  test('the connection test sends its own timeout only when the probe has one', () => {
    expect(toCheckInput({ host: ' h ', port: 80, timeoutMode: 'inherit', timeoutMs: 5000 }, 2)).toEqual({ host: 'h', port: 80, serverId: 2 });
    expect(toCheckInput({ host: 'h', port: 80, timeoutMode: 'own', timeoutMs: 700 }, 2)).toEqual({ host: 'h', port: 80, serverId: 2, timeoutMs: 700 });
  });

  test('the form itself asks only for what it cannot send without: name, host, a numeric port', () => {
    const result = probeFormSchema.safeParse({ ...toProbeFormValues(undefined), name: ' ', host: '' });
    expect(result.success).toBe(false);
    const messages = Object.fromEntries(result.error!.issues.map((issue) => [issue.path[0], issue.message]));
    expect(messages).toEqual({
      name: 'Give the probe a name, e.g. the service it checks',
      host: 'Enter the host name or IP address to connect to',
      port: 'Enter the TCP port as a number',
    });
    // Ranges are the gateway's to judge: its message lands on the field.
    expect(probeFormSchema.safeParse({ ...toProbeFormValues(undefined), name: 'x', host: 'h', port: 70000 }).success).toBe(true);
  });

  test('interval choices', () => {
    expect(isIntervalChoice(300)).toBe(true);
    expect(isIntervalChoice(90)).toBe(false);
  });
});
