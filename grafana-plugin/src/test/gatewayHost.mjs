// Worker thread that runs real gateways for the tests: the gateway's own TypeScript, loaded by tsx as `npm run dev`
// does, in a plain Node context. (A jsdom test file cannot host it directly: vite's browser transform rewrites the
// gateway's `new URL(..., import.meta.url)` into a dev-server URL.)
// Messages in: {type: 'start', id, env} and {type: 'close', id}; out: {id, ok, result | error}.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import { tsImport } from 'tsx/esm/api';

const { gatewaySrc } = workerData;
const { readSettings } = await tsImport(join(gatewaySrc, 'settings.ts'), import.meta.url);
const { startGateway } = await tsImport(join(gatewaySrc, 'start.ts'), import.meta.url);

const running = new Map();

async function start(env) {
  const dir = mkdtempSync(join(tmpdir(), 'probekit-plugin-test-'));
  const settings = readSettings({ ...env, GATEWAY_DB: join(dir, 'gateway.db') }, []);
  const gateway = await startGateway(settings);
  const key = gateway.url;
  running.set(key, { gateway, dir });
  return { key, url: gateway.url, token: gateway.token.token, gatewayId: settings.gatewayId };
}

async function close(key) {
  const entry = running.get(key);
  if (!entry) return;
  running.delete(key);
  await entry.gateway.close();
  rmSync(entry.dir, { recursive: true, force: true });
}

parentPort.on('message', async ({ id, type, env, key }) => {
  try {
    const result = type === 'start' ? await start(env) : await close(key);
    parentPort.postMessage({ id, ok: true, result });
  } catch (error) {
    parentPort.postMessage({ id, ok: false, error: error instanceof Error ? `${error.message}\n${error.stack}` : String(error) });
  }
});
parentPort.postMessage({ ready: true });
