import { describe, expect, test } from 'vitest';
import { GatewayError, toGatewayError } from './errors';

const fetchError = (status: number, data: unknown, statusText = '') => ({ status, statusText, data, config: { url: '/x' } });
const gatewayBody = (statusCode: number, message: string, problems?: Array<{ field: string; message: string }>) => ({
  statusCode,
  error: 'x',
  message,
  ...(problems ? { field: problems[0]!.field, problems } : {}),
});

describe('toGatewayError', () => {
  test('a 400 keeps every field problem the gateway named', () => {
    const error = toGatewayError(fetchError(400, gatewayBody(400, 'port must be between 1 and 65535', [
      { field: 'port', message: 'must be between 1 and 65535' },
      { field: 'name', message: 'must not be empty' },
    ])));
    expect(error).toBeInstanceOf(GatewayError);
    expect(error).toMatchObject({ kind: 'validation', status: 400, message: 'port must be between 1 and 65535', field: 'port' });
    expect(error.problems).toHaveLength(2);
  });

  test('a 409 on version is a stale version; on another field a plain conflict', () => {
    const stale = toGatewayError(fetchError(409, gatewayBody(409, 'server 1 was changed by someone else', [{ field: 'version', message: 'is stale: current is 3' }])));
    expect(stale.kind).toBe('staleVersion');
    expect(stale.isStaleVersion).toBe(true);
    const taken = toGatewayError(fetchError(409, gatewayBody(409, 'name "a" is already used', [{ field: 'name', message: '"a" is already used by another server' }])));
    expect(taken).toMatchObject({ kind: 'conflict', field: 'name', isStaleVersion: false });
  });

  test('a field without a problems list still becomes one problem', () => {
    expect(toGatewayError(fetchError(400, { statusCode: 400, message: 'host is bad', field: 'host' })).problems).toEqual([{ field: 'host', message: 'host is bad' }]);
  });

  test('404 and 401 from the gateway', () => {
    expect(toGatewayError(fetchError(404, gatewayBody(404, 'server 9 does not exist')))).toMatchObject({ kind: 'notFound', message: 'server 9 does not exist' });
    const unauthorized = toGatewayError(fetchError(401, gatewayBody(401, 'the bearer token is not valid')));
    expect(unauthorized.kind).toBe('unauthorized');
    expect(unauthorized.message).toContain('the bearer token is not valid');
    expect(unauthorized.message).toContain('GATEWAY_API_TOKEN');
  });

  test('Grafana could not reach the gateway: 502, 504, no response at all', () => {
    expect(toGatewayError(fetchError(502, { message: 'Bad Gateway', error: 'Bad Gateway', response: '' }, 'Bad Gateway')).kind).toBe('unreachable');
    expect(toGatewayError(fetchError(504, '')).kind).toBe('unreachable');
    expect(toGatewayError(new TypeError('Failed to fetch'))).toMatchObject({ kind: 'unreachable', status: 0 });
  });

  test('an answer that is not the gateway: an HTML page or a foreign 404', () => {
    const html = '<!DOCTYPE html><html><body>Not here</body></html>';
    expect(toGatewayError(fetchError(404, { message: html, error: 'Not Found', response: html }, 'Not Found')).kind).toBe('notGateway');
    expect(toGatewayError(fetchError(405, { message: html, response: html })).kind).toBe('notGateway');
    expect(toGatewayError(fetchError(404, { message: '404 page not found' })).kind).toBe('notGateway');
  });

  test("Grafana's own answers: role denied, no route", () => {
    expect(toGatewayError(fetchError(403, { message: 'plugin proxy route access denied' }))).toMatchObject({ kind: 'forbidden' });
    expect(toGatewayError(fetchError(404, { message: 'plugin route match not found' })).kind).toBe('server');
  });

  test('/readyz answering 503 is not ready, with what it said', () => {
    const error = toGatewayError(fetchError(503, { status: 'starting', store: 'unavailable' }));
    expect(error.kind).toBe('notReady');
    expect(error.message).toContain('store unavailable');
  });

  test('a GatewayError passes through unchanged', () => {
    const error = new GatewayError('notFound', 'gone', 404);
    expect(toGatewayError(error)).toBe(error);
  });
});
