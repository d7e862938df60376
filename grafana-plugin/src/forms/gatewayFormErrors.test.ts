import { describe, expect, test } from 'vitest';
import { GatewayError } from '../api/errors';
import { formErrorsFrom, sentence, topLevelField } from './gatewayFormErrors';

const fields = ['name', 'connectTimeoutMs', 'thresholds'] as const;

describe('formErrorsFrom', () => {
  test('problems on shown fields go to the fields, capitalised', () => {
    const error = new GatewayError('validation', 'connectTimeoutMs must be between 100 and 60000', 400, [
      { field: 'connectTimeoutMs', message: 'must be between 100 and 60000' },
      { field: 'name', message: 'must not be empty' },
    ]);
    expect(formErrorsFrom(error, fields)).toEqual({
      fields: [
        { field: 'connectTimeoutMs', message: 'Must be between 100 and 60000' },
        { field: 'name', message: 'Must not be empty' },
      ],
      banner: null,
      staleVersion: false,
    });
  });

  test('nested paths land on their top-level field, the first problem per field wins', () => {
    const error = new GatewayError('validation', 'x', 400, [
      { field: 'thresholds[0].value', message: 'must be a percentage' },
      { field: 'thresholds[1].for', message: 'must be a duration' },
    ]);
    expect(formErrorsFrom(error, fields).fields).toEqual([{ field: 'thresholds', message: 'Must be a percentage' }]);
  });

  test('problems on fields the form does not show go to the banner', () => {
    const error = new GatewayError('validation', 'x', 400, [
      { field: 'name', message: 'must not be empty' },
      { field: 'enabled', message: 'must be a boolean' },
    ]);
    expect(formErrorsFrom(error, fields)).toMatchObject({ fields: [{ field: 'name' }], banner: 'enabled must be a boolean' });
  });

  test('without field problems the whole message is the banner', () => {
    const error = new GatewayError('unreachable', 'Grafana could not reach the gateway', 502);
    expect(formErrorsFrom(error, fields)).toEqual({ fields: [], banner: 'Grafana could not reach the gateway', staleVersion: false });
  });

  test('a form that places paths itself: each step of a list on its own entry, the rest in the banner', () => {
    const error = new GatewayError('validation', 'x', 400, [
      { field: 'dialogue[2].expect', message: 'must be a valid regular expression: Invalid regular expression: /(/: Unterminated group' },
      { field: 'tls.serverName', message: 'must be a DNS name (RFC 1123)' },
      { field: 'thresholds[0].value', message: 'must be a percentage' },
    ]);
    const place = (path: string) => (path.startsWith('dialogue[') ? `dialogue.${path.slice(9, path.indexOf(']'))}.text` : path === 'tls.serverName' ? 'tlsServerName' : undefined);
    expect(formErrorsFrom(error, place)).toEqual({
      fields: [
        { field: 'dialogue.2.text', message: 'Must be a valid regular expression: Invalid regular expression: /(/: Unterminated group' },
        { field: 'tlsServerName', message: 'Must be a DNS name (RFC 1123)' },
      ],
      banner: 'thresholds[0].value must be a percentage',
      staleVersion: false,
    });
  });

  test('a stale version is a banner with a reload, never a field error', () => {
    const error = new GatewayError('staleVersion', 'server 1 was changed by someone else', 409, [{ field: 'version', message: 'is stale' }]);
    expect(formErrorsFrom(error, [...fields, 'version'])).toEqual({ fields: [], banner: 'server 1 was changed by someone else', staleVersion: true });
  });
});

test('sentence and topLevelField', () => {
  expect(sentence('must be set')).toBe('Must be set');
  expect(sentence('')).toBe('');
  expect(topLevelField('thresholds[2].team')).toBe('thresholds');
  expect(topLevelField('windows.begin')).toBe('windows');
  expect(topLevelField('name')).toBe('name');
});
