// Grafana's BackendSrv around one fetch function: every verb helper funnels into it, as in Grafana. Shared by the
// test harness's fake Grafana and the preview host.
import type { BackendSrv, BackendSrvRequest, FetchResponse } from '@grafana/runtime';
import { lastValueFrom, type Observable } from 'rxjs';

export type FetchFunction = <T>(options: BackendSrvRequest) => Observable<FetchResponse<T>>;

/** `host` names the stand-in in the error thrown for what it does not offer (chunked requests). */
export function backendSrvFromFetch(fetchFn: FetchFunction, host: string): BackendSrv {
  const request = <T>(options: BackendSrvRequest): Promise<T> => lastValueFrom(fetchFn<T>(options)).then((response) => response.data);
  return {
    fetch: fetchFn,
    request,
    get: (url, params, requestId, options) => request({ ...options, url, params, requestId, method: 'GET' }),
    delete: (url, data, options) => request({ ...options, url, data, method: 'DELETE' }),
    post: (url, data, options) => request({ ...options, url, data, method: 'POST' }),
    patch: (url, data, options) => request({ ...options, url, data, method: 'PATCH' }),
    put: (url, data, options) => request({ ...options, url, data, method: 'PUT' }),
    datasourceRequest: (options) => lastValueFrom(fetchFn(options)),
    chunked: () => {
      throw new Error(`chunked requests are not part of ${host}`);
    },
  } as BackendSrv;
}
