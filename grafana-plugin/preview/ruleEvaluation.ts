// Grafana's evaluation of one alert rule, pure: the instant query's series through the rule's server-side
// expressions (reduce, threshold) to its condition per series, and each alert instance's next state from its last
// (Normal -> Pending -> Alerting once `for` has passed since it became active, Normal again when the condition clears),
// reported as Grafana's Prometheus-compatible rules API does. Simplified: a series that vanishes is dropped at once
// (Grafana keeps it as resolved for two intervals), and "no data" is evaluated as the rules ask (noDataState OK).
import type { FakeRuleState, StoredRule } from '../src/test/grafanaAlertingApi';

export interface Sample {
  labels: Record<string, string>;
  value: number;
}

export type InstanceState = 'Normal' | 'Pending' | 'Alerting';

export interface Instance {
  labels: Record<string, string>;
  state: InstanceState;
  /** When the condition became true (Pending and Alerting). */
  activeAtMs?: number;
  value: number;
}

const EXPRESSION_UIDS = new Set(['__expr__', '-100']);

interface ExpressionModel {
  type?: string;
  expression?: string;
  reducer?: string;
  settings?: { mode?: string };
  conditions?: Array<{ evaluator?: { type?: string; params?: number[] } }>;
}

/** The rule's query to the data source (A): its refId and PromQL. */
export function ruleQuery(rule: Pick<StoredRule, 'data' | 'title'>): { refId: string; expr: string } {
  const query = rule.data.find((entry) => !EXPRESSION_UIDS.has(entry.datasourceUid));
  const expr = (query?.model as { expr?: unknown } | undefined)?.expr;
  if (!query || typeof expr !== 'string') throw new Error(`rule "${rule.title}" has no PromQL query`);
  return { refId: query.refId, expr };
}

/** The rule's condition per series of its query's answer: the value of the condition ref, true when non-zero. */
export function conditionResults(rule: Pick<StoredRule, 'data' | 'title' | 'condition'>, answer: Sample[]): Array<Sample & { firing: boolean }> {
  const results = new Map<string, Sample[]>([[ruleQuery(rule).refId, answer]]);
  const input = (model: ExpressionModel, refId: string) => {
    const found = results.get(model.expression ?? '');
    if (!found) throw new Error(`rule "${rule.title}": expression ${refId} reads ${model.expression}, which is not computed before it`);
    return found;
  };
  for (const entry of rule.data) {
    if (!EXPRESSION_UIDS.has(entry.datasourceUid)) continue;
    const model = entry.model as ExpressionModel;
    if (model.type === 'reduce') {
      if (model.reducer !== 'last') throw new Error(`rule "${rule.title}": the preview does not evaluate the ${model.reducer} reducer`);
      // An instant query has one value per series; dropNN leaves a NaN out, so that series has no value.
      const values = input(model, entry.refId);
      results.set(entry.refId, model.settings?.mode === 'dropNN' ? values.filter((sample) => !Number.isNaN(sample.value)) : values);
    } else if (model.type === 'threshold') {
      const evaluator = model.conditions?.[0]?.evaluator;
      const limit = evaluator?.params?.[0] ?? Number.NaN;
      const compare = evaluator?.type === 'gt' ? (value: number) => value > limit : evaluator?.type === 'lt' ? (value: number) => value < limit : undefined;
      if (!compare) throw new Error(`rule "${rule.title}": the preview does not evaluate the ${evaluator?.type} threshold`);
      results.set(entry.refId, input(model, entry.refId).map((sample) => ({ labels: sample.labels, value: compare(sample.value) ? 1 : 0 })));
    } else {
      throw new Error(`rule "${rule.title}": the preview does not evaluate ${model.type} expressions`);
    }
  }
  const condition = results.get(rule.condition);
  if (!condition) throw new Error(`rule "${rule.title}": condition ${rule.condition} is none of its refIds`);
  const measured = results.get(ruleQuery(rule).refId)!;
  return condition.map((sample) => ({
    labels: sample.labels,
    value: measured.find((candidate) => sameLabels(candidate.labels, sample.labels))?.value ?? sample.value,
    firing: sample.value !== 0,
  }));
}

function sameLabels(a: Record<string, string>, b: Record<string, string>): boolean {
  return instanceKey(a) === instanceKey(b);
}

export function instanceKey(labels: Record<string, string>): string {
  return JSON.stringify(Object.entries(labels).sort(([a], [b]) => a.localeCompare(b)));
}

/** Each series' alert instance after this evaluation: its labels are the series' and the rule's (the rule's win). */
export function nextInstances(
  previous: ReadonlyMap<string, Instance>,
  results: ReadonlyArray<Sample & { firing: boolean }>,
  ruleLabels: Record<string, string>,
  forMs: number,
  nowMs: number,
): Map<string, Instance> {
  const next = new Map<string, Instance>();
  for (const result of results) {
    const { __name__: _name, ...seriesLabels } = result.labels;
    const labels = { ...seriesLabels, ...ruleLabels };
    const key = instanceKey(labels);
    const before = previous.get(key);
    if (!result.firing) {
      next.set(key, { labels, state: 'Normal', value: result.value });
      continue;
    }
    const activeAtMs = before && before.state !== 'Normal' ? before.activeAtMs! : nowMs;
    next.set(key, { labels, state: nowMs - activeAtMs >= forMs ? 'Alerting' : 'Pending', activeAtMs, value: result.value });
  }
  return next;
}

/** The rule as Grafana's rules API reports it after an evaluation at `nowMs` (or its failure). */
export function reportedState(instances: ReadonlyMap<string, Instance>, ruleLabels: Record<string, string>, nowMs: number, error?: string): FakeRuleState {
  const lastEvaluation = new Date(nowMs).toISOString();
  if (error !== undefined) {
    // execErrState Error: the rule reports the failure itself.
    return { state: 'inactive', health: 'error', lastError: error, lastEvaluation, alerts: [{ labels: ruleLabels, state: 'Error', value: '' }] };
  }
  const all = [...instances.values()];
  if (all.length === 0) {
    // No series: noDataState OK makes it one Normal instance, reason NoData.
    return { state: 'inactive', health: 'ok', lastEvaluation, alerts: [{ labels: ruleLabels, state: 'Normal (NoData)', value: '' }] };
  }
  const state = all.some((instance) => instance.state === 'Alerting') ? 'firing' : all.some((instance) => instance.state === 'Pending') ? 'pending' : 'inactive';
  return {
    state,
    health: 'ok',
    lastEvaluation,
    alerts: all.map((instance) => ({
      labels: instance.labels,
      state: instance.state,
      ...(instance.activeAtMs === undefined ? {} : { activeAt: new Date(instance.activeAtMs).toISOString() }),
      value: String(instance.value),
    })),
  };
}
