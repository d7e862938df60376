// This process's memory: RSS as the OS sees it, and after a full garbage collection (gc() exposed without a node flag).
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

export interface Memory {
  rss: number;
  rssAfterGc: number;
  heapUsedAfterGc: number;
}

export function memory(): Memory {
  const rss = process.memoryUsage().rss;
  gc();
  gc();
  const after = process.memoryUsage();
  return { rss, rssAfterGc: after.rss, heapUsedAfterGc: after.heapUsed };
}

export const MiB = 2 ** 20;
