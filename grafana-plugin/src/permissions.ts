// Who may do what, read from the same place Grafana enforces it: the `reqRole` of each gateway route in plugin.json.
// The UI hides controls a user's org role cannot use; Grafana's proxy still answers 403 if one slips through.
import { config } from '@grafana/runtime';
import pluginJson from './plugin.json';
import type { HttpMethod } from './api/client';
import { matchRoute, type PluginRoute } from './pluginRoutes';

const ROLE_RANK: Record<string, number> = { None: 0, Viewer: 1, Editor: 2, Admin: 3 };

/** The proxy path of the servers and probes the app edits: the routes every gateway object follows. */
const OBJECTS_PATH = 'gateway/api/v1/servers';
/** Shared accounts hold credentials: their writes have admin-only routes of their own. */
const SHARED_ACCOUNTS_PATH = 'gateway/api/v1/shared-accounts';

/**
 * The org role the gateway route for `method` on `path` requires, as Grafana matches them (the first matching route);
 * undefined when none routes it.
 */
export function requiredRole(method: HttpMethod, routes: readonly PluginRoute[] = pluginJson.routes, path = OBJECTS_PATH): string | undefined {
  const matched = matchRoute(routes, method, path);
  if (!matched) return undefined;
  return matched.route.reqRole ?? 'Viewer';
}

/** Whether an org role includes the role the gateway route for `method` on `path` requires (Admin ⊃ Editor ⊃ Viewer). */
export function roleAllows(orgRole: string | undefined, method: HttpMethod, routes?: readonly PluginRoute[], path?: string): boolean {
  const required = requiredRole(method, routes, path);
  if (required === undefined) return false;
  return (ROLE_RANK[orgRole ?? 'None'] ?? 0) >= (ROLE_RANK[required] ?? Number.POSITIVE_INFINITY);
}

export interface GatewayPermissions {
  /** Create and change servers and probes (POST, PUT, PATCH). */
  canEdit: boolean;
  /** Delete servers and probes (DELETE). */
  canDelete: boolean;
  /** Create, change and delete shared accounts. */
  canManageAccounts: boolean;
}

export function permissionsFor(orgRole: string | undefined): GatewayPermissions {
  const may = (method: HttpMethod, path?: string) => roleAllows(orgRole, method, undefined, path);
  return {
    canEdit: may('POST') && may('PATCH'),
    canDelete: may('DELETE'),
    canManageAccounts: may('POST', SHARED_ACCOUNTS_PATH) && may('PUT', `${SHARED_ACCOUNTS_PATH}/1`) && may('DELETE', `${SHARED_ACCOUNTS_PATH}/1`),
  };
}

/** The signed-in user's permissions, from Grafana's boot data. */
export function usePermissions(): GatewayPermissions {
  return permissionsFor(config.bootData.user.orgRole);
}
