// Who may do what, read from the same place Grafana enforces it: the `reqRole` of each gateway route in plugin.json.
// The UI hides controls a user's org role cannot use; Grafana's proxy still answers 403 if one slips through.
import { config } from '@grafana/runtime';
import pluginJson from './plugin.json';
import type { HttpMethod } from './api/client';

const ROLE_RANK: Record<string, number> = { None: 0, Viewer: 1, Editor: 2, Admin: 3 };

interface Route {
  path: string;
  method?: string;
  reqRole?: string;
}

/** The org role the first gateway route for `method` requires, as Grafana matches them; undefined when none routes it. */
export function requiredRole(method: HttpMethod, routes: readonly Route[] = pluginJson.routes): string | undefined {
  const route = routes.find((r) => r.path.startsWith('gateway/') && (!r.method || r.method === '*' || r.method === method));
  if (!route) return undefined;
  return route.reqRole ?? 'Viewer';
}

/** Whether an org role includes the role the gateway route for `method` requires (Admin ⊃ Editor ⊃ Viewer). */
export function roleAllows(orgRole: string | undefined, method: HttpMethod, routes?: readonly Route[]): boolean {
  const required = requiredRole(method, routes);
  if (required === undefined) return false;
  return (ROLE_RANK[orgRole ?? 'None'] ?? 0) >= (ROLE_RANK[required] ?? Number.POSITIVE_INFINITY);
}

export interface GatewayPermissions {
  /** Create and change servers and probes (POST, PUT, PATCH). */
  canEdit: boolean;
  /** Delete servers and probes (DELETE). */
  canDelete: boolean;
}

export function permissionsFor(orgRole: string | undefined): GatewayPermissions {
  return {
    canEdit: roleAllows(orgRole, 'POST') && roleAllows(orgRole, 'PATCH'),
    canDelete: roleAllows(orgRole, 'DELETE'),
  };
}

/** The signed-in user's permissions, from Grafana's boot data. */
export function usePermissions(): GatewayPermissions {
  return permissionsFor(config.bootData.user.orgRole);
}
