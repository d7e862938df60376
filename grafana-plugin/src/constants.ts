// Names and paths shared by the whole plugin: its id, where its pages live and where its gateway route starts.
import pluginJson from './plugin.json';

export const PLUGIN_ID = pluginJson.id;

/** Base of the app's pages in Grafana's URL space. */
export const PLUGIN_BASE_URL = `/a/${PLUGIN_ID}`;

/** Grafana's proxy to the gateway: the `gateway/*` routes of plugin.json, one per HTTP verb. */
export const GATEWAY_PROXY_URL = `/api/plugin-proxy/${PLUGIN_ID}/gateway`;

/** Where Grafana keeps this app's settings (jsonData, secureJsonData). */
export const PLUGIN_SETTINGS_URL = `/api/plugins/${PLUGIN_ID}/settings`;

/** Page routes, relative to PLUGIN_BASE_URL. */
export const ROUTES = {
  servers: 'servers',
  newServer: 'servers/new',
  editServer: 'servers/:serverId/edit',
  server: 'servers/:serverId',
  probe: 'probes/:probeId',
  newProbe: 'servers/:serverId/probes/new',
  editProbe: 'probes/:probeId/edit',
  gateways: 'gateways',
  alertRules: 'alert-rules',
  sharedAccounts: 'shared-accounts',
  newSharedAccount: 'shared-accounts/new',
  editSharedAccount: 'shared-accounts/:accountId/edit',
} as const;

/** Absolute links to the app's pages. */
export const links = {
  servers: () => `${PLUGIN_BASE_URL}/servers`,
  newServer: () => `${PLUGIN_BASE_URL}/servers/new`,
  editServer: (id: number) => `${PLUGIN_BASE_URL}/servers/${id}/edit`,
  server: (id: number) => `${PLUGIN_BASE_URL}/servers/${id}`,
  probe: (id: number) => `${PLUGIN_BASE_URL}/probes/${id}`,
  newProbe: (serverId: number) => `${PLUGIN_BASE_URL}/servers/${serverId}/probes/new`,
  editProbe: (id: number) => `${PLUGIN_BASE_URL}/probes/${id}/edit`,
  gateways: () => `${PLUGIN_BASE_URL}/gateways`,
  alertRules: () => `${PLUGIN_BASE_URL}/alert-rules`,
  sharedAccounts: () => `${PLUGIN_BASE_URL}/shared-accounts`,
  newSharedAccount: () => `${PLUGIN_BASE_URL}/shared-accounts/new`,
  editSharedAccount: (id: number) => `${PLUGIN_BASE_URL}/shared-accounts/${id}/edit`,
  config: () => `/plugins/${PLUGIN_ID}`,
};
