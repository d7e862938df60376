// "Test connection": asks the gateway through Grafana's route twice, once without the token (/readyz) and once with it
// (/api/v1/gateways), and says in plain words which part is wrong. `describeConnection` is the pure verdict.
import { getReadiness, listGateways } from '../../api/gateways';
import { toGatewayError, type GatewayError } from '../../api/errors';
import type { GatewaysResponse, Readiness } from '../../api/types';

export type Outcome<T> = { ok: true; value: T } | { ok: false; error: GatewayError };

export type ConnectionVerdict = 'connected' | 'noUrl' | 'unreachable' | 'wrongUrl' | 'notReady' | 'badToken' | 'forbidden' | 'failed';

export interface ConnectionReport {
  verdict: ConnectionVerdict;
  severity: 'success' | 'warning' | 'error';
  title: string;
  detail: string;
}

const failed = (verdict: ConnectionVerdict, title: string, detail: string): ConnectionReport => ({ verdict, severity: 'error', title, detail });

function statusLine(error: GatewayError): string {
  return error.status > 0 ? ` (HTTP ${error.status})` : '';
}

/** Why the unauthenticated /readyz failed. */
function readinessFailure(error: GatewayError): ConnectionReport {
  switch (error.kind) {
    case 'unreachable':
      return failed('unreachable', 'Gateway unreachable', `Grafana could not connect to the gateway URL${statusLine(error)}. Check the URL as the Grafana server sees it (scheme, host, port) and that the gateway is running; in a container, localhost is the Grafana container itself.`);
    case 'notGateway':
      return failed('wrongUrl', 'Wrong gateway URL', `Something answered at the gateway URL${statusLine(error)}, but not a probekit gateway. Use the gateway's base URL without a path, e.g. http://probekit-gateway:8080.`);
    case 'notReady':
      return { verdict: 'notReady', severity: 'warning', title: 'Gateway not ready', detail: `${error.message} Try again in a moment; if it stays, check the gateway's log.` };
    case 'forbidden':
      return failed('forbidden', 'Not allowed', error.message);
    default:
      return failed('failed', 'Connection test failed', error.message);
  }
}

/** Why the authenticated /api/v1/gateways failed after /readyz answered. */
function apiFailure(error: GatewayError): ConnectionReport {
  if (error.kind === 'unauthorized') {
    return failed('badToken', 'Bad token', "The gateway is reachable and ready, but rejected the API token. Paste the gateway's token (GATEWAY_API_TOKEN, or the file gateway/data/api-token), save, and test again.");
  }
  if (error.kind === 'notGateway') return readinessFailure(error);
  return failed('failed', 'Connection test failed', `The gateway is ready, but its API answered with an error: ${error.message}`);
}

export function describeConnection(readiness: Outcome<Readiness>, gateways?: Outcome<GatewaysResponse>): ConnectionReport {
  if (!readiness.ok) return readinessFailure(readiness.error);
  if (!gateways) return failed('failed', 'Connection test failed', 'The gateway API was not asked.');
  if (!gateways.ok) return apiFailure(gateways.error);
  const items = gateways.value.items;
  const self = items.find((gateway) => gateway.self);
  const others = items.filter((gateway) => !gateway.self);
  const known = others.length === 0 ? '' : ` Other gateways: ${others.map((g) => `${g.id} (${g.online ? 'online' : 'offline'})`).join(', ')}.`;
  return {
    verdict: 'connected',
    severity: 'success',
    title: 'Connected',
    detail: `Gateway ${self?.id ?? 'unknown'}${self ? ` (version ${self.version})` : ''} is ready and accepts the token.${known}`,
  };
}

async function outcome<T>(call: () => Promise<T>): Promise<Outcome<T>> {
  try {
    return { ok: true, value: await call() };
  } catch (error) {
    return { ok: false, error: toGatewayError(error) };
  }
}

/** Tests the saved settings: Grafana's proxy always uses what is stored, not what the form shows. */
export async function testConnection(savedGatewayUrl: string | undefined): Promise<ConnectionReport> {
  if (!savedGatewayUrl) {
    return { verdict: 'noUrl', severity: 'warning', title: 'No gateway URL saved', detail: 'Enter the gateway URL and its API token, save, then test.' };
  }
  const readiness = await outcome(getReadiness);
  if (!readiness.ok) return describeConnection(readiness);
  return describeConnection(readiness, await outcome(listGateways));
}
