// The probe page of a TLS probe against a real gateway and a loopback TLS server: the certificate's expiry in days and
// the handshake in the summary, the response time of its dialogue; a plain probe shows none of them.
import { configure, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { App } from '../../App';
import type { ProbeServer } from '../../api/types';
import { startTestGateway, type TestGateway } from '../../test/gatewayHarness';
import { installFakeGrafana } from '../../test/grafanaRuntime';
import { renderApp } from '../../test/render';
import { testCertificates } from '../../../../gateway/test/helpers/certs';
import { startTlsServer, type TestTlsServer } from '../../../../gateway/test/helpers/tls-servers';

configure({ asyncUtilTimeout: 10_000 });

let gateway: TestGateway;
let tlsServer: TestTlsServer;
let server: ProbeServer;
beforeEach(async () => {
  gateway = await startTestGateway({ GATEWAY_ALLOWED_TARGETS: '127.0.0.0/8' });
  // Soon to expire: the intermediate under the leaf ends in 10 days, and the chain's earliest expiry is what counts.
  tlsServer = await startTlsServer({ certificate: (await testCertificates()).chainLeaf, banner: '+OK ready\r\n' });
  server = await gateway.seed.createServer({ name: 'imaps' });
});
afterEach(async () => {
  await Promise.all([gateway.close(), tlsServer.close()]);
});

const summary = () => within(screen.getByRole('region', { name: 'Probe summary' }));
const summaryField = (label: string) => summary().getByText(label, { selector: 'dt' }).nextElementSibling!;

test("a TLS probe's page says when its certificate chain expires, its handshake and its response time", async () => {
  const probe = await gateway.seed.createProbe(server.id, {
    name: 'mailbox',
    host: '127.0.0.1',
    port: tlsServer.port,
    intervalSeconds: 3600,
    tls: { serverName: 'localhost', verify: false },
    dialogue: [{ expect: '^\\+OK' }],
  });
  await gateway.seed.runProbe(probe.id);
  const grafana = installFakeGrafana({ gateway, user: { orgRole: 'Viewer' } });
  renderApp(App, grafana, `/a/probekit-tcpprobe-app/probes/${probe.id}`);
  await screen.findByRole('region', { name: 'Probe summary' });
  expect(summaryField('Certificate expires')).toHaveTextContent(/^in (9\.\d|10) days$/);
  expect(summaryField('TLS')).toHaveTextContent(/^TLSv1\.3, handshake \d/);
  expect(summaryField('Response time')).toHaveTextContent(/ ms$/);
  // The certificate-expiry alerts every TLS probe has unless its server or itself says otherwise.
  const thresholds = await screen.findByRole('region', { name: 'Thresholds and alerts' });
  await waitFor(() => expect(thresholds).toHaveTextContent(/Certificate expiry, warning\s*certificate expires in less than 14 days/));
  expect(thresholds).toHaveTextContent(/Certificate expiry, critical\s*certificate expires in less than 3 days/);
});

test('a plain probe shows no certificate', async () => {
  const probe = await gateway.seed.createProbe(server.id, { name: 'plain', host: '127.0.0.1', port: tlsServer.port, intervalSeconds: 3600 });
  await gateway.seed.runProbe(probe.id);
  const grafana = installFakeGrafana({ gateway, user: { orgRole: 'Viewer' } });
  renderApp(App, grafana, `/a/probekit-tcpprobe-app/probes/${probe.id}`);
  await screen.findByRole('region', { name: 'Probe summary' });
  expect(summary().queryByText('Certificate expires')).toBeNull();
  expect(summary().queryByText('Response time')).toBeNull();
  const thresholds = await screen.findByRole('region', { name: 'Thresholds and alerts' });
  await waitFor(() => expect(thresholds).toHaveTextContent('Availability (down)'));
  expect(thresholds).not.toHaveTextContent('Certificate expiry');
});
