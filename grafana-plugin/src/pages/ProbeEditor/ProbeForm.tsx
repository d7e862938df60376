// The probe form: every field of a probe, "Test connection" on what is typed, and the gateway's 4xx answers placed
// next to the field they name (or in a banner; a 409 on the version offers a reload).
import { useMemo, useState } from 'react';
import { Controller, useForm } from 'react-hook-form';
import { zodResolver } from '@hookform/resolvers/zod';
import { css } from '@emotion/css';
import { dateTimeFormat, type GrafanaTheme2, type SelectableValue } from '@grafana/data';
import { Alert, Button, Field, FieldSet, Input, RadioButtonGroup, Select, Stack, Switch, TextArea, useStyles2 } from '@grafana/ui';
import { syncRulesAfterChange } from '../../alerting/sync';
import { checkTarget, createProbe, updateProbe } from '../../api';
import { toGatewayError, type GatewayError } from '../../api/errors';
import type { CheckResult, Probe, ProbeServer, Schedule } from '../../api/types';
import { formErrorsFrom } from '../../forms/gatewayFormErrors';
import { INTERVAL_SECONDS_RANGE, PORT_RANGE } from '../../../../gateway/src/domain/field-rules.js';
import { AppLinkButton } from '../../components/AppLink/AppLink';
import { CheckResultDetails } from '../../components/CheckResult/CheckResultDetails';
import { GatewayErrorAlert } from '../../components/GatewayErrorAlert';
import { DialogueFields } from './DialogueFields';
import { TlsFields } from './TlsFields';
import {
  INTERVAL_CHOICES,
  IP_VERSION_OPTIONS,
  isIntervalChoice,
  probeFormFieldOf,
  probeFormSchema,
  timeoutInWords,
  toCheckInput,
  toProbeFormValues,
  toProbeInput,
  type ProbeFormField,
  type ProbeFormValues,
} from './probeForm';

const CUSTOM_INTERVAL = -1;

interface Props {
  server: ProbeServer;
  /** The stored probe when editing; undefined for a new one. */
  probe?: Probe;
  /** The stored probe's latest check, where its actual host and IPv4 come from. */
  lastResult?: CheckResult | null;
  schedules: Schedule[];
  /** The signed-in user: a new probe's owner. */
  currentUser: string;
  onSaved: (probe: Probe) => void;
  /** Loads the stored probe again after someone else changed it (409). */
  onReload: () => void;
  cancelHref: string;
}

export function ProbeForm({ server, probe, lastResult, schedules, currentUser, onSaved, onReload, cancelHref }: Props) {
  const styles = useStyles2(getStyles);
  const [banner, setBanner] = useState<GatewayError>();
  const [bannerText, setBannerText] = useState<string | null>(null);
  const [check, setCheck] = useState<{ result?: CheckResult; running: boolean }>({ running: false });
  const defaults = toProbeFormValues(probe, { owner: currentUser, serverConnectTimeoutMs: server.connectTimeoutMs });
  const resolver = useMemo(() => zodResolver(probeFormSchema(server.connectTimeoutMs)), [server.connectTimeoutMs]);
  const [customInterval, setCustomInterval] = useState(!isIntervalChoice(defaults.intervalSeconds));

  const {
    control,
    register,
    handleSubmit,
    getValues,
    setError,
    trigger,
    watch,
    formState: { errors, isSubmitting },
  } = useForm<ProbeFormValues>({ resolver, defaultValues: defaults });
  const [timeoutMode, timeoutMs, tlsEnabled, dialogue] = watch(['timeoutMode', 'timeoutMs', 'tlsEnabled', 'dialogue']);

  /** Puts a gateway error where it belongs: next to the fields it names, the rest in the banner. */
  const showGatewayError = (error: GatewayError): void => {
    const placed = formErrorsFrom<ProbeFormField>(error, probeFormFieldOf);
    for (const { field, message } of placed.fields) setError(field, { type: 'gateway', message }, { shouldFocus: true });
    if (placed.banner !== null) {
      setBanner(error);
      setBannerText(placed.fields.length > 0 ? placed.banner : null);
    }
  };

  const onSubmit = async (values: ProbeFormValues) => {
    setBanner(undefined);
    try {
      const input = toProbeInput(values);
      const saved = probe ? await updateProbe(probe.id, { ...input, version: probe.version }) : await createProbe(server.id, input);
      await syncRulesAfterChange(saved.serverId);
      onSaved(saved);
    } catch (error) {
      showGatewayError(toGatewayError(error));
    }
  };

  const onTest = async () => {
    setBanner(undefined);
    setCheck({ running: false });
    if (!(await trigger(['host', 'port', 'ipVersion', 'tlsServerName', 'dialogue']))) return;
    setCheck({ running: true });
    try {
      setCheck({ running: false, result: await checkTarget(toCheckInput(getValues(), server.id)) });
    } catch (error) {
      setCheck({ running: false });
      showGatewayError(toGatewayError(error));
    }
  };

  const scheduleOptions: Array<SelectableValue<number>> = schedules.map((schedule) => ({
    value: schedule.id,
    label: schedule.name,
    description: `${schedule.timeZone}${schedule.description ? `: ${schedule.description}` : ''}`,
  }));
  const intervalOptions: Array<SelectableValue<number>> = [
    ...INTERVAL_CHOICES.map((choice) => ({ value: choice.seconds, label: choice.label })),
    { value: CUSTOM_INTERVAL, label: 'Custom…', description: `Any number of seconds from ${INTERVAL_SECONDS_RANGE.minimum} to ${INTERVAL_SECONDS_RANGE.maximum}` },
  ];

  return (
    <form onSubmit={handleSubmit(onSubmit)} className={styles.form} aria-label={probe ? `Edit probe ${probe.name}` : 'New probe'} noValidate>
      {banner &&
        (banner.isStaleVersion ? (
          <GatewayErrorAlert error={banner} onRetry={onReload}>
            Someone else changed this probe after you opened it. Reload to see their version; your changes here are not kept.
          </GatewayErrorAlert>
        ) : (
          <GatewayErrorAlert error={banner}>{bannerText ?? undefined}</GatewayErrorAlert>
        ))}

      <FieldSet label="What to check">
        <Field label="Name" invalid={Boolean(errors.name)} error={errors.name?.message} htmlFor="probe-name" required>
          <Input id="probe-name" {...register('name')} placeholder="erp-db-primary" width={50} />
        </Field>
        <Field label="Description" invalid={Boolean(errors.description)} error={errors.description?.message} htmlFor="probe-description">
          <TextArea id="probe-description" {...register('description')} rows={2} placeholder="What breaks for users when this fails" />
        </Field>
        <Stack gap={2}>
          <Field
            label="Host"
            description="DNS name or IP address, as the gateway resolves it"
            invalid={Boolean(errors.host)}
            error={errors.host?.message}
            htmlFor="probe-host"
            required
          >
            <Input id="probe-host" {...register('host')} placeholder="db.example.com" width={40} />
          </Field>
          <Field label="Port" description={`TCP port, ${PORT_RANGE.minimum}-${PORT_RANGE.maximum}`} invalid={Boolean(errors.port)} error={errors.port?.message} htmlFor="probe-port" required>
            <Input id="probe-port" type="number" {...register('port', { valueAsNumber: true })} placeholder="5432" width={14} />
          </Field>
          <Field label="IP version" description="Which address family to connect over" invalid={Boolean(errors.ipVersion)} error={errors.ipVersion?.message} htmlFor="probe-ip-version">
            <Controller
              name="ipVersion"
              control={control}
              render={({ field }) => (
                <Select inputId="probe-ip-version" options={IP_VERSION_OPTIONS} value={field.value} onChange={(option) => field.onChange(option.value)} width={24} />
              )}
            />
          </Field>
        </Stack>
        <Field
          label="Timeout"
          description="How long a connect may take before the check counts as failed. The server's connect timeout applies unless the probe has its own, also when the server's changes later."
          invalid={Boolean(errors.timeoutMs)}
          error={errors.timeoutMs?.message}
          htmlFor="probe-timeout"
        >
          {/* A fragment: Field would otherwise hand its `invalid` prop to the Stack's div. */}
          <>
            <Stack gap={1} alignItems="center">
              <Controller
                name="timeoutMode"
                control={control}
                render={({ field }) => (
                  <RadioButtonGroup
                    value={field.value}
                    onChange={field.onChange}
                    options={[
                      { label: `Server default (${server.connectTimeoutMs} ms)`, value: 'inherit' },
                      { label: 'Own timeout', value: 'own' },
                    ]}
                  />
                )}
              />
              {timeoutMode === 'own' ? (
                <Input
                  key="own"
                  id="probe-timeout"
                  type="number"
                  {...register('timeoutMs', { valueAsNumber: true })}
                  invalid={Boolean(errors.timeoutMs)}
                  suffix="ms"
                  width={16}
                />
              ) : (
                <Input key="inherit" id="probe-timeout" value={server.connectTimeoutMs} suffix="ms" width={16} readOnly disabled />
              )}
            </Stack>
            <div className={styles.applies}>
              {timeoutInWords({ timeoutMode, timeoutMs }, server.connectTimeoutMs)}
            </div>
          </>
        </Field>
      </FieldSet>

      <FieldSet label="TLS">
        <TlsFields control={control} register={register} errors={errors} enabled={tlsEnabled} startTls={dialogue.some((step) => step.kind === 'startTls')} />
      </FieldSet>

      <FieldSet label="Dialogue">
        <DialogueFields control={control} register={register} errors={errors} />
      </FieldSet>

      <FieldSet>
        <Stack direction="column" gap={1} alignItems="flex-start">
          <Button type="button" variant="secondary" icon={check.running ? 'spinner' : 'bolt'} disabled={check.running} onClick={onTest}>
            Test connection
          </Button>
          <div className={styles.hint}>
            Connects once from the gateway Grafana talks to
            {server.networkInterface ? ` (interface ${server.networkInterface})` : ''}, without saving anything.
          </div>
          {check.result && <CheckResultDetails title="Connection test" result={check.result} onClose={() => setCheck({ running: false })} />}
        </Stack>
      </FieldSet>

      <FieldSet label="When to check">
        <Field
          label="Repeat interval"
          description="Each probe runs at its own fixed point within the interval, so probes do not all fire at once."
          invalid={Boolean(errors.intervalSeconds)}
          error={errors.intervalSeconds?.message}
          htmlFor="probe-interval"
        >
          <Controller
            name="intervalSeconds"
            control={control}
            render={({ field }) => (
              <Stack gap={1} alignItems="center">
                <Select
                  inputId="probe-interval"
                  options={intervalOptions}
                  value={customInterval ? CUSTOM_INTERVAL : field.value}
                  onChange={(option) => {
                    const custom = option.value === CUSTOM_INTERVAL;
                    setCustomInterval(custom);
                    if (!custom && option.value !== undefined) field.onChange(option.value);
                  }}
                  width={30}
                />
                {customInterval && (
                  <Input
                    aria-label="Interval in seconds"
                    type="number"
                    value={Number.isNaN(field.value) ? '' : field.value}
                    onChange={(event) => field.onChange(event.currentTarget.valueAsNumber)}
                    suffix="seconds"
                    width={20}
                  />
                )}
              </Stack>
            )}
          />
        </Field>
        <Stack gap={2}>
          <Field label="Time window begin" invalid={Boolean(errors.windowBegin)} error={errors.windowBegin?.message} htmlFor="probe-window-begin">
            <Input id="probe-window-begin" {...register('windowBegin')} placeholder="HH:MM" width={14} />
          </Field>
          <Field label="Time window end" invalid={Boolean(errors.windowEnd)} error={errors.windowEnd?.message} htmlFor="probe-window-end">
            <Input id="probe-window-end" {...register('windowEnd')} placeholder="HH:MM" width={14} />
          </Field>
        </Stack>
        <div className={styles.hint}>
          Optional daily window, HH:MM in the schedule’s time zone (the gateway’s when there is no schedule); set both or neither.
          It may wrap past midnight: 22:00 to 06:00 checks overnight. Outside the window the probe does not run and reports
          no data, so alert rules see no data there, never down.
        </div>
        <Field
          label="Schedule"
          description="Optional weekly windows with maintenance dates; the probe runs only inside them (and inside the time window)."
          invalid={Boolean(errors.scheduleId)}
          error={errors.scheduleId?.message}
          htmlFor="probe-schedule"
        >
          <Controller
            name="scheduleId"
            control={control}
            render={({ field }) => (
              <Select
                inputId="probe-schedule"
                options={scheduleOptions}
                value={field.value}
                onChange={(option) => field.onChange(option?.value ?? null)}
                isClearable
                placeholder={schedules.length === 0 ? 'No schedules defined: runs every day' : 'No schedule: runs every day'}
                width={50}
              />
            )}
          />
        </Field>
      </FieldSet>

      <FieldSet label="Ownership">
        <Field label="Owner" description="Who to ask about this probe" invalid={Boolean(errors.owner)} error={errors.owner?.message} htmlFor="probe-owner">
          <Input id="probe-owner" {...register('owner')} width={30} />
        </Field>
        <Field label="Enabled" description="A disabled probe does not run and shows as disabled" htmlFor="probe-enabled">
          <Controller
            name="enabled"
            control={control}
            render={({ field }) => <Switch id="probe-enabled" value={field.value} onChange={(event) => field.onChange(event.currentTarget.checked)} />}
          />
        </Field>
      </FieldSet>

      {probe && (lastResult || probe.actualHost || probe.actualIpv4) && (
        <FieldSet label="Where the last check connected">
          <div className={styles.hint}>
            Read-only, recorded by the check {lastResult ? `at ${dateTimeFormat(lastResult.checkedAt)}` : 'last run'}.
          </div>
          <Stack gap={2}>
            <Field label="Actual host" description="The name finally connected to, after CNAMEs" htmlFor="probe-actual-host">
              <Input id="probe-actual-host" value={lastResult?.actualHost ?? probe.actualHost ?? ''} placeholder="not resolved" readOnly width={40} />
            </Field>
            <Field label="Actual IPv4" description="The address the check used" htmlFor="probe-actual-ipv4">
              <Input id="probe-actual-ipv4" value={lastResult?.actualIpv4 ?? probe.actualIpv4 ?? ''} placeholder="none" readOnly width={20} />
            </Field>
            <Field label="Actual IP address" description="IPv4 or IPv6, whichever the check used" htmlFor="probe-actual-ip">
              <Input id="probe-actual-ip" value={lastResult?.actualIp ?? probe.actualIp ?? ''} placeholder="none" readOnly width={30} />
            </Field>
          </Stack>
        </FieldSet>
      )}

      {Object.keys(errors).length > 0 && !banner && (
        <Alert severity="error" title="Check the highlighted fields" />
      )}
      <Stack gap={1}>
        <Button type="submit" disabled={isSubmitting} icon={isSubmitting ? 'spinner' : undefined}>
          {probe ? 'Save probe' : 'Create probe'}
        </Button>
        <AppLinkButton href={cancelHref} variant="secondary" fill="outline">
          Cancel
        </AppLinkButton>
      </Stack>
    </form>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  form: css({ maxWidth: theme.spacing(110), display: 'flex', flexDirection: 'column', gap: theme.spacing(1) }),
  hint: css({ color: theme.colors.text.secondary, fontSize: theme.typography.bodySmall.fontSize, marginBottom: theme.spacing(2) }),
  applies: css({ color: theme.colors.text.secondary, fontSize: theme.typography.bodySmall.fontSize, marginTop: theme.spacing(0.5) }),
});
