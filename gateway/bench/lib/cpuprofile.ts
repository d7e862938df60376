// Summarises a V8 .cpuprofile (node --cpu-prof): the functions with the most self time (percent of busy time), for the report.
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

export interface Frame {
  frame: string;
  selfPercent: number;
}

export function topFrames(file: string, limit = 15): Frame[] {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as { nodes: ProfileNode[]; samples: number[] };
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<string, number>();
  for (const id of profile.samples) {
    const node = byId.get(id);
    if (!node) continue;
    const key = frameLabel(node);
    self.set(key, (self.get(key) ?? 0) + 1);
  }
  // Percent of the samples where the process was busy: idle time says nothing about where the CPU goes.
  self.delete('(idle)');
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  return [...self.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, limit)
    .map(([frame, hits]) => ({ frame, selfPercent: Math.round((hits / total) * 1000) / 10 }));
}

export interface StallFrames {
  endUs: number;
  ms: number;
  /** The most sampled frames during the stall: self time, and the outermost gateway (or library) frame above it. */
  self: Frame[];
  outer: Frame[];
}

/**
 * What ran during each event-loop stall (as LoopMonitor records them, on the profile's clock): a GC shows as
 * "(garbage collector)", a long task by its frames.
 */
export function framesDuring(file: string, stalls: readonly { endUs: number; ms: number }[], limit = 4): StallFrames[] {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as { nodes: (ProfileNode & { children?: number[] })[]; samples: number[]; timeDeltas: number[]; startTime: number };
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const outerOf = (id: number) => {
    const chain: ProfileNode[] = [];
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) chain.unshift(byId.get(at)!);
    return chain.find((node) => /\/(src|node_modules)\//.test(node.callFrame.url)) ?? chain.at(-1)!;
  };
  const times: number[] = [];
  let time = profile.startTime;
  for (const delta of profile.timeDeltas) times.push((time += delta));
  const tally = (labels: string[]) => {
    const counts = new Map<string, number>();
    for (const l of labels) counts.set(l, (counts.get(l) ?? 0) + 1);
    return [...counts.entries()].sort((a, b) => b[1] - a[1]).slice(0, limit)
      .map(([frame, n]) => ({ frame, selfPercent: Math.round((n / labels.length) * 1000) / 10 }));
  };
  return stalls.map(({ endUs, ms }) => {
    const ids = profile.samples.filter((_, i) => times[i]! >= endUs - ms * 1000 && times[i]! <= endUs);
    return { endUs, ms, self: tally(ids.map((id) => frameLabel(byId.get(id)!))), outer: tally(ids.map((id) => frameLabel(outerOf(id)))) };
  });
}

function frameLabel(node: ProfileNode): string {
  const { functionName, url, lineNumber } = node.callFrame;
  const where = url ? `${url.replace(/^.*\/(node_modules|src)\//, '$1/')}:${lineNumber + 1}` : '';
  return `${functionName || '(anonymous)'} ${where}`.trim();
}
