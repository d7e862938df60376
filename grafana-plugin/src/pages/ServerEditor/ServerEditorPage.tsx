// Create a probe server (servers/new) or edit one (servers/:serverId/edit). Viewers see the server read-only.
import { useState } from 'react';
import { useParams, useNavigate } from 'react-router-dom';
import { PluginPage, config } from '@grafana/runtime';
import { Alert, LoadingPlaceholder } from '@grafana/ui';
import { listGateways } from '../../api/gateways';
import { createServer, getServer, updateServer } from '../../api/servers';
import { listAllSharedAccounts } from '../../api/sharedAccounts';
import type { GatewaysResponse, ProbeServer } from '../../api/types';
import { syncRulesAfterChange } from '../../alerting/sync';
import { GatewayErrorAlert } from '../../components/GatewayErrorAlert';
import { ThresholdsAndAlerts } from '../../components/ThresholdsAndAlerts/ThresholdsAndAlerts';
import { links } from '../../constants';
import { useLoad } from '../../hooks/useLoad';
import { usePermissions } from '../../permissions';
import { ServerForm } from './ServerForm';
import { newServerFormValues, serverFormValues, toServerInput, type ServerFormValues } from './serverForm';

interface EditorData {
  gateways: GatewaysResponse['items'];
  sharedAccounts: string[];
  /** Null when creating. */
  server: ProbeServer | null;
}

export function ServerEditorPage() {
  const { serverId } = useParams();
  const id = serverId === undefined ? null : Number(serverId);
  const navigate = useNavigate();
  const { canEdit } = usePermissions();
  // Saving thresholds below the form gives the server a new version; the form's save then builds on it.
  const [thresholdsVersion, setThresholdsVersion] = useState(0);
  const data = useLoad<EditorData>(async () => {
    const [gateways, sharedAccounts, server] = await Promise.all([
      listGateways().then((response) => response.items),
      listAllSharedAccounts().then((accounts) => accounts.map((account) => account.name)),
      id === null ? Promise.resolve(null) : getServer(id),
    ]);
    return { gateways, sharedAccounts, server };
  }, [id]);

  const backToList = () => navigate(links.servers());
  const server = data.value?.server ?? null;
  const title = id === null ? 'New probe server' : server ? `${canEdit ? 'Edit' : 'Probe server'} ${server.name}` : 'Probe server';

  const save = async (values: ServerFormValues) => {
    const input = toServerInput(values);
    const saved = server === null ? await createServer(input) : await updateServer(server.id, { ...input, version: Math.max(server.version, thresholdsVersion) });
    await syncRulesAfterChange(saved.id);
    backToList();
  };

  const initialValues = (loaded: EditorData): ServerFormValues => {
    if (loaded.server) return serverFormValues(loaded.server);
    const self = loaded.gateways.find((gateway) => gateway.self);
    return newServerFormValues(config.bootData.user.login, self ? [self.id] : []);
  };

  return (
    <PluginPage pageNav={{ text: title }}>
      {!canEdit && (
        <Alert severity="info" title={id === null ? 'Creating probe servers needs the Editor role' : 'Read-only'}>
          {id === null ? 'Ask an editor or admin of this organization.' : 'Changing probe servers needs the Editor role in this organization.'}
        </Alert>
      )}
      {data.error && <GatewayErrorAlert error={data.error} title="The probe server could not be loaded" onRetry={data.reload} />}
      {data.loading && !data.value && <LoadingPlaceholder text="Loading..." />}
      {data.value && (canEdit || data.value.server) && (
        <ServerForm
          // A reload after a conflict brings a new version: start the form over from it.
          key={data.value.server?.version ?? 'new'}
          initialValues={initialValues(data.value)}
          gateways={data.value.gateways}
          sharedAccounts={data.value.sharedAccounts}
          readOnly={!canEdit}
          submitLabel={id === null ? 'Create probe server' : 'Save changes'}
          onSubmit={save}
          onCancel={backToList}
          onReload={data.reload}
        />
      )}
      {data.value?.server && <ThresholdsAndAlerts serverId={data.value.server.id} onSaved={(saved) => setThresholdsVersion(saved.version)} />}
    </PluginPage>
  );
}
