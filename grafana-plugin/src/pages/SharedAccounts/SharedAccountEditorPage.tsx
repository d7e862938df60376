// Create a shared account (shared-accounts/new) or change one (shared-accounts/:accountId/edit): name, description and
// write-only secrets in Grafana's style (a configured secret shows "configured" with Reset, never its value).
import { useState } from 'react';
import { useNavigate, useParams } from 'react-router-dom';
import { Controller, useForm } from 'react-hook-form';
import { zodResolver } from '@hookform/resolvers/zod';
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { PluginPage } from '@grafana/runtime';
import { Alert, Button, Field, FieldSet, Input, LoadingPlaceholder, SecretInput, SecretTextArea, Stack, TextArea, useStyles2 } from '@grafana/ui';
import { createSharedAccount, getSharedAccount, replaceSharedAccount } from '../../api/sharedAccounts';
import { toGatewayError, type GatewayError } from '../../api/errors';
import type { AccountSecret, CertSummary, SharedAccount } from '../../api/types';
import { AppLinkButton } from '../../components/AppLink/AppLink';
import { GatewayErrorAlert } from '../../components/GatewayErrorAlert';
import { links } from '../../constants';
import { formErrorsFrom } from '../../forms/gatewayFormErrors';
import { parseId } from '../../hooks/useIdParam';
import { useLoad } from '../../hooks/useLoad';
import { usePermissions } from '../../permissions';
import { ACCOUNT_FORM_FIELDS, accountFormSchema, toAccountFormValues, toSharedAccountInput, type AccountFormValues } from './accountForm';
import { certificateInWords } from './CertificateList';

interface SecretField {
  field: AccountSecret;
  label: string;
  description: string;
  multiline: boolean;
  placeholder?: string;
}

const SECRETS: readonly SecretField[] = [
  {
    field: 'caBundle',
    label: 'CA bundle',
    description: 'PEM certificates that TLS checks trust besides the system’s CAs: a private CA, or a self-signed server certificate',
    multiline: true,
    placeholder: '-----BEGIN CERTIFICATE-----',
  },
  {
    field: 'clientCert',
    label: 'Client certificate',
    description: 'PEM certificate (and its chain) presented to targets that ask for one; needs the client key',
    multiline: true,
    placeholder: '-----BEGIN CERTIFICATE-----',
  },
  { field: 'clientKey', label: 'Client key', description: 'The unencrypted PEM private key of the client certificate', multiline: true, placeholder: '-----BEGIN PRIVATE KEY-----' },
  { field: 'username', label: 'Username', description: 'For checks that log in (reserved)', multiline: false },
  { field: 'password', label: 'Password', description: 'For checks that log in (reserved)', multiline: false },
];

export function SharedAccountEditorPage() {
  const id = parseId(useParams().accountId);
  const navigate = useNavigate();
  const { canManageAccounts } = usePermissions();
  const loaded = useLoad(() => (id === undefined ? Promise.resolve(null) : getSharedAccount(id)), [id]);
  const account = loaded.value ?? null;
  const title = id === undefined ? 'New shared account' : `Edit ${account?.name ?? 'shared account'}`;
  const pageNav = { text: title, parentItem: { text: 'Shared accounts', url: links.sharedAccounts() } };

  let content;
  if (!canManageAccounts) {
    content = (
      <Alert severity="info" title="Managed by Grafana admins">
        Creating and changing shared accounts needs the Admin role in this organization.
      </Alert>
    );
  } else if (loaded.error && loaded.value === undefined) {
    content = <GatewayErrorAlert error={loaded.error} title="The shared account could not be loaded" onRetry={loaded.reload} />;
  } else if (loaded.value === undefined || (loaded.loading && id !== undefined)) {
    content = <LoadingPlaceholder text="Loading..." />;
  } else {
    content = (
      <AccountForm
        // A reload after a conflict brings a new version: start the form over from it.
        key={account ? `${account.id}@${account.version}` : 'new'}
        account={account}
        onSaved={() => navigate(links.sharedAccounts())}
        onReload={loaded.reload}
      />
    );
  }
  return <PluginPage pageNav={pageNav}>{content}</PluginPage>;
}

interface FormProps {
  account: SharedAccount | null;
  onSaved: () => void;
  onReload: () => void;
}

function AccountForm({ account, onSaved, onReload }: FormProps) {
  const styles = useStyles2(getStyles);
  const [failure, setFailure] = useState<{ error: GatewayError; banner: string } | null>(null);
  const {
    control,
    register,
    handleSubmit,
    setError,
    setValue,
    watch,
    formState: { errors, isSubmitting },
  } = useForm<AccountFormValues>({ resolver: zodResolver(accountFormSchema), defaultValues: toAccountFormValues(account) });
  const configured = watch('configured');

  const submit = async (values: AccountFormValues) => {
    setFailure(null);
    try {
      const input = toSharedAccountInput(values, account);
      if (account) await replaceSharedAccount(account.id, input);
      else await createSharedAccount(input);
      onSaved();
    } catch (caught) {
      const error = toGatewayError(caught);
      const placed = formErrorsFrom(error, ACCOUNT_FORM_FIELDS);
      for (const { field, message } of placed.fields) setError(field, { type: 'gateway', message }, { shouldFocus: true });
      if (placed.banner !== null) setFailure({ error, banner: placed.banner });
    }
  };

  const certificates = (field: AccountSecret): CertSummary[] => {
    if (!account || !configured[field]) return [];
    if (field === 'caBundle') return account.certificates.caBundle;
    if (field === 'clientCert') return account.certificates.clientCert ? [account.certificates.clientCert] : [];
    return [];
  };

  return (
    <form onSubmit={handleSubmit(submit)} aria-label="Shared account" className={styles.form} noValidate>
      {failure && (
        <GatewayErrorAlert error={failure.error} onRetry={failure.error.isStaleVersion ? onReload : undefined}>
          {failure.error.isStaleVersion ? 'Someone else changed this shared account after you opened it. Reload to see their version; your changes here are not kept.' : failure.banner}
        </GatewayErrorAlert>
      )}
      <FieldSet label="Shared account">
        <Field label="Name" description="Probe servers name the account by it" invalid={Boolean(errors.name)} error={errors.name?.message} htmlFor="account-name" required>
          <Input id="account-name" {...register('name')} placeholder="sap-landscape-tls" width={40} />
        </Field>
        <Field label="Description" invalid={Boolean(errors.description)} error={errors.description?.message} htmlFor="account-description">
          <TextArea id="account-description" {...register('description')} rows={2} />
        </Field>
      </FieldSet>
      <FieldSet label="Secrets">
        <div className={styles.hint}>Write-only: once saved, a secret shows as configured. Reset it to replace or remove it.</div>
        {SECRETS.map(({ field, label, description, multiline, placeholder }) => (
          <Field key={field} label={label} description={description} invalid={Boolean(errors[field])} error={errors[field]?.message} htmlFor={`account-${field}`}>
            <>
              {/* The secret inputs take no ref, so they are controlled rather than registered. */}
              <Controller
                name={field}
                control={control}
                render={({ field: input }) => {
                  const secret = {
                    id: `account-${field}`,
                    value: input.value,
                    onBlur: input.onBlur,
                    isConfigured: configured[field],
                    onReset: () => {
                      setValue(`configured.${field}`, false, { shouldDirty: true });
                      input.onChange('');
                    },
                    placeholder,
                  };
                  return multiline ? (
                    <SecretTextArea {...secret} onChange={(event) => input.onChange(event.currentTarget.value)} rows={5} cols={80} />
                  ) : (
                    <SecretInput {...secret} onChange={(event) => input.onChange(event.currentTarget.value)} width={40} autoComplete="off" />
                  );
                }}
              />
              {certificates(field).map((cert, index) => (
                <div key={index} className={styles.certificate}>
                  {certificateInWords(cert)}
                </div>
              ))}
            </>
          </Field>
        ))}
      </FieldSet>
      <Stack gap={1}>
        <Button type="submit" disabled={isSubmitting} icon={isSubmitting ? 'spinner' : undefined}>
          {account ? 'Save shared account' : 'Create shared account'}
        </Button>
        <AppLinkButton href={links.sharedAccounts()} variant="secondary" fill="outline">
          Cancel
        </AppLinkButton>
      </Stack>
    </form>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  form: css({ maxWidth: theme.spacing(110), display: 'flex', flexDirection: 'column', gap: theme.spacing(1) }),
  hint: css({ color: theme.colors.text.secondary, fontSize: theme.typography.bodySmall.fontSize, marginBottom: theme.spacing(2) }),
  certificate: css({ color: theme.colors.text.secondary, fontSize: theme.typography.bodySmall.fontSize, marginTop: theme.spacing(0.5) }),
});
