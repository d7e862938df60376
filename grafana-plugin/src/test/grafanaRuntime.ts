// A stand-in for the Grafana around the plugin, replaced exactly where the plugin meets it:
// - the server: the app's plugin route proxy (plugin.json `routes`: first route whose method and path match, its
//   reqRole checked against the signed-in user's org role, `{{ .JsonData.x }}` / `{{ .SecureJsonData.x }}` filled in,
//   X-Grafana-User added as with `send_user_header`, the request forwarded over real HTTP, 502/504 when the target
//   cannot be reached) and the app's settings endpoint (`/api/plugins/<id>/settings`, kept in memory);
// - the frontend services Grafana installs at boot: `setBackendSrv` (fetch with Grafana's response and FetchError
//   shapes), `setDataSourceSrv` (a list of data sources), `setFolderPicker` (a plain select of folders) and
//   `setPluginImportUtils` (panel plugins for scenes: each panel type a box naming how many series it got);
// - the signed-in user in `config.bootData.user` (login, org role).
// Everything else in @grafana/runtime, @grafana/ui and @grafana/data is the real package.
import { type ChangeEvent, createElement } from 'react';
import {
  config,
  setBackendSrv,
  setDataSourceSrv,
  setFolderPicker,
  setPluginImportUtils,
  type BackendSrv,
  type BackendSrvRequest,
  type DataSourceSrv,
  type FetchError,
  type FetchResponse,
  type GetDataSourceListFilters,
} from '@grafana/runtime';
import { PanelPlugin, PluginType, type DataSourceInstanceSettings, type DataSourceRef, type PanelPluginMeta } from '@grafana/data';
import { Observable } from 'rxjs';
import { backendSrvFromFetch } from './backendSrvFromFetch';
import pluginJson from '../plugin.json';
import { matchRoute, type PluginRoute } from '../pluginRoutes';
import type { AppJsonData, AppSecureJsonData } from '../types';
import { FakeGrafanaAlerting } from './fakeGrafanaAlerting';
import { emptyResponse, jsonResponse, roleIncludes, servePluginSettings, type FakeFolder, type OrgRole, type PluginSettings, type RawResponse } from './grafanaHttp';

export type { PluginRoute } from '../pluginRoutes';
export { emptyResponse, jsonResponse, roleIncludes, type FakeFolder, type OrgRole, type PluginSettings, type RawResponse } from './grafanaHttp';

/** One request the plugin made through the backend service, with Grafana's answer. */
export interface RecordedRequest {
  method: string;
  url: string;
  body: unknown;
  status: number;
}

/** One request the proxy forwarded to the target (the gateway), with the headers Grafana added. */
export interface ForwardedRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
}

export interface FakeGrafanaOptions {
  /** Points the app at a gateway: jsonData.gatewayUrl and secureJsonData.gatewayToken. */
  gateway?: { url: string; token: string };
  jsonData?: AppJsonData;
  user?: { login?: string; name?: string; orgRole?: OrgRole };
  /** Grafana's `[dataproxy] send_user_header`; on by default, as the app's README asks. */
  sendUserHeader?: boolean;
  dataSources?: DataSourceInstanceSettings[];
  folders?: FakeFolder[];
  /** How long the proxy waits for the target before answering 504 (Grafana's dataproxy timeout). */
  proxyTimeoutMs?: number;
}

/** Go's text/template as Grafana uses it on routes: a missing key renders "<no value>". */
function interpolate(template: string, settings: PluginSettings): string {
  return template.replace(/\{\{\s*\.(JsonData|SecureJsonData)\.(\w+)\s*\}\}/g, (_match, scope: string, key: string) => {
    const source = (scope === 'JsonData' ? settings.jsonData : settings.secureJsonData) as Record<string, unknown>;
    const value = source[key];
    return value === undefined || value === null ? '<no value>' : String(value);
  });
}

/** Grafana's util.JoinURLFragments. */
function joinUrlFragments(a: string, b: string): string {
  if (b === '') return a;
  const aSlash = a.endsWith('/');
  const bSlash = b.startsWith('/');
  if (aSlash && bSlash) return a + b.slice(1);
  if (!aSlash && !bSlash) return `${a}/${b}`;
  return a + b;
}

export class FakeGrafana {
  readonly pluginId: string = pluginJson.id;
  readonly routes: PluginRoute[] = pluginJson.routes;
  readonly settings: PluginSettings;
  /** Every request the plugin made, in order. */
  readonly requests: RecordedRequest[] = [];
  /** Every request the proxy forwarded to its target, with the headers Grafana added. */
  readonly forwarded: ForwardedRequest[] = [];
  /** Error toasts Grafana would have shown (requests without `showErrorAlert: false`). */
  readonly errorAlerts: string[] = [];
  /** Grafana's alerting and folder APIs (fakeGrafanaAlerting.ts): rule groups, contact points, rule states, notifications. */
  readonly alerting: FakeGrafanaAlerting = new FakeGrafanaAlerting(this);
  sendUserHeader: boolean;
  dataSources: DataSourceInstanceSettings[];
  folders: FakeFolder[];
  private readonly proxyTimeoutMs: number;

  constructor(options: FakeGrafanaOptions = {}) {
    this.settings = {
      enabled: true,
      pinned: true,
      jsonData: { ...(options.gateway ? { gatewayUrl: options.gateway.url } : {}), ...options.jsonData },
      secureJsonData: options.gateway ? { gatewayToken: options.gateway.token } : {},
    };
    this.sendUserHeader = options.sendUserHeader ?? true;
    this.dataSources = options.dataSources ?? DEFAULT_DATA_SOURCES;
    this.folders = options.folders ?? DEFAULT_FOLDERS;
    this.proxyTimeoutMs = options.proxyTimeoutMs ?? 10_000;
    this.signInAs(options.user?.orgRole ?? 'Admin', options.user?.login ?? 'admin', options.user?.name);
  }

  /** Changes the signed-in user, as Grafana's boot data would carry them. */
  signInAs(orgRole: OrgRole, login = orgRole.toLowerCase(), name = login): void {
    Object.assign(config.bootData.user, { isSignedIn: true, login, name, orgRole, orgId: 1 });
  }

  get user() {
    return config.bootData.user;
  }

  /** Points the stored settings at another gateway URL and/or token, as if an admin had saved them. */
  configure(jsonData: Partial<AppJsonData>, secureJsonData: Partial<AppSecureJsonData> = {}): void {
    Object.assign(this.settings.jsonData, jsonData);
    Object.assign(this.settings.secureJsonData, secureJsonData);
  }

  /** Requests made to the gateway route, as `METHOD /path` (without the proxy prefix). */
  gatewayCalls(): string[] {
    const prefix = `/api/plugin-proxy/${this.pluginId}/gateway`;
    return this.requests.filter((r) => r.url.startsWith(prefix)).map((r) => `${r.method} ${r.url.slice(prefix.length)}`);
  }

  /** Grafana's server: the app's settings, its route proxy, and 404 for anything else. */
  async serve(method: string, url: string, headers: Headers, body: string | undefined): Promise<RawResponse> {
    const { pathname, search } = new URL(url, 'http://grafana.invalid');
    const proxyPrefix = `/api/plugin-proxy/${this.pluginId}/`;
    if (pathname === `/api/plugins/${this.pluginId}/settings`) return servePluginSettings(this.settings, this.user.orgRole, method, body);
    if (pathname.startsWith(proxyPrefix)) return this.proxy(method, pathname.slice(proxyPrefix.length), search, headers, body);
    const alerting = await this.alerting.serve(method, pathname, search, headers, body);
    if (alerting) return alerting;
    return jsonResponse(404, { message: 'Not found' });
  }

  private async proxy(method: string, proxyPath: string, search: string, incoming: Headers, body: string | undefined): Promise<RawResponse> {
    const matched = matchRoute(this.routes, method, proxyPath);
    if (matched?.route.reqRole && !roleIncludes(this.user.orgRole, matched.route.reqRole)) {
      return jsonResponse(403, { message: 'plugin proxy route access denied' });
    }
    if (!matched) return jsonResponse(404, { message: 'plugin route match not found' });

    let target: URL;
    try {
      target = new URL(interpolate(matched.route.url ?? '', this.settings));
      if (target.protocol !== 'http:' && target.protocol !== 'https:') throw new Error(`unsupported protocol scheme ${target.protocol}`);
    } catch {
      // Grafana's reverse proxy fails the round trip ("unsupported protocol scheme") and answers 502 with no body.
      return emptyResponse(502);
    }
    target.pathname = joinUrlFragments(target.pathname === '/' ? '' : target.pathname, matched.rest);
    target.search = search;

    const headers: Record<string, string> = {};
    for (const name of ['accept', 'content-type', 'x-grafana-org-id']) {
      const value = incoming.get(name);
      if (value !== null) headers[name] = value;
    }
    if (this.sendUserHeader && this.user.login) headers['x-grafana-user'] = this.user.login;
    for (const header of matched.route.headers ?? []) headers[header.name.toLowerCase()] = interpolate(header.content, this.settings);
    this.forwarded.push({ method, url: target.toString(), headers });

    try {
      const response = await fetch(target, { method, headers, body, signal: AbortSignal.timeout(this.proxyTimeoutMs) });
      const text = await response.text();
      const responseHeaders = new Headers(response.headers);
      responseHeaders.delete('set-cookie');
      return { status: response.status, statusText: response.statusText, headers: responseHeaders, text };
    } catch (error) {
      return emptyResponse((error as Error).name === 'TimeoutError' ? 504 : 502);
    }
  }

  /** Grafana's frontend backend service over `serve`: the shapes `getBackendSrv()` gives the plugin. */
  readonly backendSrv: BackendSrv = createBackendSrv(this);

  readonly dataSourceSrv: DataSourceSrv = createDataSourceSrv(() => this.dataSources);

  /** Installs this Grafana's services where @grafana/runtime hands them out. */
  install(): this {
    setBackendSrv(this.backendSrv);
    setDataSourceSrv(this.dataSourceSrv);
    setFolderPicker((props) => TestFolderPicker({ ...props, folders: this.folders }));
    installPanelPlugins();
    this.alerting.install();
    return this;
  }
}

/** A panel plugin of type `id` that shows `N series` (Grafana's own panels live in Grafana, not in a package). */
function testPanelPlugin(id: string): PanelPlugin {
  const plugin = new PanelPlugin(({ data }) => createElement('div', { 'data-testid': `panel-${id}` }, `${data.series.length} series`));
  plugin.meta = {
    id,
    name: id,
    type: PluginType.panel,
    module: '',
    baseUrl: '',
    sort: 1,
    info: { author: { name: '' }, description: '', links: [], logos: { small: '', large: '' }, screenshots: [], updated: '', version: '' },
  } as PanelPluginMeta;
  return plugin;
}

let panelPluginsInstalled = false;

/** Grafana hands scenes its panel plugins at boot, once: @grafana/runtime refuses a second setPluginImportUtils. */
function installPanelPlugins(): void {
  if (panelPluginsInstalled) return;
  panelPluginsInstalled = true;
  try {
    setPluginImportUtils({ importPanelPlugin: async (id: string) => testPanelPlugin(id), getPanelPluginFromCache: () => undefined });
  } catch {
    // Set already in this module graph (test files share one; see vitest.config.ts).
  }
}

/** Creates a FakeGrafana and installs it: the usual first line of a page test. */
export function installFakeGrafana(options: FakeGrafanaOptions = {}): FakeGrafana {
  return new FakeGrafana(options).install();
}

/** Query parameters the way Grafana serializes `params` (undefined and null left out). */
function serializeParams(params: Record<string, unknown> | undefined): string {
  if (!params) return '';
  return Object.entries(params)
    .filter(([, value]) => value !== undefined && value !== null)
    .flatMap(([key, value]) => (Array.isArray(value) ? value : [value]).map((v) => `${encodeURIComponent(key)}=${encodeURIComponent(String(v))}`))
    .join('&');
}

function parseBody(text: string, responseType: BackendSrvRequest['responseType']): unknown {
  if (responseType === 'text') return text;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/**
 * Grafana's backend service: JSON bodies, `params`, parsed responses; non-2xx become a FetchError whose text `data` is
 * wrapped as `{message, error, response}`. Not emulated: Grafana's one retry after a 401 (it pings the session and
 * repeats the request once; the caller then sees the same error) and request cancellation by requestId.
 */
function createBackendSrv(grafana: FakeGrafana): BackendSrv {
  const fetchFn = <T>(options: BackendSrvRequest): Observable<FetchResponse<T>> =>
    new Observable<FetchResponse<T>>((subscriber) => {
      const method = (options.method ?? 'GET').toUpperCase();
      const query = serializeParams(options.params);
      const url = query === '' ? options.url : `${options.url}${options.url.includes('?') ? '&' : '?'}${query}`;
      const headers = new Headers(options.headers ?? {});
      headers.set('X-Grafana-Org-Id', String(config.bootData.user.orgId ?? 1));
      let body: string | undefined;
      if (options.data !== undefined) {
        body = typeof options.data === 'string' ? options.data : JSON.stringify(options.data);
        if (typeof options.data !== 'string' && !headers.has('content-type')) headers.set('content-type', 'application/json');
      }
      grafana
        .serve(method, url, headers, body)
        .then((raw) => {
          const data = parseBody(raw.text, options.responseType);
          grafana.requests.push({ method, url, body: options.data, status: raw.status });
          const ok = raw.status >= 200 && raw.status < 300;
          if (ok) {
            subscriber.next({ data: data as T, status: raw.status, statusText: raw.statusText, ok, headers: raw.headers, redirected: false, type: 'basic', url, config: options });
            subscriber.complete();
            return;
          }
          let errorData = data ?? { message: 'Unexpected error' };
          if (typeof errorData === 'string') errorData = { message: errorData, error: raw.statusText, response: errorData };
          const shaped = errorData as { message?: string; error?: unknown };
          if (!shaped.message && typeof shaped.error === 'string') shaped.message = shaped.error;
          if (options.showErrorAlert !== false && shaped.message) grafana.errorAlerts.push(shaped.message);
          const error: FetchError = { status: raw.status, statusText: raw.statusText, data: errorData, config: options };
          subscriber.error(error);
        })
        .catch((error: unknown) => subscriber.error(error));
    });

  return backendSrvFromFetch(fetchFn, 'the test Grafana');
}

function createDataSourceSrv(list: () => DataSourceInstanceSettings[]): DataSourceSrv {
  const find = (ref?: DataSourceRef | string | null) => {
    if (ref === undefined || ref === null) return undefined;
    const key = typeof ref === 'string' ? ref : ref.uid;
    return list().find((ds) => ds.uid === key || ds.name === key);
  };
  return {
    get: async (ref) => {
      throw new Error(`the test Grafana has no data source instances (asked for ${JSON.stringify(ref)})`);
    },
    getList: (filters: GetDataSourceListFilters = {}) =>
      list().filter((ds) => {
        const types = filters.type === undefined ? undefined : ([] as string[]).concat(filters.type);
        if (types && !types.includes(ds.type)) return false;
        if (filters.pluginId && ds.meta.id !== filters.pluginId) return false;
        if (filters.metrics && !ds.meta.metrics) return false;
        return filters.filter ? filters.filter(ds) : true;
      }),
    getInstanceSettings: (ref) => find(ref),
    reload: () => {},
    registerRuntimeDataSource: () => {},
  };
}

/** A data source as Grafana lists it to pickers. */
export function dataSource(uid: string, name: string, type: string, metrics = true): DataSourceInstanceSettings {
  return {
    id: uid.length,
    uid,
    name,
    type,
    access: 'proxy',
    readOnly: false,
    jsonData: {},
    meta: { id: type, name: type, type: 'datasource', module: '', baseUrl: '', metrics, info: { author: { name: '' }, description: '', links: [], logos: { small: '', large: '' }, screenshots: [], updated: '', version: '' } },
  } as unknown as DataSourceInstanceSettings;
}

export const DEFAULT_DATA_SOURCES = [dataSource('prom-main', 'Prometheus', 'prometheus'), dataSource('loki-main', 'Loki', 'loki', false)];

export const DEFAULT_FOLDERS: FakeFolder[] = [
  { uid: 'folder-probes', title: 'Probe alerts' },
  { uid: 'folder-ops', title: 'Operations' },
];

interface TestFolderPickerProps {
  value?: string;
  onChange?: (folderUid: string | undefined, folderName: string | undefined) => void;
  folders: FakeFolder[];
}

/** Grafana's folder picker reduced to a native select, labelled "Folder picker". */
function TestFolderPicker({ value, onChange, folders }: TestFolderPickerProps) {
  return createElement(
    'select',
    {
      'aria-label': 'Folder picker',
      value: value ?? '',
      onChange: (event: ChangeEvent<HTMLSelectElement>) => {
        const folder = folders.find((f) => f.uid === event.target.value);
        onChange?.(folder?.uid, folder?.title);
      },
    },
    createElement('option', { value: '' }, 'Choose a folder'),
    ...folders.map((folder) => createElement('option', { key: folder.uid, value: folder.uid }, folder.title)),
  );
}
