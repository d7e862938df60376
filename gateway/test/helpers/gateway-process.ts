// Runs a gateway as a child process (`node --import tsx src/main.ts`), for tests that kill, restart or run several.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { freePort } from './prometheus.js';

const GATEWAY_DIR = fileURLToPath(new URL('../..', import.meta.url));

export interface GatewayProcess {
  process: ChildProcess;
  url: string;
  port: number;
  output(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Sends the signal and waits for the process to end. */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

export interface SpawnOptions {
  /** A network namespace to run the gateway in (`ip netns exec`, which execs it: the child is the gateway itself). */
  netns?: string;
}

/**
 * Starts a gateway with `env` (GATEWAY_* variables of this process are not inherited) and waits until /readyz
 * answers 200. GATEWAY_PORT defaults to a free port; `url` is on GATEWAY_HOST (default 127.0.0.1).
 */
export async function spawnGateway(env: Record<string, string>, readyTimeoutMs = 45_000, options: SpawnOptions = {}): Promise<GatewayProcess> {
  const port = env.GATEWAY_PORT ? Number(env.GATEWAY_PORT) : await freePort();
  const childEnv: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) if (!key.startsWith('GATEWAY_') && value !== undefined) childEnv[key] = value;
  Object.assign(childEnv, { GATEWAY_HOST: '127.0.0.1', GATEWAY_TIME_ZONE: 'UTC', GATEWAY_LOG_LEVEL: 'warn', ...env, GATEWAY_PORT: String(port) });
  const command = [process.execPath, '--import', 'tsx', 'src/main.ts'];
  if (options.netns) command.unshift('ip', 'netns', 'exec', options.netns);
  const child = spawn(command[0]!, command.slice(1), { cwd: GATEWAY_DIR, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => { output += chunk.toString(); });
  child.stderr!.on('data', (chunk: Buffer) => { output += chunk.toString(); });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  let gone = false;
  void exited.then(() => { gone = true; });
  const url = `http://${childEnv.GATEWAY_HOST}:${port}`;

  const deadline = Date.now() + readyTimeoutMs;
  for (;;) {
    if (gone) throw new Error(`the gateway exited before it was ready:\n${output}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`the gateway was not ready within ${readyTimeoutMs} ms:\n${output}`);
    }
    try {
      if ((await fetch(`${url}/readyz`)).status === 200) break;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    process: child,
    url,
    port,
    output: () => output,
    exited,
    async stop(signal = 'SIGTERM') {
      if (!gone) child.kill(signal);
      await exited;
    },
  };
}
