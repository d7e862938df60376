// Turns whatever Grafana's backend service threw into a GatewayError: a kind the UI can branch on, a message a user
// can act on, and the gateway's per-field problems for forms. Pure: no Grafana imports.
import type { FieldProblem } from './types';

export type GatewayErrorKind =
  /** 400: fields break the gateway's rules; `problems` names them. */
  | 'validation'
  /** 409 on a field other than `version`, e.g. a name already used. */
  | 'conflict'
  /** 409 on `version`: someone else changed the object since it was loaded; reload and apply the change again. */
  | 'staleVersion'
  /** 404 from the gateway: the object does not exist (any more). */
  | 'notFound'
  /** 401 from the gateway: the API token in the app's settings is missing or wrong. */
  | 'unauthorized'
  /** 403 from Grafana: the signed-in user's role may not use this route (see plugin.json routes). */
  | 'forbidden'
  /** Grafana could not reach the gateway (502/504, connection refused, no URL configured). */
  | 'unreachable'
  /** Something answered at the gateway URL, but not the gateway (an HTML page, a foreign 404). */
  | 'notGateway'
  /** 503 from the gateway's /readyz: starting, or its store is unavailable. */
  | 'notReady'
  /** Anything else: a 5xx from the gateway or Grafana. */
  | 'server';

export class GatewayError extends Error {
  override readonly name = 'GatewayError';

  constructor(
    readonly kind: GatewayErrorKind,
    message: string,
    /** HTTP status as Grafana reported it; 0 when no response arrived. */
    readonly status: number,
    /** Per-field problems from the gateway, the first is the one `message` describes. */
    readonly problems: readonly FieldProblem[] = [],
  ) {
    super(message);
  }

  /** The field the gateway named first, e.g. `connectTimeoutMs` or `thresholds[0].value`. */
  get field(): string | undefined {
    return this.problems[0]?.field;
  }

  /** Someone else changed the object: offer a reload rather than a retry. */
  get isStaleVersion(): boolean {
    return this.kind === 'staleVersion';
  }
}

export function isGatewayError(error: unknown): error is GatewayError {
  return error instanceof GatewayError;
}

/** The gateway's own error body: `{statusCode, error, message, field?, problems?}`. */
interface GatewayErrorBody {
  statusCode: number;
  message: string;
  field?: string;
  problems?: FieldProblem[];
}

function isGatewayErrorBody(data: unknown): data is GatewayErrorBody {
  const body = data as Partial<GatewayErrorBody> | null;
  return typeof body === 'object' && body !== null && typeof body.statusCode === 'number' && typeof body.message === 'string';
}

/** What Grafana's backend service rejects with: FetchError-like `{status, statusText, data}`. */
interface FetchErrorLike {
  status: number;
  statusText?: string;
  data?: unknown;
  cancelled?: boolean;
}

function isFetchErrorLike(error: unknown): error is FetchErrorLike {
  return typeof error === 'object' && error !== null && typeof (error as FetchErrorLike).status === 'number';
}

/** Grafana wraps text bodies as `{message, error, response}`; the raw text is what tells an HTML page apart. */
function bodyText(data: unknown): string {
  if (typeof data === 'string') return data;
  if (typeof data === 'object' && data !== null) {
    const { response, message } = data as { response?: unknown; message?: unknown };
    if (typeof response === 'string') return response;
    if (typeof message === 'string') return message;
  }
  return '';
}

const looksLikeHtml = (text: string) => /^\s*<(!doctype|html|head|body)\b/i.test(text);

function problemsOf(body: GatewayErrorBody): FieldProblem[] {
  if (body.problems && body.problems.length > 0) return body.problems;
  return body.field ? [{ field: body.field, message: body.message }] : [];
}

const UNREACHABLE_HINT = "check the gateway URL on the app's configuration page and that the gateway is running and reachable from the Grafana server";
const TOKEN_HINT = "set the gateway's API token (GATEWAY_API_TOKEN, or the file gateway/data/api-token) on the app's configuration page";

/** Classifies an error thrown by `getBackendSrv().fetch` for a gateway request. */
export function toGatewayError(error: unknown): GatewayError {
  if (error instanceof GatewayError) return error;
  if (!isFetchErrorLike(error)) {
    const text = error instanceof Error ? error.message : String(error);
    return new GatewayError('unreachable', `The request did not reach the gateway (${text}); ${UNREACHABLE_HINT}.`, 0);
  }
  const { status, data } = error;
  const statusLine = `${status}${error.statusText ? ` ${error.statusText}` : ''}`;

  if (status <= 0 || status === 502 || status === 504) {
    return new GatewayError('unreachable', `Grafana could not reach the gateway (${statusLine}); ${UNREACHABLE_HINT}.`, status);
  }
  if (isGatewayErrorBody(data)) {
    const problems = problemsOf(data);
    switch (status) {
      case 400:
        return new GatewayError('validation', data.message, status, problems);
      case 401:
        return new GatewayError('unauthorized', `The gateway rejected the API token (${data.message}); ${TOKEN_HINT}.`, status);
      case 404:
        return new GatewayError('notFound', data.message, status, problems);
      case 409:
        return problems.some((p) => p.field === 'version')
          ? new GatewayError('staleVersion', data.message, status, problems)
          : new GatewayError('conflict', data.message, status, problems);
      default:
        return new GatewayError(status < 500 ? 'validation' : 'server', data.message, status, problems);
    }
  }
  const text = bodyText(data);
  if (status === 403) {
    return new GatewayError('forbidden', `Grafana denied the request: your role in this organization may not do this (${text || statusLine}).`, status);
  }
  if (status === 503 && typeof data === 'object' && data !== null && 'status' in data) {
    const readiness = data as { status?: string; store?: string };
    return new GatewayError('notReady', `The gateway is not ready (status ${readiness.status ?? 'unknown'}, store ${readiness.store ?? 'unknown'}); it may still be starting, or its database is unavailable.`, status);
  }
  if (status === 401) {
    return new GatewayError('unauthorized', `The gateway rejected the request as unauthorized (${statusLine}); ${TOKEN_HINT}.`, status);
  }
  if (status === 404 && text === 'plugin route match not found') {
    return new GatewayError('server', `Grafana has no route of this app for the request (${text}); the plugin's plugin.json routes do not cover it.`, status);
  }
  if (status === 404 || looksLikeHtml(text)) {
    return new GatewayError('notGateway', `The gateway URL answered ${statusLine}, but not as a probekit gateway; check the URL: scheme, host and port of the gateway, without a path.`, status);
  }
  return new GatewayError('server', `The gateway request failed (${statusLine}${text ? `: ${text}` : ''}).`, status);
}
