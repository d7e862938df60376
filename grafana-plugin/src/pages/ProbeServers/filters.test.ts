import { describe, expect, test } from 'vitest';
import type { ProbeServer } from '../../api/types';
import { filterChoices, filterServers, hasFilters, NO_FILTERS } from './filters';

const server = (id: number, fields: Partial<ProbeServer>): ProbeServer => ({
  id, name: `s${id}`, description: null, organization: null, owner: null, role: null, site: null, gateways: ['gw-a'],
  sharedAccount: null, networkInterface: null, connectTimeoutMs: 2000, enabled: true, thresholds: [], probeCount: 0,
  version: 1, createdAt: '', createdBy: 'x', updatedAt: '', updatedBy: 'x', ...fields,
});

const servers = [
  server(1, { name: 'erp-prod', role: 'production', site: 'fra', description: 'SAP ERP', owner: 'alice' }),
  server(2, { name: 'erp-qa', role: 'quality', site: 'fra', gateways: ['gw-b', 'gw-a'], organization: 'Finance' }),
  server(3, { name: 'crm-prod', role: 'production', site: 'ber' }),
];

describe('filterServers', () => {
  test('no filters keep everything', () => {
    expect(filterServers(servers, NO_FILTERS)).toHaveLength(3);
  });

  test('role, site and gateway must all match; a gateway matches any of a server\'s locations', () => {
    expect(filterServers(servers, { ...NO_FILTERS, role: 'production' }).map((s) => s.id)).toEqual([1, 3]);
    expect(filterServers(servers, { ...NO_FILTERS, role: 'production', site: 'fra' }).map((s) => s.id)).toEqual([1]);
    expect(filterServers(servers, { ...NO_FILTERS, gateway: 'gw-b' }).map((s) => s.id)).toEqual([2]);
    // A server runs from every gateway in its list, not only its first.
    expect(filterServers(servers, { ...NO_FILTERS, gateway: 'gw-a' }).map((s) => s.id)).toEqual([1, 2, 3]);
  });

  test('search looks in name, description, owner and organization, ignoring case', () => {
    expect(filterServers(servers, { ...NO_FILTERS, search: 'ERP' }).map((s) => s.id)).toEqual([1, 2]);
    expect(filterServers(servers, { ...NO_FILTERS, search: 'sap' }).map((s) => s.id)).toEqual([1]);
    expect(filterServers(servers, { ...NO_FILTERS, search: 'ALICE' }).map((s) => s.id)).toEqual([1]);
    expect(filterServers(servers, { ...NO_FILTERS, search: 'finance' }).map((s) => s.id)).toEqual([2]);
    expect(filterServers(servers, { ...NO_FILTERS, search: '  ' })).toHaveLength(3);
  });
});

test('filterChoices offers the distinct values present, sorted', () => {
  expect(filterChoices(servers)).toEqual({ roles: ['production', 'quality'], sites: ['ber', 'fra'], gateways: ['gw-a', 'gw-b'] });
  expect(filterChoices([])).toEqual({ roles: [], sites: [], gateways: [] });
});

test('hasFilters', () => {
  expect(hasFilters(NO_FILTERS)).toBe(false);
  expect(hasFilters({ ...NO_FILTERS, search: ' x ' })).toBe(true);
  expect(hasFilters({ ...NO_FILTERS, site: 'fra' })).toBe(true);
});
