// GET /metrics by curl in its own process, so the client's work does not load the event loop being measured.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface Scrape {
  ms: number;
  bytes: number;
  /** Lines of the body that start with `keep` (e.g. one histogram), when asked for. */
  kept?: string;
}

/** One scrape: curl's own total time (connect to last byte) and the body size; optionally keeps some lines via grep. */
export async function curlScrape(url: string, keep?: string, outFile = '/dev/null'): Promise<Scrape> {
  const { stdout } = await run('curl', ['-sS', '--max-time', '60', '-o', keep ? outFile : '/dev/null', '-w', '%{time_total} %{size_download} %{http_code}', `${url}/metrics`]);
  const [seconds, bytes, status] = stdout.trim().split(' ').map(Number) as [number, number, number];
  if (status !== 200) throw new Error(`GET /metrics answered ${status}`);
  const scrape: Scrape = { ms: seconds * 1000, bytes };
  if (keep) scrape.kept = (await run('grep', [`^${keep}`, outFile], { maxBuffer: 1 << 20 })).stdout;
  return scrape;
}
