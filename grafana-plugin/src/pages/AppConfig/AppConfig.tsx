// The app's configuration page (Administration > Plugins > probekit): where Grafana reaches the gateway and with
// which token, the Prometheus that scrapes it, where alert rules go; Save, and Test connection on what was saved.
import { useState } from 'react';
import { Controller, useForm } from 'react-hook-form';
import { zodResolver } from '@hookform/resolvers/zod';
import { css } from '@emotion/css';
import type { AppPluginMeta, GrafanaTheme2, PluginConfigPageProps } from '@grafana/data';
import { DataSourcePicker, FolderPicker } from '@grafana/runtime';
import { Alert, Button, Field, FieldSet, Input, SecretInput, Stack, useStyles2 } from '@grafana/ui';
import type { AppJsonData } from '../../types';
import { configFormSchema, toConfigFormValues, toJsonData, type ConfigFormValues } from './configForm';
import { testConnection, type ConnectionReport } from './connectionTest';
import { savePluginSettings, settingsErrorMessage } from './pluginSettings';

export type AppConfigProps = PluginConfigPageProps<AppPluginMeta<AppJsonData>>;

export function AppConfig({ plugin }: AppConfigProps) {
  const styles = useStyles2(getStyles);
  const { enabled, jsonData, secureJsonFields } = plugin.meta;
  const [saved, setSaved] = useState({ jsonData: jsonData ?? {}, enabled: Boolean(enabled) });
  const [saveState, setSaveState] = useState<{ error?: string; done?: boolean }>({});
  const [report, setReport] = useState<ConnectionReport | null>(null);
  const [testing, setTesting] = useState(false);

  const {
    control,
    register,
    handleSubmit,
    reset,
    setValue,
    watch,
    formState: { errors, isDirty, isSubmitting },
  } = useForm<ConfigFormValues>({
    resolver: zodResolver(configFormSchema),
    defaultValues: toConfigFormValues(jsonData, Boolean(secureJsonFields?.gatewayToken)),
  });
  const tokenConfigured = watch('tokenConfigured');

  const onSave = async (values: ConfigFormValues) => {
    setSaveState({});
    setReport(null);
    const nextJsonData = toJsonData(values);
    try {
      // Without secureJsonData Grafana keeps the stored token.
      await savePluginSettings({
        enabled: true,
        pinned: true,
        jsonData: nextJsonData,
        ...(values.tokenConfigured ? {} : { secureJsonData: { gatewayToken: values.token } }),
      });
    } catch (error) {
      setSaveState({ error: settingsErrorMessage(error) });
      return;
    }
    setSaved({ jsonData: nextJsonData, enabled: true });
    reset(toConfigFormValues(nextJsonData, true));
    setSaveState({ done: true });
  };

  const onTest = async () => {
    setTesting(true);
    setReport(null);
    try {
      setReport(await testConnection(saved.jsonData.gatewayUrl));
    } finally {
      setTesting(false);
    }
  };

  return (
    <form onSubmit={handleSubmit(onSave)} className={styles.form} aria-label="App configuration">
      {!saved.enabled && (
        <Alert severity="info" title="The app is not enabled">
          Saving these settings enables it for this organization.
        </Alert>
      )}

      <FieldSet label="Gateway">
        <Field
          label="Gateway URL"
          description="Where the Grafana server reaches the probekit gateway: scheme, host and port, e.g. http://probekit-gateway:8080."
          invalid={Boolean(errors.gatewayUrl)}
          error={errors.gatewayUrl?.message}
          htmlFor="config-gateway-url"
          required
        >
          <Input id="config-gateway-url" {...register('gatewayUrl')} placeholder="http://probekit-gateway:8080" width={60} />
        </Field>
        <Field
          label="API token"
          description="The gateway's GATEWAY_API_TOKEN (or the content of gateway/data/api-token). Grafana stores it encrypted and adds it to every request; it is never shown again."
          invalid={Boolean(errors.token)}
          error={errors.token?.message}
          htmlFor="config-token"
          required
        >
          {/* SecretInput takes no ref, so it is controlled rather than registered. */}
          <Controller
            name="token"
            control={control}
            render={({ field }) => (
              <SecretInput
                id="config-token"
                value={field.value}
                onChange={field.onChange}
                onBlur={field.onBlur}
                isConfigured={tokenConfigured}
                onReset={() => {
                  setValue('tokenConfigured', false, { shouldDirty: true });
                  field.onChange('');
                }}
                width={60}
                placeholder="Paste the gateway's API token"
              />
            )}
          />
        </Field>
      </FieldSet>

      <FieldSet label="Metrics">
        <Field
          label="Prometheus data source"
          description="The Prometheus that scrapes the gateway's /metrics; probe charts and alert rules query it."
          htmlFor="config-prometheus"
        >
          <Controller
            name="prometheusUid"
            control={control}
            render={({ field }) => (
              <DataSourcePicker
                inputId="config-prometheus"
                type="prometheus"
                noDefault
                current={field.value || null}
                onChange={(ds) => field.onChange(ds.uid)}
                onClear={() => field.onChange('')}
                width={60}
              />
            )}
          />
        </Field>
      </FieldSet>

      <FieldSet label="Alerting">
        <Field label="Alert rule folder" description="The Grafana folder that holds the alert rules made from probe thresholds.">
          <Controller
            name="alertFolderUid"
            control={control}
            render={({ field }) => (
              <FolderPicker
                value={field.value || undefined}
                onChange={(uid, title) => {
                  field.onChange(uid ?? '');
                  setValue('alertFolderTitle', title ?? '', { shouldDirty: true });
                }}
              />
            )}
          />
        </Field>
        <Field
          label="Default team"
          description="The team label of alerts whose threshold names no team; notification policies route on it."
          invalid={Boolean(errors.defaultTeam)}
          error={errors.defaultTeam?.message}
          htmlFor="config-default-team"
        >
          <Input id="config-default-team" {...register('defaultTeam')} placeholder="sre" width={30} />
        </Field>
      </FieldSet>

      <Stack gap={1}>
        <Button type="submit" disabled={isSubmitting}>
          Save settings
        </Button>
        <Button type="button" variant="secondary" icon={testing ? 'spinner' : 'heart-rate'} disabled={testing} onClick={onTest}>
          Test connection
        </Button>
      </Stack>
      {isDirty && <div className={styles.hint}>The test uses the saved settings: save your changes first.</div>}

      {saveState.error && (
        <Alert severity="error" title="Settings not saved">
          {saveState.error}
        </Alert>
      )}
      {saveState.done && !report && (
        <Alert severity="success" title="Settings saved">
          Test the connection to check them.
        </Alert>
      )}
      {report && (
        <Alert severity={report.severity} title={report.title} aria-label="Connection test result">
          {report.detail}
        </Alert>
      )}
    </form>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  form: css({ maxWidth: theme.spacing(100), display: 'flex', flexDirection: 'column', gap: theme.spacing(2) }),
  hint: css({ color: theme.colors.text.secondary, fontSize: theme.typography.bodySmall.fontSize }),
});
