// The form's rules against the gateway's: a value the form refuses the gateway refuses too, on the same field and in
// the same words, and what the form lets through the gateway takes. A drift in either shows up here.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { ProbeServer } from '../../api/types';
import { sentence, topLevelField } from '../../forms/gatewayFormErrors';
import { startTestGateway, type TestGateway } from '../../test/gatewayHarness';
import { newServerFormValues, serverFormSchema, serverFormValues, toServerInput, type ServerFormValues } from './serverForm';

let gateway: TestGateway;
beforeAll(async () => {
  gateway = await startTestGateway();
});
afterAll(async () => {
  await gateway?.close();
});

const base = (): ServerFormValues => ({ ...newServerFormValues('alice', ['gw-test']), name: 'contract' });

const refused: Array<[string, Partial<ServerFormValues>, keyof ServerFormValues]> = [
  ['an empty name', { name: '' }, 'name'],
  ['a name of 129 characters', { name: 'n'.repeat(129) }, 'name'],
  ['a description of 1025 characters', { description: 'd'.repeat(1025) }, 'description'],
  ['an organization of 129 characters', { organization: 'o'.repeat(129) }, 'organization'],
  ['an owner of 129 characters', { owner: 'o'.repeat(129) }, 'owner'],
  ['a role with a "!"', { role: 'prod!' }, 'role'],
  ['a site of 65 characters', { site: 's'.repeat(65) }, 'site'],
  ['no gateway', { gateways: [] }, 'gateways'],
  ['a gateway starting with "-"', { gateways: ['gw-test', '-gw'] }, 'gateways'],
  ['a gateway with a space', { gateways: ['gw one'] }, 'gateways'],
  ['a gateway of 65 characters', { gateways: ['g'.repeat(65)] }, 'gateways'],
  ['a gateway twice', { gateways: ['hq', 'branch-fra', 'hq'] }, 'gateways'],
  ['17 gateways', { gateways: Array.from({ length: 17 }, (_, i) => `gw-${i}`) }, 'gateways'],
  ['a shared account of 129 characters', { sharedAccount: 'a'.repeat(129) }, 'sharedAccount'],
  ['a network interface with a space', { networkInterface: 'eth 0' }, 'networkInterface'],
  ['a connect timeout of 50 ms', { connectTimeoutMs: 50 }, 'connectTimeoutMs'],
  ['a connect timeout of 60001 ms', { connectTimeoutMs: 60001 }, 'connectTimeoutMs'],
  ['a connect timeout of 100.5 ms', { connectTimeoutMs: 100.5 }, 'connectTimeoutMs'],
  ['no connect timeout', { connectTimeoutMs: Number.NaN }, 'connectTimeoutMs'],
];

describe("the form refuses what the gateway refuses, on the same field, in the gateway's words", () => {
  test.each(refused)('%s', async (_case, change, field) => {
    const values = { ...base(), ...change };
    const parsed = serverFormSchema.safeParse(values);
    expect(parsed.success).toBe(false);
    expect(new Set(parsed.error?.issues.map((issue) => issue.path[0]))).toEqual(new Set([field]));

    const answer = await gateway.seed.send('POST', '/api/v1/servers', toServerInput(values));
    expect(answer.status).toBe(400);
    // A problem with one entry is named by its place, e.g. gateways[1]; the form shows it on the list's field.
    expect(topLevelField(answer.body.field)).toBe(field);
    expect(parsed.error?.issues[0]?.path.join('.')).toBe(answer.body.field.replace(/\[(\d+)\]/g, '.$1'));
    expect(parsed.error?.issues[0]?.message).toBe(sentence(answer.body.problems[0].message));
  });
});

describe('what the form accepts the gateway takes', () => {
  test('every field at its limit', async () => {
    const values: ServerFormValues = {
      name: 'n'.repeat(128),
      description: 'd'.repeat(1024),
      organization: 'o'.repeat(128),
      owner: 'w'.repeat(128),
      role: 'Production / EU: tier-1_a.b',
      site: 's'.repeat(64),
      gateways: ['gw-2.eu_west', 'hq', ...Array.from({ length: 13 }, (_, i) => `gw-${i}`), 'g'.repeat(64)],
      sharedAccount: 'a'.repeat(128),
      networkInterface: 'fe80::1%eth0',
      connectTimeoutMs: 60000,
      enabled: false,
    };
    // A server names a shared account that exists.
    await gateway.seed.request('POST', '/api/v1/shared-accounts', { name: values.sharedAccount });
    const parsed = serverFormSchema.parse(values);
    const answer = await gateway.seed.send('POST', '/api/v1/servers', toServerInput(parsed));
    expect(answer.status).toBe(201);
    expect(serverFormValues(answer.body as ProbeServer)).toEqual(values);
  });

  test('spaces around texts are trimmed before sending', () => {
    const parsed = serverFormSchema.parse({ ...base(), name: '  erp-prod ', site: ' fra ' });
    expect(toServerInput(parsed)).toMatchObject({ name: 'erp-prod', site: 'fra' });
  });
});

describe('conversions', () => {
  test('empty texts are sent as null, the gateway then uses its defaults; the locations are sent in the order picked', async () => {
    const input = toServerInput({ ...base(), gateways: ['gw-test', 'branch-fra'], owner: '' });
    expect(input).toEqual({
      name: 'contract',
      description: null,
      organization: null,
      owner: null,
      role: null,
      site: null,
      gateways: ['gw-test', 'branch-fra'],
      sharedAccount: null,
      networkInterface: null,
      connectTimeoutMs: 2000,
      enabled: true,
    });
    const created = await gateway.seed.createServer({ ...input, name: 'defaults' });
    expect(created.gateways).toEqual(['gw-test', 'branch-fra']);
  });

  test('a new server starts with the given owner and gateways, 2000 ms, enabled', () => {
    expect(newServerFormValues('alice', ['gw-1'])).toMatchObject({ owner: 'alice', gateways: ['gw-1'], connectTimeoutMs: 2000, enabled: true, name: '' });
  });
});
