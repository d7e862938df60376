// Starts a real gateway in this process on loopback with a fresh SQLite file, and a small client for its API.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readSettings } from '../../src/settings.js';
import { startGateway, type RunningGateway } from '../../src/start.js';

export interface TestGateway extends RunningGateway {
  dir: string;
  api: ApiClient;
  /** Stops the gateway and removes its folder. */
  dispose(): Promise<void>;
}

export async function startTestGateway(env: Record<string, string> = {}): Promise<TestGateway> {
  const dir = mkdtempSync(join(tmpdir(), 'probekit-test-'));
  const settings = readSettings({
    GATEWAY_DB: join(dir, 'gateway.db'),
    GATEWAY_PORT: '0',
    GATEWAY_ID: 'test-gw',
    GATEWAY_API_TOKEN: 'test-token-0123456789abcdef',
    GATEWAY_TIME_ZONE: 'UTC',
    ...env,
  }, []);
  const gateway = await startGateway(settings);
  return {
    ...gateway,
    dir,
    api: new ApiClient(gateway.url, gateway.token.token),
    async dispose() {
      await gateway.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface ApiResponse<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

/** Real HTTP against the gateway: what the plugin and curl do. */
export class ApiClient {
  constructor(readonly baseUrl: string, readonly token: string | null, readonly extraHeaders: Record<string, string> = {}) {}

  withHeaders(headers: Record<string, string>): ApiClient {
    return new ApiClient(this.baseUrl, this.token, { ...this.extraHeaders, ...headers });
  }

  withToken(token: string | null): ApiClient {
    return new ApiClient(this.baseUrl, token, this.extraHeaders);
  }

  get<T = any>(path: string) { return this.request<T>('GET', path); }
  post<T = any>(path: string, body?: unknown) { return this.request<T>('POST', path, body); }
  put<T = any>(path: string, body?: unknown) { return this.request<T>('PUT', path, body); }
  patch<T = any>(path: string, body?: unknown) { return this.request<T>('PATCH', path, body); }
  delete<T = any>(path: string) { return this.request<T>('DELETE', path); }

  async request<T = any>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<ApiResponse<T>> {
    const allHeaders: Record<string, string> = { ...this.extraHeaders, ...headers };
    if (this.token !== null) allHeaders.authorization = `Bearer ${this.token}`;
    let payload: string | undefined;
    if (body !== undefined) {
      payload = typeof body === 'string' ? body : JSON.stringify(body);
      allHeaders['content-type'] ??= 'application/json';
    }
    const response = await fetch(`${this.baseUrl}${path}`, { method, headers: allHeaders, body: payload });
    const text = await response.text();
    let parsed: unknown = text;
    if ((response.headers.get('content-type') ?? '').includes('json') && text !== '') parsed = JSON.parse(text);
    return { status: response.status, body: parsed as T, headers: response.headers };
  }
}
