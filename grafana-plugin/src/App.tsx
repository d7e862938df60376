// The app's root page: its routes under /a/probekit-tcpprobe-app/, and its settings for every page below.
import { Navigate, Route, Routes } from 'react-router-dom';
import type { AppRootProps } from '@grafana/data';
import { AppSettingsProvider } from './appSettings';
import { links, ROUTES } from './constants';
import { ProbeServersPage } from './pages/ProbeServers/ProbeServersPage';
import { ServerEditorPage } from './pages/ServerEditor/ServerEditorPage';
import { GatewaysPage } from './pages/Gateways/GatewaysPage';
import { ProbeDetailPage } from './pages/ProbeDetail/ProbeDetailPage';
import { ProbeEditorPage } from './pages/ProbeEditor/ProbeEditorPage';
import { ProbeServerPage } from './pages/ProbeServer/ProbeServerPage';
import { AlertRulesPage } from './pages/AlertRules/AlertRulesPage';
import { SharedAccountEditorPage } from './pages/SharedAccounts/SharedAccountEditorPage';
import { SharedAccountsPage } from './pages/SharedAccounts/SharedAccountsPage';
import type { AppJsonData } from './types';

export function App({ meta }: AppRootProps<AppJsonData>) {
  return (
    <AppSettingsProvider value={meta.jsonData ?? {}}>
      <Routes>
        <Route path={ROUTES.servers} element={<ProbeServersPage />} />
        <Route path={ROUTES.newServer} element={<ServerEditorPage />} />
        <Route path={ROUTES.editServer} element={<ServerEditorPage />} />
        <Route path={ROUTES.server} element={<ProbeServerPage />} />
        <Route path={ROUTES.newProbe} element={<ProbeEditorPage />} />
        <Route path={ROUTES.probe} element={<ProbeDetailPage />} />
        <Route path={ROUTES.editProbe} element={<ProbeEditorPage />} />
        <Route path={ROUTES.gateways} element={<GatewaysPage />} />
        <Route path={ROUTES.alertRules} element={<AlertRulesPage />} />
        <Route path={ROUTES.sharedAccounts} element={<SharedAccountsPage />} />
        <Route path={ROUTES.newSharedAccount} element={<SharedAccountEditorPage />} />
        <Route path={ROUTES.editSharedAccount} element={<SharedAccountEditorPage />} />
        <Route path="*" element={<Navigate to={links.servers()} replace />} />
      </Routes>
    </AppSettingsProvider>
  );
}
