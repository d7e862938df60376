// The preview's Grafana ruler: evaluates every stored rule group on its interval (at multiples of it, as Grafana's
// scheduler does) with instant queries to the real Prometheus, and records each rule's state where Grafana's rules
// API (/api/prometheus/grafana/api/v1/rules) reports it.
import { parseDurationMs } from '../src/alerting/mapping';
import type { GrafanaAlertingApi, StoredGroup, StoredRule } from '../src/test/grafanaAlertingApi';
import { conditionResults, nextInstances, reportedState, ruleQuery, type Instance, type Sample } from './ruleEvaluation';

/** How often the ruler looks for due groups; group intervals are multiples of Grafana's 10 s base interval. */
const TICK_MS = 1_000;

export interface PreviewRuler {
  /** Evaluations done, per rule uid: a test can wait for a rule's first one. */
  evaluations: Map<string, number>;
  stop(): void;
}

async function instantQuery(prometheusUrl: string, expr: string, timeMs: number): Promise<Sample[]> {
  const response = await fetch(`${prometheusUrl}/api/v1/query?query=${encodeURIComponent(expr)}&time=${timeMs / 1000}`, { signal: AbortSignal.timeout(10_000) });
  const body = (await response.json().catch(() => ({}))) as { status?: string; error?: string; data?: { resultType: string; result: Array<{ metric: Record<string, string>; value: [number, string] }> } };
  if (body.status !== 'success' || !body.data) throw new Error(`Prometheus: ${body.error ?? `${response.status} ${response.statusText}`}`);
  if (body.data.resultType !== 'vector') throw new Error(`Prometheus answered a ${body.data.resultType}, not a vector`);
  return body.data.result.map((series) => ({ labels: series.metric, value: Number(series.value[1]) }));
}

export function startRuler(alerting: GrafanaAlertingApi, prometheusUrl: string): PreviewRuler {
  const instances = new Map<string, Map<string, Instance>>();
  const evaluations = new Map<string, number>();
  /** Per group, the interval slot it was last evaluated in. */
  const lastSlot = new Map<string, number>();
  const running = new Set<string>();

  const evaluateRule = async (rule: StoredRule, nowMs: number) => {
    const labels = rule.labels ?? {};
    try {
      const answer = await instantQuery(prometheusUrl, ruleQuery(rule).expr, nowMs);
      const next = nextInstances(instances.get(rule.uid) ?? new Map(), conditionResults(rule, answer), labels, parseDurationMs(rule.for), nowMs);
      instances.set(rule.uid, next);
      alerting.setRuleState(rule.uid, reportedState(next, labels, nowMs));
    } catch (error) {
      instances.delete(rule.uid);
      alerting.setRuleState(rule.uid, reportedState(new Map(), labels, nowMs, (error as Error).message));
    }
    evaluations.set(rule.uid, (evaluations.get(rule.uid) ?? 0) + 1);
  };

  const evaluateGroup = async (group: StoredGroup, key: string, nowMs: number) => {
    running.add(key);
    try {
      await Promise.all(group.rules.map((rule) => evaluateRule(rule, nowMs)));
    } finally {
      running.delete(key);
    }
  };

  const tick = () => {
    const nowMs = Date.now();
    const present = new Set<string>();
    for (const group of alerting.groups) {
      const key = `${group.folderUid}/${group.title}`;
      for (const rule of group.rules) present.add(rule.uid);
      const slot = Math.floor(nowMs / (group.interval * 1000));
      const last = lastSlot.get(key);
      lastSlot.set(key, slot);
      // A new group waits for its first slot, as in Grafana; a slow evaluation skips the slots it overran.
      if (last !== undefined && slot > last && !running.has(key)) void evaluateGroup(group, key, nowMs);
    }
    for (const uid of [...instances.keys(), ...alerting.ruleStates.keys()]) {
      if (present.has(uid)) continue;
      instances.delete(uid);
      alerting.ruleStates.delete(uid);
    }
  };

  const timer = setInterval(tick, TICK_MS);
  return { evaluations, stop: () => clearInterval(timer) };
}
