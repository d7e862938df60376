// The shared accounts pages against a real gateway: admins create an account with a CA bundle and a client
// certificate (real PEM), see only which secrets are configured and the certificates' summaries, keep, reset or
// replace a secret, and learn which servers hold on to an account they try to delete. Others only read.
import { configure, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { App } from '../../App';
import type { SharedAccount } from '../../api/types';
import { startTestGateway, type TestGateway } from '../../test/gatewayHarness';
import { installFakeGrafana, type OrgRole } from '../../test/grafanaRuntime';
import { fieldError, renderApp } from '../../test/render';
import { testCertificates, type TestCertificates } from '../../../../gateway/test/helpers/certs';

configure({ asyncUtilTimeout: 10_000 });

let gateway: TestGateway;
let certs: TestCertificates;
beforeEach(async () => {
  gateway = await startTestGateway();
  certs = await testCertificates();
});
afterEach(() => gateway.close());

function renderAt(path: string, orgRole: OrgRole = 'Admin') {
  const grafana = installFakeGrafana({ gateway, user: { login: 'ada', orgRole } });
  return { grafana, ...renderApp(App, grafana, path) };
}

const listPath = '/a/probekit-tcpprobe-app/shared-accounts';
const accounts = async () => (await gateway.seed.request<{ items: SharedAccount[] }>('GET', '/api/v1/shared-accounts')).items;
const secretBox = (label: string) => screen.getByLabelText(new RegExp(`^${label}`));

describe('shared accounts', () => {
  test('an admin creates one with a CA bundle and a client certificate; the list shows what is configured, never a secret', async () => {
    const { user, location, grafana } = renderAt(`${listPath}/new`);
    await screen.findByRole('form', { name: 'Shared account' });
    await user.type(screen.getByLabelText(/^Name/), 'sap-tls');
    await user.type(screen.getByLabelText(/^Description/), 'CA and client certificate of the SAP landscape');
    // Pasted, as PEM is: typing it would take minutes.
    await user.click(secretBox('CA bundle'));
    await user.paste(certs.ca.cert);
    await user.click(secretBox('Client certificate'));
    await user.paste(certs.client.cert);
    await user.click(secretBox('Client key'));
    await user.paste(certs.client.key);
    await user.click(screen.getByRole('button', { name: 'Create shared account' }));

    await waitFor(() => expect(location()).toBe(listPath));
    const table = await screen.findByRole('table', { name: 'Shared accounts' });
    const [row] = within(table).getAllByRole('row').slice(1);
    expect(row).toHaveTextContent('sap-tls');
    expect(row).toHaveTextContent('CA bundle');
    expect(row).toHaveTextContent('client key');
    expect(within(row!).getByRole('list', { name: 'CA bundle of sap-tls' })).toHaveTextContent(/^CN=probekit test CA \(self-signed\), expires in 36\d\d(\.\d)? days/);
    expect(within(row!).getByRole('list', { name: 'Client certificate of sap-tls' })).toHaveTextContent(/^CN=probekit client \(issued by CN=probekit client CA\), expires in 36[45]/);
    expect(row).toHaveTextContent('no server');
    const [stored] = await accounts();
    expect(stored).toMatchObject({ name: 'sap-tls', configured: { caBundle: true, clientCert: true, clientKey: true, username: false, password: false }, createdBy: 'ada' });
    // The secrets went to the gateway once, in the POST, and never came back to the page.
    expect(grafana.gatewayCalls()).toContain('POST /api/v1/shared-accounts');
    expect(document.body.textContent).not.toContain('PRIVATE KEY');
    expect(document.body.textContent).not.toContain('BEGIN CERTIFICATE');
  });

  test('editing: configured secrets show "configured" with Reset, and saved untouched they stay', async () => {
    const created = await gateway.seed.request<SharedAccount>('POST', '/api/v1/shared-accounts', {
      name: 'vault',
      caBundle: certs.ca.cert,
      username: 'monitor',
      password: 'not-in-any-response',
    });
    const { user, location } = renderAt(`${listPath}/${created.id}/edit`);
    await screen.findByRole('form', { name: 'Shared account' });
    expect(secretBox('CA bundle')).toHaveValue('configured');
    expect(secretBox('CA bundle')).toBeDisabled();
    expect(secretBox('Password')).toHaveValue('configured');
    expect(secretBox('Client key')).toHaveValue('');
    expect(screen.getByText(/^CN=probekit test CA \(self-signed\), expires in/)).toBeInTheDocument();
    expect(screen.getAllByRole('button', { name: 'Reset' })).toHaveLength(3);

    await user.type(screen.getByLabelText(/^Description/), 'kept secrets');
    await user.click(screen.getByRole('button', { name: 'Save shared account' }));
    await waitFor(() => expect(location()).toBe(listPath));
    expect((await accounts())[0]).toMatchObject({ description: 'kept secrets', configured: { caBundle: true, username: true, password: true } });

  });

  test('reset and left empty, a secret is cleared; reset and retyped, replaced', async () => {
    const created = await gateway.seed.request<SharedAccount>('POST', '/api/v1/shared-accounts', { name: 'creds', username: 'monitor', password: 'old' });
    const { user, location } = renderAt(`${listPath}/${created.id}/edit`);
    await screen.findByRole('form', { name: 'Shared account' });
    const [resetUsername, resetPassword] = screen.getAllByRole('button', { name: 'Reset' });
    await user.click(resetUsername!);
    await user.click(resetPassword!);
    expect(secretBox('Password')).toHaveValue('');
    await user.type(secretBox('Password'), 'new-secret');
    await user.click(screen.getByRole('button', { name: 'Save shared account' }));
    await waitFor(() => expect(location()).toBe(listPath));
    expect((await accounts())[0]!.configured).toMatchObject({ username: false, password: true });
  });

  test("the gateway's refusal of a PEM lands on its field, without echoing it", async () => {
    const { user } = renderAt(`${listPath}/new`);
    await screen.findByRole('form', { name: 'Shared account' });
    await user.type(screen.getByLabelText(/^Name/), 'broken');
    await user.click(secretBox('Client certificate'));
    await user.paste(certs.client.cert);
    await user.click(screen.getByRole('button', { name: 'Create shared account' }));
    await waitFor(() => expect(fieldError(secretBox('Client key'))).toBe('Is required with clientCert: set both or neither'));

    // The server's key, not the client certificate's.
    await user.click(secretBox('Client key'));
    await user.paste(certs.leaf.key);
    await user.click(screen.getByRole('button', { name: 'Create shared account' }));
    await waitFor(() => expect(fieldError(secretBox('Client key'))).toMatch(/^Does not belong to clientCert/));
    const keyBody = certs.leaf.key.split('\n')[1]!;
    // What the page says about it (field errors, banners) never repeats the key.
    expect(screen.getAllByRole('alert').map((alert) => alert.textContent).join('\n')).not.toContain(keyBody);
    expect(await accounts()).toEqual([]);
  });

  test('deleting an account a server uses is refused, naming the server', async () => {
    const account = await gateway.seed.request<SharedAccount>('POST', '/api/v1/shared-accounts', { name: 'in-use', caBundle: certs.ca.cert });
    await gateway.seed.createServer({ name: 'erp-prod', sharedAccount: 'in-use' });
    await gateway.seed.request('POST', '/api/v1/shared-accounts', { name: 'unused' });
    const { user } = renderAt(listPath);
    const table = await screen.findByRole('table', { name: 'Shared accounts' });
    expect(within(table).getByRole('row', { name: /^in-use/ })).toHaveTextContent('erp-prod');

    await user.click(screen.getByRole('button', { name: 'Delete in-use' }));
    const dialog = await screen.findByRole('dialog');
    expect(dialog).toHaveTextContent('It is used by server erp-prod');
    await user.click(within(dialog).getByRole('button', { name: 'Delete' }));
    const refused = await screen.findByText(/^Shared account in-use is still in use/);
    expect(refused.closest('[role="alert"]')).toHaveTextContent(/used by server\(s\) "erp-prod"/);
    expect((await accounts()).map((stored) => stored.id)).toContain(account.id);

    await user.click(screen.getByRole('button', { name: 'Delete unused' }));
    await user.click(within(await screen.findByRole('dialog')).getByRole('button', { name: 'Delete' }));
    await waitFor(() => expect(within(screen.getByRole('table', { name: 'Shared accounts' })).queryByRole('row', { name: /^unused/ })).toBeNull());
  });

  test('editors and viewers read the list but cannot change it; Grafana refuses them the writes', async () => {
    await gateway.seed.request('POST', '/api/v1/shared-accounts', { name: 'read-only', caBundle: certs.ca.cert });
    const { grafana } = renderAt(listPath, 'Editor');
    await screen.findByRole('table', { name: 'Shared accounts' });
    expect(screen.getByText('Managed by Grafana admins')).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: /Create shared account|Delete read-only/ })).toBeNull();
    const answer = await grafana.serve('POST', '/api/plugin-proxy/probekit-tcpprobe-app/gateway/api/v1/shared-accounts', new Headers({ 'content-type': 'application/json' }), JSON.stringify({ name: 'sneaky' }));
    expect(answer.status).toBe(403);
    expect((await accounts()).map((stored) => stored.name)).toEqual(['read-only']);
  });
});
