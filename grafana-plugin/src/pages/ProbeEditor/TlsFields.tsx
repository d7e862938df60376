// The probe form's TLS section: whether to hand-shake, the name to send and verify, and the oldest version accepted.
import { Controller, type Control, type FieldErrors, type UseFormRegister } from 'react-hook-form';
import type { SelectableValue } from '@grafana/data';
import { Field, Input, Select, Stack, Switch } from '@grafana/ui';
import { TLS_VERSIONS } from '../../../../gateway/src/probing/types.js';
import type { TlsVersion } from '../../api/types';
import type { ProbeFormValues } from './probeForm';

interface Props {
  control: Control<ProbeFormValues>;
  register: UseFormRegister<ProbeFormValues>;
  errors: FieldErrors<ProbeFormValues>;
  enabled: boolean;
  /** The dialogue has a STARTTLS step: the handshake happens there, not right after the connect. */
  startTls: boolean;
}

const VERSION_OPTIONS: Array<SelectableValue<TlsVersion>> = TLS_VERSIONS.map((version) => ({ value: version, label: version.replace('TLSv', 'TLS ') }));

export function TlsFields({ control, register, errors, enabled, startTls }: Props) {
  return (
    <>
      <Field
        label="Use TLS"
        description={
          startTls
            ? 'The dialogue upgrades the connection at its STARTTLS step; without TLS settings it verifies the certificate against the probe’s host.'
            : 'A TLS handshake right after the connect: the check fails when it fails or, when verified, when the certificate is expired, untrusted or for another name. Its expiry is recorded either way.'
        }
        htmlFor="probe-tls"
      >
        <Controller
          name="tlsEnabled"
          control={control}
          render={({ field }) => <Switch id="probe-tls" value={field.value} onChange={(event) => field.onChange(event.currentTarget.checked)} />}
        />
      </Field>
      {enabled && (
        <>
          <Stack gap={2}>
            <Field
              label="Server name"
              description="Sent as SNI and checked against the certificate; empty: the probe’s host when it is a name"
              invalid={Boolean(errors.tlsServerName)}
              error={errors.tlsServerName?.message}
              htmlFor="probe-tls-server-name"
            >
              <Input id="probe-tls-server-name" {...register('tlsServerName')} placeholder="db.example.com" width={40} />
            </Field>
            <Field label="Minimum version" description="Older versions fail the handshake" invalid={Boolean(errors.tlsMinVersion)} error={errors.tlsMinVersion?.message} htmlFor="probe-tls-min-version">
              <Controller
                name="tlsMinVersion"
                control={control}
                render={({ field }) => (
                  <Select
                    inputId="probe-tls-min-version"
                    options={VERSION_OPTIONS}
                    value={field.value}
                    onChange={(option) => field.onChange(option?.value ?? null)}
                    isClearable
                    placeholder="Node’s default"
                    width={20}
                  />
                )}
              />
            </Field>
          </Stack>
          <Field
            label="Verify certificate"
            description="Against the system’s CAs and the CA bundle of the server’s shared account. Off: any certificate passes, its expiry is still recorded."
            invalid={Boolean(errors.tlsVerify)}
            error={errors.tlsVerify?.message}
            htmlFor="probe-tls-verify"
          >
            <Controller
              name="tlsVerify"
              control={control}
              render={({ field }) => <Switch id="probe-tls-verify" value={field.value} onChange={(event) => field.onChange(event.currentTarget.checked)} />}
            />
          </Field>
        </>
      )}
    </>
  );
}
