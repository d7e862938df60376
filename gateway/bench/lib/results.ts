// A bench's verdict rows (metric, goal, measured, verdict), printed as a table and written as JSON to bench/results/.
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { machine } from './proc.js';

/** bench/results/ at the repository root; BENCH_RESULTS_DIR elsewhere (for trial runs that must not replace the figures). */
export const RESULTS_DIR = process.env.BENCH_RESULTS_DIR ?? resolve(dirname(fileURLToPath(import.meta.url)), '../../../bench/results');

export interface Row {
  metric: string;
  goal: string;
  measured: string;
  /** 'pass', 'MISS', or 'info' for a figure without a goal. */
  verdict: 'pass' | 'MISS' | 'info';
}

export interface BenchReport {
  bench: string;
  startedAt: string;
  finishedAt: string;
  machine: Record<string, string | number>;
  /** sha256 of src/ as it was when the report was written: others edit src/ meanwhile, so say which code was measured. */
  sourceHash: string;
  rows: Row[];
  /** Everything measured, for anyone who wants to recompute a row. */
  raw: Record<string, unknown>;
}

export function row(metric: string, goal: string, measured: string, ok: boolean | null): Row {
  return { metric, goal, measured, verdict: ok === null ? 'info' : ok ? 'pass' : 'MISS' };
}

export function writeReport(bench: string, startedAt: Date, rows: Row[], raw: Record<string, unknown>): BenchReport {
  const report: BenchReport = { bench, startedAt: startedAt.toISOString(), finishedAt: new Date().toISOString(), machine: machine(), sourceHash: sourceHash(), rows, raw };
  mkdirSync(RESULTS_DIR, { recursive: true });
  writeFileSync(join(RESULTS_DIR, `${bench}.json`), `${JSON.stringify(report, null, 2)}\n`);
  return report;
}

function sourceHash(): string {
  const src = resolve(dirname(fileURLToPath(import.meta.url)), '../../src');
  const hash = createHash('sha256');
  for (const file of (readdirSync(src, { recursive: true }) as string[]).filter((f) => f.endsWith('.ts')).sort()) {
    hash.update(file).update(readFileSync(join(src, file)));
  }
  return hash.digest('hex').slice(0, 16);
}

export function readReport(bench: string): BenchReport | null {
  try {
    return JSON.parse(readFileSync(join(RESULTS_DIR, `${bench}.json`), 'utf8')) as BenchReport;
  } catch {
    return null;
  }
}

/** A Markdown table, so it can be pasted into bench/README.md as it is. */
export function formatTable(rows: Row[]): string {
  const header = ['metric', 'goal', 'measured', 'verdict'];
  const cells = rows.map((r) => [r.metric, r.goal, r.measured, r.verdict]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]) => `| ${c.map((text, i) => text.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...cells.map(line)].join('\n');
}

/** Logs progress to stderr with a timestamp, keeping stdout for the table. */
export function log(message: string): void {
  process.stderr.write(`[${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}
