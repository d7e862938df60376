// The preview's page: what Grafana provides a plugin at run time, then the app's root page from src/module.tsx at
// /a/probekit-tcpprobe-app/* and its configuration page at /plugins/probekit-tcpprobe-app (Grafana's plugin page).
// Boot data (user, settings, the Prometheus data source) is put on the page by the preview server before this runs.
import { StrictMode, useLayoutEffect, useState, type ReactNode } from 'react';
import { createRoot } from 'react-dom/client';
import { Navigate, Route, Router, Routes } from 'react-router-dom';
import { from, of } from 'rxjs';
import { catchError, map } from 'rxjs/operators';
import {
  createTheme,
  EventBusSrv,
  LoadingState,
  ThemeContext,
  type AppPluginMeta,
  type DataSourceInstanceSettings,
  type DataSourceRef,
} from '@grafana/data';
import {
  config,
  FakeEchoSrv,
  locationService,
  setAppEvents,
  setBackendSrv,
  setDataSourceSrv,
  setEchoSrv,
  setFolderPicker,
  setPluginImportUtils,
  setRunRequest,
  toDataQueryError,
  type DataSourceSrv,
} from '@grafana/runtime';
import { GlobalStyles, Tab, TabsBar } from '@grafana/ui';
// The setter behind @grafana/runtime's PluginPage, which Grafana calls at boot; the package does not export it.
import { setPluginPage } from 'grafana-runtime-internal/PluginPage';
import { plugin } from '../src/module';
import pluginJson from '../src/plugin.json';
import type { AppJsonData } from '../src/types';
import { createBackendSrv } from './backendSrv';
import { PreviewFolderPicker } from './folderPicker';
import { PreviewNotifications } from './notifications';
import { OverviewDashboardPage } from './dashboard';
import { OVERVIEW_PATH } from './paths';
import { previewPanelPlugin } from './panels';
import { PreviewPrometheus } from './prometheus';
import { PreviewPluginPage, PreviewShell } from './shell';

interface PreviewBoot {
  enabled: boolean;
  jsonData: AppJsonData;
  secureJsonFields: Record<string, boolean>;
  prometheus: DataSourceInstanceSettings;
}
const boot = (window as unknown as { previewBoot: PreviewBoot }).previewBoot;

setBackendSrv(createBackendSrv(config.bootData.user.orgId));
setEchoSrv(new FakeEchoSrv());
const appEvents = new EventBusSrv();
setAppEvents(appEvents);
setPluginPage(PreviewPluginPage);
setFolderPicker(PreviewFolderPicker);
setPluginImportUtils({ importPanelPlugin: async (id) => previewPanelPlugin(id), getPanelPluginFromCache: (id) => previewPanelPlugin(id) });

const dataSources = [boot.prometheus];
const instances = new Map(dataSources.map((settings) => [settings.uid, new PreviewPrometheus(settings)]));
const findSettings = (ref?: DataSourceRef | string | null) => {
  const key = typeof ref === 'string' ? ref : ref?.uid;
  return dataSources.find((ds) => ds.uid === key || ds.name === key);
};
setDataSourceSrv({
  get: async (ref) => {
    const settings = findSettings(ref as DataSourceRef);
    const instance = settings && instances.get(settings.uid);
    if (!instance) throw new Error(`Data source ${JSON.stringify(ref)} was not found`);
    return instance;
  },
  getList: () => dataSources,
  getInstanceSettings: (ref) => findSettings(ref as DataSourceRef),
  reload: () => {},
  registerRuntimeDataSource: () => {},
} as DataSourceSrv);

// Grafana's query pipeline reduced to what the scene needs: the data source's answer as panel data.
setRunRequest((datasource, request) =>
  from(datasource.query(request) as Parameters<typeof from>[0]).pipe(
    map((response) => ({ state: LoadingState.Done, series: (response as { data: [] }).data, timeRange: request.range, request })),
    catchError((error: unknown) => of({ state: LoadingState.Error, series: [], errors: [toDataQueryError(error as Error)], timeRange: request.range, request })),
  ),
);

// Grafana routes clicks on plain links to its own pages through its history instead of loading the page again.
document.addEventListener('click', (event) => {
  const anchor = (event.target as Element | null)?.closest?.('a');
  if (!anchor || event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  if (anchor.target && anchor.target !== '_self') return;
  const url = new URL(anchor.href, window.location.href);
  if (url.origin !== window.location.origin) return;
  event.preventDefault();
  locationService.push(url.pathname + url.search + url.hash);
});

/** react-router over Grafana's history (locationService), as Grafana's own router is. */
function GrafanaRouter({ children }: { children: ReactNode }) {
  const history = locationService.getHistory();
  const [state, setState] = useState({ location: history.location, action: history.action });
  useLayoutEffect(() => history.listen((location: typeof history.location, action: typeof history.action) => setState({ location, action })), [history]);
  return (
    <Router navigator={history} location={state.location} navigationType={state.action as never}>
      {children}
    </Router>
  );
}

const meta: AppPluginMeta<AppJsonData> = {
  ...(pluginJson as unknown as AppPluginMeta<AppJsonData>),
  enabled: boot.enabled,
  pinned: true,
  jsonData: boot.jsonData,
  secureJsonFields: boot.secureJsonFields,
  baseUrl: `public/plugins/${pluginJson.id}`,
  module: `public/plugins/${pluginJson.id}/module.js`,
};
plugin.meta = meta;
const Root = plugin.root!;
const basename = `/a/${pluginJson.id}`;

/** Grafana's plugin page (Administration > Plugins > the app) with the app's configuration pages as its tabs. */
function PluginConfigPage() {
  const pages = plugin.configPages ?? [];
  const current = pages.find((candidate) => candidate.id === new URLSearchParams(locationService.getLocation().search).get('page')) ?? pages[0];
  if (!current) return null;
  const Body = current.body;
  return (
    <PreviewPluginPage pageNav={{ text: pluginJson.name, subTitle: pluginJson.info.description }}>
      <TabsBar>
        {pages.map((candidate) => (
          <Tab key={candidate.id} label={candidate.title} icon={candidate.icon} active={candidate === current} href={`/plugins/${pluginJson.id}?page=${candidate.id}`} />
        ))}
      </TabsBar>
      <div style={{ paddingTop: 16 }}>
        <Body plugin={plugin} query={{}} />
      </div>
    </PreviewPluginPage>
  );
}

function AppRoute() {
  return (
    <Routes>
      <Route path={`${basename}/*`} element={<Root meta={meta} basename={basename} path={basename} query={{}} onNavChanged={() => {}} />} />
      <Route path={`/plugins/${pluginJson.id}`} element={<PluginConfigPage />} />
      <Route path={`${OVERVIEW_PATH}/*`} element={<OverviewDashboardPage />} />
      <Route path="*" element={<Navigate to={`${basename}/servers`} replace />} />
    </Routes>
  );
}

const theme = createTheme({ colors: { mode: 'dark' } });
createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <ThemeContext.Provider value={theme}>
      <GlobalStyles />
      <GrafanaRouter>
        <PreviewShell>
          <AppRoute />
        </PreviewShell>
        <PreviewNotifications events={appEvents} />
      </GrafanaRouter>
    </ThemeContext.Provider>
  </StrictMode>,
);
