// A stand-in pager for the probekit stack: receives the webhook notifications of Grafana's contact points and of
// Alertmanager's receivers, prints one line per alert (docker compose logs -f alert-inbox) and lists the latest ones
// as JSON on GET /. The path a notification was posted to names who was paged, e.g. /grafana/team-db.
import { createServer } from 'node:http';

const port = Number(process.env.ALERT_INBOX_PORT ?? 9099);
const KEEP = 200;
const BODY_LIMIT_BYTES = 1024 * 1024;
/** The latest notifications, newest last. */
const inbox = [];

/** One line per alert: who was paged, firing or resolved, the alert's name, its routing labels and its summary. */
function describe(path, notification) {
  return (notification.alerts ?? []).map((alert) => {
    const labels = alert.labels ?? {};
    const shown = ['team', 'severity', 'server', 'probe', 'target', 'gateway']
      .filter((name) => labels[name])
      .map((name) => `${name}=${labels[name]}`)
      .join(' ');
    const summary = alert.annotations?.summary ? ` - ${alert.annotations.summary}` : '';
    return `${path} ${String(alert.status ?? notification.status ?? 'unknown').toUpperCase()} ${labels.alertname ?? '?'} {${shown}}${summary}`;
  });
}

const server = createServer((request, response) => {
  if (request.method === 'GET' && request.url === '/') {
    response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(inbox));
    return;
  }
  if (request.method !== 'POST') {
    response.writeHead(405).end();
    return;
  }
  const chunks = [];
  let size = 0;
  request.on('data', (chunk) => {
    size += chunk.length;
    if (size > BODY_LIMIT_BYTES) request.destroy();
    else chunks.push(chunk);
  });
  request.on('end', () => {
    let notification;
    try {
      notification = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      response.writeHead(400).end('body is not JSON\n');
      return;
    }
    const path = request.url ?? '/';
    for (const line of describe(path, notification)) process.stdout.write(`${line}\n`);
    inbox.push({ receivedAt: new Date().toISOString(), path, receiver: notification.receiver, status: notification.status, alerts: notification.alerts ?? [] });
    if (inbox.length > KEEP) inbox.splice(0, inbox.length - KEEP);
    response.writeHead(200).end();
  });
});

server.listen(port, () => process.stdout.write(`alert-inbox listening on :${server.address().port}\n`));
for (const signal of ['SIGTERM', 'SIGINT']) process.on(signal, () => server.close(() => process.exit(0)));
