// The probe form's deeper checks against a real gateway and real loopback services: TLS verified through the server's
// shared account, the SMTP + STARTTLS preset, Test connection showing handshake, certificate and transcript, the
// steps saved as the gateway stores them, and field errors on the step or the TLS field they concern.
import { configure, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { App } from '../../App';
import type { Probe, ProbeServer } from '../../api/types';
import { startTestGateway, type TestGateway } from '../../test/gatewayHarness';
import { installFakeGrafana } from '../../test/grafanaRuntime';
import { renderApp } from '../../test/render';
import { testCertificates } from '../../../../gateway/test/helpers/certs';
import { startSmtpLikeServer, type SmtpLikeServer } from '../../../../gateway/test/helpers/dialogue-servers';

configure({ asyncUtilTimeout: 10_000 });

let gateway: TestGateway;
let smtp: SmtpLikeServer;
let server: ProbeServer;
beforeEach(async () => {
  gateway = await startTestGateway({ GATEWAY_ALLOWED_TARGETS: '127.0.0.0/8' });
  smtp = await startSmtpLikeServer();
  const { ca } = await testCertificates();
  // The test CA is no system root: the server's shared account makes its certificates trusted.
  await gateway.seed.request('POST', '/api/v1/shared-accounts', { name: 'test-ca', caBundle: ca.cert });
  // The SMTP-like server answers from this test's event loop, which rendering keeps busy: a generous timeout keeps a
  // slow turn of it from reading as the target's.
  server = await gateway.seed.createServer({ name: 'mail', sharedAccount: 'test-ca', connectTimeoutMs: 5_000 });
});
afterEach(async () => {
  await Promise.all([gateway.close(), smtp.close()]);
});

function renderAt(path: string) {
  const grafana = installFakeGrafana({ gateway, user: { login: 'carol', orgRole: 'Editor' } });
  return { grafana, ...renderApp(App, grafana, path) };
}

type User = ReturnType<typeof renderAt>['user'];

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const field = (label: string) => screen.getByLabelText(new RegExp(`^${escape(label)}`));

function fieldError(label: string): string | null {
  const input = field(label);
  let node = input.parentElement;
  while (node && !node.querySelector(`label[for="${input.id}"]`)) node = node.parentElement;
  return node?.querySelector('[role="alert"]')?.textContent ?? null;
}

async function fill(user: User, label: string, text: string) {
  const input = field(label);
  await user.clear(input);
  if (text !== '') await user.type(input, text.replace(/[{[]/g, (bracket) => bracket + bracket));
}

async function choose(user: User, label: string, option: RegExp) {
  await user.click(field(label));
  await user.click(await screen.findByRole('option', { name: option }));
}

/** The rows of the result box as term -> value. */
function resultRows(box: HTMLElement): Record<string, string> {
  return Object.fromEntries(within(box).getAllByRole('term').map((term) => [term.textContent, term.nextElementSibling!.textContent ?? '']));
}

const newProbePath = () => `/a/probekit-tcpprobe-app/servers/${server.id}/probes/new`;

async function fillSmtpProbe(user: User) {
  await screen.findByRole('form', { name: 'New probe' });
  await fill(user, 'Name', 'smtp-starttls');
  await fill(user, 'Host', '127.0.0.1');
  await fill(user, 'Port', String(smtp.port));
  await user.click(field('Use TLS'));
  await fill(user, 'Server name', 'localhost');
  await choose(user, 'Preset', /^SMTP \+ STARTTLS/);
}

describe('TLS and dialogue', () => {
  test('the SMTP + STARTTLS preset, tested: the handshake, the certificate and the transcript; then saved as typed', async () => {
    const { user, location } = renderAt(newProbePath());
    await fillSmtpProbe(user);
    expect(screen.getAllByLabelText(/^Step \d+: /).map((input) => (input as HTMLInputElement).value)).toEqual([
      '^220 ',
      'EHLO probekit\\r\\n',
      '^250 ',
      'STARTTLS\\r\\n',
      '^220 ',
    ]);
    expect(screen.getByText('TLS handshake')).toHaveAttribute('id', 'probe-dialogue-5');
    expect(screen.getByRole('button', { name: 'Add STARTTLS' })).toBeDisabled();

    await user.click(screen.getByRole('button', { name: 'Test connection' }));
    const box = await screen.findByLabelText('Connection test', {}, { timeout: 15_000 });
    const rows = resultRows(box);
    expect(rows).toMatchObject({ Outcome: 'Connected' });
    expect(rows.TLS).toMatch(/^TLSv1\.3, TLS_/);
    expect(rows['Handshake time']).toMatch(/ ms$/);
    expect(rows['Certificate subject']).toMatch(/CN=localhost/);
    expect(rows['Certificate issuer']).toMatch(/CN=probekit test CA/);
    expect(rows['Certificate expires']).toMatch(/^in 36[45](\.\d)? days \(/);
    expect(rows['Response time']).toMatch(/ ms$/);
    const transcript = within(box).getByRole('table', { name: 'Transcript' });
    const lines = within(transcript).getAllByRole('row').slice(1).map((row) => within(row).getAllByRole('cell').slice(1).map((cell) => cell.textContent));
    expect(lines).toEqual(
      expect.arrayContaining([
        ['← received', expect.stringContaining('220 mail.test ESMTP probekit')],
        ['→ sent', expect.stringContaining('EHLO probekit')],
        ['→ sent', expect.stringContaining('STARTTLS')],
        ['🔒 TLS', expect.any(String)],
      ]),
    );
    expect(smtp.secureSessions).toBe(1);

    await user.click(screen.getByRole('button', { name: 'Create probe' }));
    await waitFor(() => expect(location()).toBe(`/a/probekit-tcpprobe-app/servers/${server.id}`));
    const [created] = (await gateway.seed.request<{ items: Probe[] }>('GET', `/api/v1/servers/${server.id}/probes`)).items;
    expect(created).toMatchObject({
      tls: { serverName: 'localhost', verify: true, minVersion: null },
      ipVersion: 'auto',
      dialogue: [
        { expect: '^220 ' },
        { send: 'EHLO probekit\r\n', encoding: 'utf8' },
        { expect: '^250 ' },
        { send: 'STARTTLS\r\n', encoding: 'utf8' },
        { expect: '^220 ' },
        { startTls: true },
      ],
    });
  });

  test('a failed expect says so, with what came instead, and the transcript up to there', async () => {
    const { user } = renderAt(newProbePath());
    await fillSmtpProbe(user);
    await fill(user, 'Step 3: expect', '^999 ');
    await user.click(screen.getByRole('button', { name: 'Test connection' }));
    const box = await screen.findByLabelText('Connection test', {}, { timeout: 15_000 });
    expect(box).toHaveTextContent('Connection test: unexpected response');
    expect(resultRows(box).Error).toMatch(/\^999 /);
    expect(within(box).getByRole('table', { name: 'Transcript' })).toHaveTextContent('EHLO probekit');
  });

  test("a step's problem shows under that step, the gateway's own refusal of a TLS field next to that field", async () => {
    const { user, grafana } = renderAt(newProbePath());
    await fillSmtpProbe(user);
    await fill(user, 'Step 3: expect', '^(250');
    await user.click(screen.getByRole('button', { name: 'Create probe' }));
    await waitFor(() => expect(fieldError('Step 3: expect')).toMatch(/^Must be a valid regular expression: /));
    expect(fieldError('Step 1: expect')).toBeNull();
    expect(grafana.gatewayCalls().filter((call) => call.startsWith('POST'))).toEqual([]);

    // An IP address passes the form's pattern for a server name; the gateway refuses it, naming tls.serverName.
    await fill(user, 'Step 3: expect', '^250 ');
    await fill(user, 'Server name', '10.1.2.3');
    await user.click(screen.getByRole('button', { name: 'Create probe' }));
    await waitFor(() => expect(fieldError('Server name')).toMatch(/not an IP address/));
    expect(grafana.gatewayCalls()).toContain(`POST /api/v1/servers/${server.id}/probes`);
    expect(screen.queryByRole('alert', { name: /rejected/ })).toBeNull();
  });

  test('IPv6 only for an IPv4 address is refused on the IP version, in the gateway\'s words', async () => {
    const { user } = renderAt(newProbePath());
    await screen.findByRole('form', { name: 'New probe' });
    await fill(user, 'Name', 'v6');
    await fill(user, 'Host', '127.0.0.1');
    await fill(user, 'Port', String(smtp.port));
    await choose(user, 'IP version', /^IPv6 only/);
    await user.click(screen.getByRole('button', { name: 'Create probe' }));
    await waitFor(() => expect(fieldError('IP version')).toBe('Must be "auto" or "4" for the IPv4 address 127.0.0.1'));
  });

  test('steps are added, moved and removed; editing loads TLS and the dialogue as saved', async () => {
    const probe = await gateway.seed.createProbe(server.id, {
      name: 'redis',
      host: '127.0.0.1',
      port: smtp.port,
      tls: { verify: false, minVersion: 'TLSv1.2' },
      dialogue: [{ send: 'PING\r\n' }, { expect: '^\\+PONG' }],
    });
    const { user } = renderAt(`/a/probekit-tcpprobe-app/probes/${probe.id}/edit`);
    await screen.findByRole('form', { name: 'Edit probe redis' });
    expect(field('Use TLS')).toBeChecked();
    expect(field('Verify certificate')).not.toBeChecked();
    expect(screen.getByText('TLS 1.2')).toBeInTheDocument();
    expect(field('Step 1: send')).toHaveValue('PING\\r\\n');
    expect(field('Step 2: expect')).toHaveValue('^\\+PONG');

    await user.click(screen.getByRole('button', { name: 'Add send' }));
    await fill(user, 'Step 3: send', 'QUIT\\r\\n');
    await user.click(screen.getByRole('button', { name: 'Move step 3 up' }));
    await user.click(screen.getByRole('button', { name: 'Remove step 1' }));
    await user.click(screen.getByRole('button', { name: 'Save probe' }));
    await waitFor(async () =>
      expect((await gateway.seed.request<Probe>('GET', `/api/v1/probes/${probe.id}`)).dialogue).toEqual([
        { send: 'QUIT\r\n', encoding: 'utf8' },
        { expect: '^\\+PONG' },
      ]),
    );
  });
});
