// Grafana's server answers that the jsdom tests' Grafana (grafanaRuntime.ts) and the preview host (preview/) both
// give: response shapes, org roles, and the app's settings endpoint. Free of Grafana's frontend packages, so the
// preview's Node server can load it.
import pluginJson from '../plugin.json' with { type: 'json' };
import type { AppJsonData, AppSecureJsonData } from '../types';

export type OrgRole = 'Viewer' | 'Editor' | 'Admin';

const ROLE_RANK: Record<string, number> = { None: 0, Viewer: 1, Editor: 2, Admin: 3 };

/** Whether `role` includes `required`, as Grafana's org roles do (Admin ⊃ Editor ⊃ Viewer). */
export function roleIncludes(role: string, required: string): boolean {
  return (ROLE_RANK[role] ?? 0) >= (ROLE_RANK[required] ?? Number.POSITIVE_INFINITY);
}

/** What Grafana's server answered, before the frontend's backend service parses it. */
export interface RawResponse {
  status: number;
  statusText: string;
  headers: Headers;
  text: string;
}

const STATUS_TEXT: Record<number, string> = {
  200: 'OK', 201: 'Created', 204: 'No Content', 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden',
  404: 'Not Found', 405: 'Method Not Allowed', 409: 'Conflict', 500: 'Internal Server Error', 502: 'Bad Gateway',
  503: 'Service Unavailable', 504: 'Gateway Timeout',
};

export function jsonResponse(status: number, body: unknown): RawResponse {
  return { status, statusText: STATUS_TEXT[status] ?? '', headers: new Headers({ 'content-type': 'application/json; charset=UTF-8' }), text: JSON.stringify(body) };
}

export const emptyResponse = (status: number): RawResponse => ({ status, statusText: STATUS_TEXT[status] ?? '', headers: new Headers(), text: '' });

export interface FakeFolder {
  uid: string;
  title: string;
}

export interface PluginSettings {
  enabled: boolean;
  pinned: boolean;
  jsonData: AppJsonData;
  /** Never sent back to the browser; GET answers with `secureJsonFields` instead. */
  secureJsonData: AppSecureJsonData;
}

/**
 * `/api/plugins/<id>/settings`: GET for every user (jsonData and which secrets are set), POST for org admins only;
 * `settings` is changed in place.
 */
export function servePluginSettings(settings: PluginSettings, orgRole: string, method: string, body: string | undefined): RawResponse {
  if (method === 'GET') {
    const { enabled, pinned, jsonData, secureJsonData } = settings;
    const secureJsonFields = Object.fromEntries(Object.keys(secureJsonData).map((key) => [key, true]));
    return jsonResponse(200, { id: pluginJson.id, type: 'app', name: pluginJson.name, enabled, pinned, jsonData, secureJsonFields });
  }
  if (method !== 'POST') return jsonResponse(405, { message: 'Method not allowed' });
  if (!roleIncludes(orgRole, 'Admin')) return jsonResponse(403, { message: 'Permission denied' });
  const update = JSON.parse(body ?? '{}') as Partial<PluginSettings>;
  if (update.enabled !== undefined) settings.enabled = update.enabled;
  if (update.pinned !== undefined) settings.pinned = update.pinned;
  if (update.jsonData !== undefined) settings.jsonData = { ...update.jsonData };
  for (const [key, value] of Object.entries(update.secureJsonData ?? {})) {
    const secrets = settings.secureJsonData as Record<string, string>;
    // An empty value removes the secret ("reset"); Grafana stores it empty, the app treats both as not configured.
    if (value === '' || value === null) delete secrets[key];
    else secrets[key] = String(value);
  }
  return jsonResponse(200, { message: 'Plugin settings updated' });
}
