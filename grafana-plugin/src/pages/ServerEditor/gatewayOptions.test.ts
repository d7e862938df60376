import { describe, expect, test } from 'vitest';
import type { GatewayInfo } from '../../api/types';
import { gatewayOptions, listErrorMessage } from './gatewayOptions';

const gateway = (id: string, state: GatewayInfo['state'], extra: Partial<GatewayInfo> = {}): GatewayInfo => ({
  id, version: null, address: null, registeredAt: null, lastSeenAt: null, online: state === 'online', self: false, state, team: null, serverCount: 0, ...extra,
});

describe('gateway options', () => {
  test('each gateway with its state in the label and what is known of it in the description', () => {
    const options = gatewayOptions(
      [gateway('hq', 'online', { self: true, serverCount: 3 }), gateway('branch-ber', 'offline', { serverCount: 1, team: 'net-ber' }), gateway('aws-eu', 'never_seen')],
      [],
    );
    expect(options).toEqual([
      { value: 'hq', label: 'hq (online)', description: 'the gateway Grafana talks to, 3 servers' },
      { value: 'branch-ber', label: 'branch-ber (offline)', description: '1 server, path alerts to team net-ber' },
      { value: 'aws-eu', label: 'aws-eu (never seen)', description: 'no servers yet' },
    ]);
  });

  test('a picked name no gateway has announced is offered as never seen', () => {
    expect(gatewayOptions([gateway('hq', 'online')], ['hq', 'branch-muc']).map((option) => option.label)).toEqual(['hq (online)', 'branch-muc (never seen)']);
  });

  test("the list field's one message: the list's own, else the first entry's naming it", () => {
    expect(listErrorMessage(undefined, [])).toBeUndefined();
    expect(listErrorMessage({ type: 'too_small', message: 'Must have at least 1 entries' }, [])).toBe('Must have at least 1 entries');
    const entries = Object.assign([undefined, { type: 'custom', message: 'Must start with a letter' }], {}) as never;
    expect(listErrorMessage(entries, ['hq', '-x'])).toBe('"-x": Must start with a letter');
  });
});
