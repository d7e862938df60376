// What Grafana's rules would alert on now, asked of a real Prometheus: each rule's condition as one instant query.
import type { AlertQuery, AlertRuleGroup, ProvisionedAlertRule } from '../../src/alerting/index.js';
import type { RunningPrometheus } from './prometheus.js';

export interface GrafanaRuleInstance {
  /** The Prometheus alert name, which each Grafana title starts with. */
  alertName: string;
  uid: string;
  /** The rule's own labels (team, severity, ...). */
  ruleLabels: Record<string, string>;
  /** The labels of the series that meets the condition. */
  labels: Record<string, string>;
}

/**
 * The condition expression of a rule: the threshold expression (the rule's `condition`) applied to the query its
 * reduce step reads. Reducing an instant query to its last value changes nothing, so the PromQL is the query with
 * the threshold's comparison appended, as an instant query in Prometheus.
 */
export function conditionExpr(rule: ProvisionedAlertRule): string {
  const byRef = new Map(rule.data.map((query) => [query.refId, query]));
  const at = (refId: unknown): AlertQuery => {
    const query = typeof refId === 'string' ? byRef.get(refId) : undefined;
    if (!query) throw new Error(`rule ${rule.uid}: no query ${String(refId)} in ${[...byRef.keys()].join(', ')}`);
    return query;
  };
  const threshold = at(rule.condition).model as { type?: string; expression?: string; conditions?: { evaluator: { type: string; params: number[] } }[] };
  const reduce = at(threshold.expression).model as { type?: string; expression?: string };
  const query = at(reduce.expression).model as { expr?: string };
  const evaluator = threshold.conditions?.[0]?.evaluator;
  const operator = evaluator?.type === 'lt' ? '<' : evaluator?.type === 'gt' ? '>' : undefined;
  if (threshold.type !== 'threshold' || reduce.type !== 'reduce' || typeof query.expr !== 'string' || !operator) {
    throw new Error(`rule ${rule.uid}: its condition is not threshold(reduce(PromQL)): ${JSON.stringify(rule.data)}`);
  }
  return `${query.expr} ${operator} ${evaluator!.params[0]}`;
}

/** Every series meeting each rule's condition in `prometheus` now, one instance per series. */
export async function grafanaRuleInstances(groups: readonly AlertRuleGroup[], prometheus: RunningPrometheus): Promise<GrafanaRuleInstance[]> {
  const instances: GrafanaRuleInstance[] = [];
  for (const rule of groups.flatMap((group) => group.rules)) {
    const alertName = /^\w+/.exec(rule.title)?.[0] ?? rule.title;
    for (const series of await prometheus.query(conditionExpr(rule))) {
      instances.push({ alertName, uid: rule.uid ?? '', ruleLabels: rule.labels ?? {}, labels: series.metric });
    }
  }
  return instances;
}
