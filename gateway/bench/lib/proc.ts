// Reads a process's CPU time and memory from /proc, and the host's TCP TIME_WAIT count, without loading it.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';

const CLOCK_TICKS = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;

/** utime + stime of one process (its threads included, its children not), in milliseconds; resolution 1000/CLK_TCK ms. */
export function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) may contain spaces; the fields after its closing parenthesis are plain.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return ((utime + stime) * 1000) / CLOCK_TICKS;
}

/** Resident set size in bytes (VmRSS). */
export function rssBytes(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!match) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(match[1]) * 1024;
}

/** Sockets in TIME_WAIT on this host, from `ss -s` (cheap even with tens of thousands). */
export function timeWaitCount(): number {
  const summary = execFileSync('ss', ['-s']).toString();
  const match = /timewait (\d+)/.exec(summary);
  return match ? Number(match[1]) : -1;
}

/** CPU time of a process over a wall-clock window, sampled in slices so the spread is visible. */
export interface CpuWindow {
  wallMs: number;
  cpuMs: number;
  /** CPU ms per wall second of each slice. */
  sliceCpuMsPerSecond: number[];
}

export async function measureCpu(pid: number, windowMs: number, slices: number): Promise<CpuWindow> {
  const sliceMs = windowMs / slices;
  const startWall = performance.now();
  const startCpu = cpuMs(pid);
  const perSecond: number[] = [];
  let previousWall = startWall;
  let previousCpu = startCpu;
  for (let i = 0; i < slices; i++) {
    await new Promise((resolve) => setTimeout(resolve, startWall + sliceMs * (i + 1) - performance.now()));
    const wall = performance.now();
    const cpu = cpuMs(pid);
    perSecond.push(((cpu - previousCpu) * 1000) / (wall - previousWall));
    previousWall = wall;
    previousCpu = cpu;
  }
  return { wallMs: previousWall - startWall, cpuMs: previousCpu - startCpu, sliceCpuMsPerSecond: perSecond };
}

export function machine(): Record<string, string | number> {
  return {
    node: process.version,
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    memGiB: Math.round(os.totalmem() / 2 ** 30),
    kernel: os.release(),
    clockTicks: CLOCK_TICKS,
  };
}

/** The host's 1-minute load average: on a shared machine, says how much else was running. */
export function loadAverage(): number {
  return Math.round(os.loadavg()[0]! * 100) / 100;
}
