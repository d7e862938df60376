import { describe, expect, test } from 'vitest';
import { permissionsFor, requiredRole, roleAllows } from './permissions';

describe('permissions from plugin.json routes', () => {
  test('each verb needs the role its route names', () => {
    expect(requiredRole('GET')).toBe('Viewer');
    expect(requiredRole('POST')).toBe('Editor');
    expect(requiredRole('PUT')).toBe('Editor');
    expect(requiredRole('PATCH')).toBe('Editor');
    expect(requiredRole('DELETE')).toBe('Admin');
  });

  test('shared accounts: anyone may list them, only admins write them', () => {
    expect(requiredRole('GET', undefined, 'gateway/api/v1/shared-accounts')).toBe('Viewer');
    expect(requiredRole('POST', undefined, 'gateway/api/v1/shared-accounts')).toBe('Admin');
    expect(requiredRole('PUT', undefined, 'gateway/api/v1/shared-accounts/3')).toBe('Admin');
    expect(requiredRole('DELETE', undefined, 'gateway/api/v1/shared-accounts/3')).toBe('Admin');
    // Everything else keeps its route: an editor still creates servers, probes and Test connections.
    expect(requiredRole('POST', undefined, 'gateway/api/v1/check')).toBe('Editor');
    expect(requiredRole('PUT', undefined, 'gateway/api/v1/servers/3')).toBe('Editor');
  });

  test('higher roles include lower ones; no role includes nothing', () => {
    expect(roleAllows('Admin', 'POST')).toBe(true);
    expect(roleAllows('Editor', 'DELETE')).toBe(false);
    expect(roleAllows('Viewer', 'GET')).toBe(true);
    expect(roleAllows('None', 'GET')).toBe(false);
    expect(roleAllows(undefined, 'GET')).toBe(false);
  });

  test('the first matching route wins, and an unrouted verb is allowed to nobody', () => {
    const routes = [
      { path: 'gateway/*', method: 'GET', reqRole: 'Editor' },
      { path: 'gateway/*', method: '*', reqRole: 'Viewer' },
    ];
    expect(requiredRole('GET', routes)).toBe('Editor');
    expect(requiredRole('DELETE', routes)).toBe('Viewer');
    expect(roleAllows('Admin', 'DELETE', [{ path: 'gateway/*', method: 'GET' }])).toBe(false);
  });

  test('viewers read, editors change, admins also delete', () => {
    expect(permissionsFor('Viewer')).toEqual({ canEdit: false, canDelete: false, canManageAccounts: false });
    expect(permissionsFor('Editor')).toEqual({ canEdit: true, canDelete: false, canManageAccounts: false });
    expect(permissionsFor('Admin')).toEqual({ canEdit: true, canDelete: true, canManageAccounts: true });
  });
});
