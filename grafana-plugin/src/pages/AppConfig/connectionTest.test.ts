import { describe, expect, test } from 'vitest';
import { GatewayError } from '../../api/errors';
import type { GatewayInfo } from '../../api/types';
import { describeConnection } from './connectionTest';

const ready = { ok: true as const, value: { status: 'ready' as const, store: 'ok' as const } };
const failure = (kind: GatewayError['kind'], status: number, message = 'x') => ({ ok: false as const, error: new GatewayError(kind, message, status) });
const gateway = (id: string, self: boolean, online = true): GatewayInfo => ({
  id, version: '0.1.0', address: null, registeredAt: '', lastSeenAt: '', online, self, state: online ? 'online' : 'offline', team: null, serverCount: 0,
});

describe('describeConnection', () => {
  test('ready and the token works: connected, naming the gateway and the others', () => {
    const report = describeConnection(ready, { ok: true, value: { items: [gateway('gw-main', true), gateway('gw-branch', false, false)] } });
    expect(report).toMatchObject({ verdict: 'connected', severity: 'success', title: 'Connected' });
    expect(report.detail).toBe('Gateway gw-main (version 0.1.0) is ready and accepts the token. Other gateways: gw-branch (offline).');
  });

  test('each failure of /readyz has its own verdict', () => {
    expect(describeConnection(failure('unreachable', 502))).toMatchObject({ verdict: 'unreachable', title: 'Gateway unreachable', severity: 'error' });
    expect(describeConnection(failure('unreachable', 502)).detail).toContain('(HTTP 502)');
    expect(describeConnection(failure('unreachable', 0)).detail).not.toContain('HTTP');
    expect(describeConnection(failure('notGateway', 404))).toMatchObject({ verdict: 'wrongUrl', title: 'Wrong gateway URL' });
    expect(describeConnection(failure('notReady', 503, 'The gateway is not ready.'))).toMatchObject({ verdict: 'notReady', severity: 'warning' });
    expect(describeConnection(failure('forbidden', 403))).toMatchObject({ verdict: 'forbidden' });
    expect(describeConnection(failure('server', 500, 'boom'))).toMatchObject({ verdict: 'failed', detail: 'boom' });
  });

  test('ready but the API refuses: bad token, or another error', () => {
    expect(describeConnection(ready, failure('unauthorized', 401))).toMatchObject({ verdict: 'badToken', title: 'Bad token' });
    expect(describeConnection(ready, failure('server', 500, 'boom')).detail).toContain('boom');
    expect(describeConnection(ready, failure('notGateway', 404)).verdict).toBe('wrongUrl');
  });
});
