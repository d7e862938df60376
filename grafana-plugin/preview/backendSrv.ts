// Grafana's frontend backend service for the preview: requests go to the preview server (same origin), which plays
// Grafana's server; answers come back in the shapes @grafana/runtime's getBackendSrv() gives plugins: parsed JSON,
// and for non-2xx a FetchError whose text body is wrapped as {message, error, response}.
import type { BackendSrv, BackendSrvRequest, FetchError, FetchResponse } from '@grafana/runtime';
import { Observable } from 'rxjs';
import { backendSrvFromFetch } from '../src/test/backendSrvFromFetch';

function withParams(url: string, params: BackendSrvRequest['params']): string {
  if (!params) return url;
  const query = Object.entries(params as Record<string, unknown>)
    .filter(([, value]) => value !== undefined && value !== null)
    .flatMap(([key, value]) => (Array.isArray(value) ? value : [value]).map((v) => `${encodeURIComponent(key)}=${encodeURIComponent(String(v))}`))
    .join('&');
  return query === '' ? url : `${url}${url.includes('?') ? '&' : '?'}${query}`;
}

function parse(text: string, responseType: BackendSrvRequest['responseType']): unknown {
  if (responseType === 'text') return text;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export function createBackendSrv(orgId: number): BackendSrv {
  const fetchFn = <T>(options: BackendSrvRequest): Observable<FetchResponse<T>> =>
    new Observable<FetchResponse<T>>((subscriber) => {
      const controller = new AbortController();
      const method = (options.method ?? 'GET').toUpperCase();
      const url = withParams(options.url, options.params);
      const headers = new Headers(options.headers ?? {});
      headers.set('X-Grafana-Org-Id', String(orgId));
      let body: string | undefined;
      if (options.data !== undefined) {
        body = typeof options.data === 'string' ? options.data : JSON.stringify(options.data);
        if (typeof options.data !== 'string' && !headers.has('content-type')) headers.set('content-type', 'application/json');
      }
      fetch(url, { method, headers, body, signal: controller.signal })
        .then(async (response) => {
          const data = parse(await response.text(), options.responseType);
          if (response.ok) {
            const { status, statusText, ok, headers: responseHeaders, redirected, type } = response;
            subscriber.next({ data: data as T, status, statusText, ok, headers: responseHeaders, redirected, type, url, config: options });
            subscriber.complete();
            return;
          }
          let errorData = data === '' ? { message: response.statusText } : data;
          if (typeof errorData === 'string') errorData = { message: errorData, error: response.statusText, response: errorData };
          const error: FetchError = { status: response.status, statusText: response.statusText, data: errorData, config: options };
          subscriber.error(error);
        })
        .catch((error: unknown) => {
          if (!controller.signal.aborted) subscriber.error(error);
        });
      return () => controller.abort();
    });

  return backendSrvFromFetch(fetchFn, 'the preview');
}
