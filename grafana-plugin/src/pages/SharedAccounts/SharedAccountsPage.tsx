// Shared accounts: the CA bundles, client certificates and credentials that probe servers' checks use, by name. Admins
// create, change and delete them; their secrets are never shown, only which are configured and the certificates.
import { useState } from 'react';
import { useNavigate } from 'react-router-dom';
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { PluginPage } from '@grafana/runtime';
import { Alert, Badge, Button, ConfirmModal, EmptyState, LoadingPlaceholder, Stack, useStyles2 } from '@grafana/ui';
import { deleteSharedAccount, listAllSharedAccounts } from '../../api/sharedAccounts';
import { toGatewayError, type GatewayError } from '../../api/errors';
import type { SharedAccount } from '../../api/types';
import { AppLinkButton } from '../../components/AppLink/AppLink';
import { GatewayErrorAlert } from '../../components/GatewayErrorAlert';
import { sentence } from '../../forms/gatewayFormErrors';
import { links } from '../../constants';
import { useLoad } from '../../hooks/useLoad';
import { usePermissions } from '../../permissions';
import { SECRET_FIELDS } from './accountForm';
import { CertificateList } from './CertificateList';

const SECRET_WORDS: Record<(typeof SECRET_FIELDS)[number], string> = {
  caBundle: 'CA bundle',
  clientCert: 'client certificate',
  clientKey: 'client key',
  username: 'username',
  password: 'password',
};

/** A refused delete: the servers that still name the account, in the gateway's words. */
interface DeleteFailure {
  account: SharedAccount;
  error: GatewayError;
}

export function SharedAccountsPage() {
  const styles = useStyles2(getStyles);
  const navigate = useNavigate();
  const { canManageAccounts } = usePermissions();
  const list = useLoad(listAllSharedAccounts, []);
  const [deleting, setDeleting] = useState<SharedAccount | null>(null);
  const [failure, setFailure] = useState<DeleteFailure | null>(null);

  const confirmDelete = async () => {
    const account = deleting;
    setDeleting(null);
    if (!account) return;
    setFailure(null);
    try {
      await deleteSharedAccount(account.id);
    } catch (error) {
      setFailure({ account, error: toGatewayError(error) });
    }
    list.reload();
  };

  const accounts = list.value ?? [];
  const createButton = canManageAccounts && (
    <Button icon="plus" onClick={() => navigate(links.newSharedAccount())}>
      Create shared account
    </Button>
  );

  return (
    <PluginPage
      subTitle="CA bundles, client certificates and credentials that the checks of a probe server use when the server names the account. Secrets are write-only: they are never shown again."
      actions={accounts.length > 0 ? createButton : undefined}
    >
      <Stack direction="column" gap={2}>
        {!canManageAccounts && (
          <Alert severity="info" title="Managed by Grafana admins">
            Creating, changing and deleting shared accounts needs the Admin role in this organization.
          </Alert>
        )}
        {list.error && <GatewayErrorAlert error={list.error} title="Shared accounts could not be loaded" onRetry={list.reload} />}
        {failure && <DeleteFailureAlert failure={failure} />}
        {list.loading && !list.value && <LoadingPlaceholder text="Loading shared accounts..." />}
        {list.value && accounts.length === 0 && (
          <EmptyState variant="call-to-action" message="No shared accounts yet" button={createButton || undefined}>
            A shared account holds the CA bundle that TLS checks trust and the client certificate they present; a probe server
            uses it by name.
          </EmptyState>
        )}
        {accounts.length > 0 && (
          <table className={styles.table} aria-label="Shared accounts">
            <thead>
              <tr>
                <th>Name</th>
                <th>Configured</th>
                <th>CA bundle</th>
                <th>Client certificate</th>
                <th>Used by</th>
                {canManageAccounts && <th aria-label="Actions" />}
              </tr>
            </thead>
            <tbody>
              {accounts.map((account) => (
                <tr key={account.id}>
                  <td>
                    <div>{account.name}</div>
                    {account.description && <div className={styles.secondary}>{account.description}</div>}
                  </td>
                  <td>
                    <Stack gap={0.5} wrap="wrap">
                      {SECRET_FIELDS.filter((field) => account.configured[field]).map((field) => (
                        <Badge key={field} color="green" icon="lock" text={SECRET_WORDS[field]} />
                      ))}
                      {SECRET_FIELDS.every((field) => !account.configured[field]) && <span className={styles.secondary}>nothing</span>}
                    </Stack>
                  </td>
                  <td>
                    <CertificateList certificates={account.certificates.caBundle} label={`CA bundle of ${account.name}`} />
                  </td>
                  <td>
                    <CertificateList certificates={account.certificates.clientCert ? [account.certificates.clientCert] : []} label={`Client certificate of ${account.name}`} />
                  </td>
                  <td>{account.usedBy.length > 0 ? account.usedBy.join(', ') : <span className={styles.secondary}>no server</span>}</td>
                  {canManageAccounts && (
                    <td>
                      <Stack gap={1}>
                        <AppLinkButton href={links.editSharedAccount(account.id)} size="sm" variant="secondary" icon="pen" aria-label={`Edit ${account.name}`}>
                          Edit
                        </AppLinkButton>
                        <Button size="sm" variant="destructive" fill="outline" icon="trash-alt" aria-label={`Delete ${account.name}`} onClick={() => setDeleting(account)}>
                          Delete
                        </Button>
                      </Stack>
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Stack>
      {deleting && (
        <ConfirmModal
          isOpen
          title={`Delete shared account ${deleting.name}?`}
          body={
            deleting.usedBy.length > 0
              ? `It is used by ${serversInWords(deleting.usedBy)}: the gateway keeps it until no server names it.`
              : 'Its secrets are deleted with it. This cannot be undone.'
          }
          confirmText="Delete"
          onConfirm={confirmDelete}
          onDismiss={() => setDeleting(null)}
        />
      )}
    </PluginPage>
  );
}

const serversInWords = (names: readonly string[]) => `${names.length === 1 ? 'server' : 'servers'} ${names.join(', ')}`;

/** A 409 says which servers still use the account: name them, and what to do. */
function DeleteFailureAlert({ failure }: { failure: DeleteFailure }) {
  const { account, error } = failure;
  if (error.kind !== 'conflict') return <GatewayErrorAlert error={error} title={`Shared account ${account.name} was not deleted`} />;
  return (
    <Alert severity="warning" title={`Shared account ${account.name} is still in use`}>
      {sentence(error.problems[0]?.message ?? error.message)}.
    </Alert>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  table: css({
    width: '100%',
    borderCollapse: 'collapse',
    'th, td': { textAlign: 'left', verticalAlign: 'top', padding: theme.spacing(1), borderBottom: `1px solid ${theme.colors.border.weak}` },
    th: { color: theme.colors.text.secondary, fontWeight: theme.typography.fontWeightMedium },
  }),
  secondary: css({ color: theme.colors.text.secondary, fontSize: theme.typography.bodySmall.fontSize }),
});
