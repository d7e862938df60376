// GET /metrics by curl in its own process, so the client's work does not load the event loop being measured; curl is
// started by a small helper process (command-runner.mjs) rather than forked from this large one.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { killOnExit } from './cleanup.js';

export interface Scrape {
  ms: number;
  bytes: number;
  /** Lines of the body that start with `keep` (e.g. one histogram), when asked for. */
  kept?: string;
}

let runner: ChildProcess | undefined;
const waiting = new Map<number, { resolve: (stdout: string) => void; reject: (error: Error) => void }>();
let nextId = 0;

/** Runs a command in the helper process; resolves with its stdout. */
function run(file: string, args: string[]): Promise<string> {
  if (!runner) {
    runner = spawn(process.execPath, [fileURLToPath(new URL('./command-runner.mjs', import.meta.url))], { stdio: ['pipe', 'pipe', 'inherit'] });
    killOnExit(runner, 'command runner');
    createInterface({ input: runner.stdout! }).on('line', (line) => {
      const { id, stdout, error } = JSON.parse(line) as { id: number; stdout: string; error: string | null };
      const waiter = waiting.get(id);
      waiting.delete(id);
      if (error) waiter?.reject(new Error(error));
      else waiter?.resolve(stdout);
    });
    // The helper must not keep a finished bench alive.
    runner.unref();
    (runner.stdin as unknown as { unref?: () => void }).unref?.();
    (runner.stdout as unknown as { unref?: () => void }).unref?.();
  }
  const id = nextId++;
  return new Promise((resolve, reject) => {
    waiting.set(id, { resolve, reject });
    runner!.stdin!.write(`${JSON.stringify({ id, file, args })}\n`);
  });
}

/** One scrape: curl's own total time (connect to last byte) and the body size; optionally keeps some lines via grep. */
export async function curlScrape(url: string, keep?: string, outFile = '/dev/null'): Promise<Scrape> {
  const stdout = await run('curl', ['-sS', '--max-time', '60', '-o', keep ? outFile : '/dev/null', '-w', '%{time_total} %{size_download} %{http_code}', `${url}/metrics`]);
  const [seconds, bytes, status] = stdout.trim().split(' ').map(Number) as [number, number, number];
  if (status !== 200) throw new Error(`GET /metrics answered ${status}`);
  const scrape: Scrape = { ms: seconds * 1000, bytes };
  if (keep) scrape.kept = await run('grep', [`^${keep}`, outFile]);
  return scrape;
}
