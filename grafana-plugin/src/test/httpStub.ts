// A tiny HTTP server on loopback for what a real gateway cannot be made to do on demand: answer 503 from /readyz,
// or be some other web server at the configured URL.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface HttpStub {
  url: string;
  close(): Promise<void>;
}

export async function startHttpStub(handler: (request: IncomingMessage, response: ServerResponse) => void): Promise<HttpStub> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A port nothing listens on: bind one, note it, close it. */
export async function closedPortUrl(): Promise<string> {
  const stub = await startHttpStub((_request, response) => response.end());
  await stub.close();
  return stub.url;
}
