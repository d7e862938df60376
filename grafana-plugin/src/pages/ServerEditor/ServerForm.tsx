// The probe server form: every field of a server, checked by the gateway's rules before sending, and the gateway's
// own answer mapped back onto the fields it names (or a banner, with a reload when someone else changed the server).
import { useState } from 'react';
import { Controller, useForm } from 'react-hook-form';
import { zodResolver } from '@hookform/resolvers/zod';
import { Button, Field, FieldSet, Input, MultiSelect, Select, Stack, Switch, TextArea } from '@grafana/ui';
import { toGatewayError, type GatewayError } from '../../api/errors';
import type { GatewayInfo } from '../../api/types';
import { GatewayErrorAlert } from '../../components/GatewayErrorAlert';
import { formErrorsFrom } from '../../forms/gatewayFormErrors';
import { GATEWAYS_RANGE, TIMEOUT_MS_RANGE } from '../../../../gateway/src/domain/field-rules.js';
import { gatewayOptions, listErrorMessage } from './gatewayOptions';
import { SERVER_FORM_FIELDS, serverFormSchema, type ServerFormValues } from './serverForm';

interface Props {
  initialValues: ServerFormValues;
  gateways: GatewayInfo[];
  /** Names of the shared accounts the server may use. */
  sharedAccounts: string[];
  /** Shows the values without a way to change them. */
  readOnly: boolean;
  submitLabel: string;
  /** Sends the values; rejects with the gateway's error. */
  onSubmit: (values: ServerFormValues) => Promise<void>;
  onCancel: () => void;
  /** Loads the server again after someone else changed it. */
  onReload?: () => void;
}

/** The accounts to pick from; the stored one stays listed even when it is gone from the gateway's list. */
function sharedAccountOptions(names: readonly string[], current: string) {
  const all = current === '' || names.includes(current) ? names : [current, ...names];
  return all.map((name) => ({ value: name, label: name }));
}

export function ServerForm({ initialValues, gateways, sharedAccounts, readOnly, submitLabel, onSubmit, onCancel, onReload }: Props) {
  const [failure, setFailure] = useState<{ error: GatewayError; banner: string } | null>(null);
  const {
    control,
    register,
    handleSubmit,
    setError,
    watch,
    formState: { errors, isSubmitting },
  } = useForm<ServerFormValues>({ resolver: zodResolver(serverFormSchema), defaultValues: initialValues });

  const submit = async (values: ServerFormValues) => {
    setFailure(null);
    try {
      await onSubmit(values);
    } catch (caught) {
      const error = toGatewayError(caught);
      const mapped = formErrorsFrom(error, SERVER_FORM_FIELDS);
      for (const { field, message } of mapped.fields) setError(field, { type: 'gateway', message }, { shouldFocus: true });
      if (mapped.banner !== null) setFailure({ error, banner: mapped.banner });
    }
  };

  const field = (name: keyof ServerFormValues) => ({ invalid: Boolean(errors[name]), error: errors[name]?.message, htmlFor: `server-${name}` });
  const gatewaysError = listErrorMessage(errors.gateways, watch('gateways'));

  return (
    <form onSubmit={handleSubmit(submit)} aria-label="Probe server" noValidate>
      {failure && (
        <GatewayErrorAlert error={failure.error} onRetry={failure.error.isStaleVersion ? onReload : undefined}>
          {failure.banner}
        </GatewayErrorAlert>
      )}
      <fieldset disabled={readOnly} style={{ border: 0, padding: 0, margin: 0 }}>
        <FieldSet label="Server">
          <Field label="Name" required description="Unique; the `server` label of the probes' metrics and alerts." {...field('name')}>
            <Input id="server-name" {...register('name')} width={50} />
          </Field>
          <Field label="Description" {...field('description')}>
            <TextArea id="server-description" {...register('description')} rows={2} />
          </Field>
          <Stack gap={2} wrap="wrap">
            <Field label="Organization" {...field('organization')}>
              <Input id="server-organization" {...register('organization')} width={30} />
            </Field>
            <Field label="Owner" description="Who answers for it; defaults to you." {...field('owner')}>
              <Input id="server-owner" {...register('owner')} width={30} />
            </Field>
          </Stack>
          <Stack gap={2} wrap="wrap">
            <Field label="Role" description="The environment, e.g. production, quality or development: the `role` label of the probes' metrics and alerts." {...field('role')}>
              <Input id="server-role" {...register('role')} placeholder="production" width={30} />
            </Field>
            <Field label="Site" description="Where it stands; alert routing can use it." {...field('site')}>
              <Input id="server-site" {...register('site')} placeholder="fra" width={30} />
            </Field>
          </Stack>
        </FieldSet>

        <FieldSet label="Connections">
          <Field
            label="Gateways"
            description={`The locations that run every probe of the server, each at its own point in the interval; 1 to ${GATEWAYS_RANGE.maximum}. Type a name to add a gateway that has not announced itself yet.`}
            invalid={gatewaysError !== undefined}
            error={gatewaysError}
            htmlFor="server-gateways"
          >
            <Controller
              name="gateways"
              control={control}
              render={({ field: { value, onChange } }) => (
                <MultiSelect<string>
                  inputId="server-gateways"
                  options={gatewayOptions(gateways, value)}
                  value={value}
                  onChange={(picked) => onChange(picked.map((option) => option.value).filter((name): name is string => name !== undefined))}
                  allowCustomValue
                  onCreateOption={(name) => onChange([...value, name.trim()])}
                  formatCreateLabel={(name) => `Add gateway "${name.trim()}" (never seen)`}
                  disabled={readOnly}
                  invalid={gatewaysError !== undefined}
                  placeholder="Pick or type gateway names"
                  width={60}
                />
              )}
            />
          </Field>
          <Stack gap={2} wrap="wrap">
            <Field label="Network interface" description="Local adapter or IP the connections start from, e.g. eth0 or 10.1.2.3." {...field('networkInterface')}>
              <Input id="server-networkInterface" {...register('networkInterface')} width={30} />
            </Field>
            <Field label="Connect timeout" description={`For probes without their own timeout; ${TIMEOUT_MS_RANGE.minimum} to ${TIMEOUT_MS_RANGE.maximum} ms.`} {...field('connectTimeoutMs')}>
              <Input id="server-connectTimeoutMs" type="number" {...register('connectTimeoutMs', { valueAsNumber: true })} suffix="ms" width={20} />
            </Field>
          </Stack>
          <Field
            label="Shared account"
            description="Its CA bundle and client certificate are what this server's TLS checks trust and present; admins keep them on the Shared accounts page."
            {...field('sharedAccount')}
          >
            <Controller
              name="sharedAccount"
              control={control}
              render={({ field: { value, onChange } }) => (
                <Select<string>
                  inputId="server-sharedAccount"
                  options={sharedAccountOptions(sharedAccounts, value)}
                  value={value === '' ? null : value}
                  onChange={(option) => onChange(option?.value ?? '')}
                  isClearable
                  disabled={readOnly}
                  placeholder={sharedAccounts.length === 0 ? 'No shared accounts defined' : 'None'}
                  width={40}
                />
              )}
            />
          </Field>
          <Field label="Enabled" description="A disabled server's probes do not run." {...field('enabled')}>
            <Controller
              name="enabled"
              control={control}
              render={({ field: { value, onChange } }) => (
                <Switch id="server-enabled" value={value} onChange={(event) => onChange(event.currentTarget.checked)} disabled={readOnly} />
              )}
            />
          </Field>
        </FieldSet>
      </fieldset>

      <Stack gap={1}>
        {!readOnly && (
          <Button type="submit" disabled={isSubmitting} icon={isSubmitting ? 'spinner' : undefined}>
            {submitLabel}
          </Button>
        )}
        <Button type="button" variant="secondary" fill="outline" onClick={onCancel}>
          {readOnly ? 'Back to probe servers' : 'Cancel'}
        </Button>
      </Stack>
    </form>
  );
}
