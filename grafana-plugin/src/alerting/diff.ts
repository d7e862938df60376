// What differs between the rule groups the app wants and what Grafana has: per group its interval, per rule (by uid)
// missing, extra or which fields changed. Grafana's own additions (ids, provenance, query defaults) are not drift. Pure.
import { parseDurationMs, type AlertQuery, type AlertRuleGroup, type ProvisionedAlertRule } from './mapping';

/** A rule as Grafana returns it: the payload plus what Grafana keeps about it. */
export type GrafanaRule = ProvisionedAlertRule & { id?: number; updated?: string; provenance?: string };
export type GrafanaRuleGroup = Omit<AlertRuleGroup, 'rules'> & { rules: GrafanaRule[] };

export type DriftStatus = 'inSync' | 'missing' | 'changed' | 'extra';

export interface FieldChange {
  /** e.g. `for`, `query`, `labels.team`, `contact point`. */
  field: string;
  /** As the app would write it; '' when the app sets nothing there. */
  desired: string;
  /** As Grafana has it; '' when Grafana has nothing there. */
  actual: string;
}

export interface RuleDrift {
  uid: string;
  title: string;
  status: DriftStatus;
  changes: FieldChange[];
}

export interface GroupDrift {
  folderUid: string;
  group: string;
  status: DriftStatus;
  /** Set when the evaluation interval differs. */
  interval?: FieldChange;
  /** Every rule of either side, in the desired order, extra rules last. */
  rules: RuleDrift[];
}

/**
 * Grafana fills in query defaults when it stores a rule (AlertQuery.PreSave): they are not a change the app made or
 * must undo.
 */
const GRAFANA_MODEL_DEFAULTS: Record<string, unknown> = { intervalMs: 1000, maxDataPoints: 43200 };

/** JSON with object keys sorted, so equal values compare equal whatever order Grafana returns keys in. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) =>
    inner && typeof inner === 'object' && !Array.isArray(inner)
      ? Object.fromEntries(Object.entries(inner as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : inner,
  );
}

function canonicalQuery(query: AlertQuery): unknown {
  const model = Object.fromEntries(Object.entries(query.model ?? {}).filter(([key, value]) => GRAFANA_MODEL_DEFAULTS[key] !== value));
  return {
    refId: query.refId,
    datasourceUid: query.datasourceUid,
    queryType: query.queryType || undefined,
    relativeTimeRange: query.relativeTimeRange ?? { from: 0, to: 0 },
    model,
  };
}

function durationMs(text: string | undefined): number | string {
  if (text === undefined || text === '') return 0;
  try {
    return parseDurationMs(text);
  } catch {
    return text;
  }
}

function text(value: unknown): string {
  if (value === undefined || value === null) return '';
  return typeof value === 'string' ? value : canonicalJson(value);
}

function recordChanges(prefix: string, desired: Record<string, string> = {}, actual: Record<string, string> = {}): FieldChange[] {
  const keys = [...new Set([...Object.keys(desired), ...Object.keys(actual)])].sort();
  return keys.filter((key) => desired[key] !== actual[key]).map((key) => ({ field: `${prefix}.${key}`, desired: desired[key] ?? '', actual: actual[key] ?? '' }));
}

function queryChanges(desired: AlertQuery[], actual: AlertQuery[]): FieldChange[] {
  const changes: FieldChange[] = [];
  const refIds = [...new Set([...desired.map((q) => q.refId), ...actual.map((q) => q.refId)])];
  for (const refId of refIds) {
    const want = desired.find((q) => q.refId === refId);
    const have = actual.find((q) => q.refId === refId);
    if (want && have && canonicalJson(canonicalQuery(want)) === canonicalJson(canonicalQuery(have))) continue;
    const wantExpr = (want?.model as { expr?: unknown } | undefined)?.expr;
    const haveExpr = (have?.model as { expr?: unknown } | undefined)?.expr;
    if (want && have && wantExpr !== undefined && canonicalJson(canonicalQuery({ ...want, model: { ...want.model, expr: haveExpr } })) === canonicalJson(canonicalQuery(have))) {
      // Only the PromQL differs: say so in PromQL rather than as a JSON blob.
      changes.push({ field: 'query', desired: text(wantExpr), actual: text(haveExpr) });
      continue;
    }
    changes.push({ field: `query ${refId}`, desired: want ? text(canonicalQuery(want)) : '', actual: have ? text(canonicalQuery(have)) : '' });
  }
  return changes;
}

/** Every field of `actual` that differs from `desired`, in the words of the rule editor. */
export function ruleChanges(desired: ProvisionedAlertRule, actual: GrafanaRule): FieldChange[] {
  const changes: FieldChange[] = [];
  const compare = (field: string, want: unknown, have: unknown, same = text(want) === text(have)) => {
    if (!same) changes.push({ field, desired: text(want), actual: text(have) });
  };
  compare('title', desired.title, actual.title);
  compare('folder', desired.folderUID, actual.folderUID);
  compare('group', desired.ruleGroup, actual.ruleGroup);
  changes.push(...queryChanges(desired.data, actual.data ?? []));
  compare('condition', desired.condition, actual.condition);
  compare('for', desired.for, actual.for, durationMs(desired.for) === durationMs(actual.for));
  compare('keep firing for', desired.keep_firing_for, actual.keep_firing_for, durationMs(desired.keep_firing_for) === durationMs(actual.keep_firing_for));
  compare('no data state', desired.noDataState, actual.noDataState);
  compare('error state', desired.execErrState, actual.execErrState);
  compare('paused', desired.isPaused ?? false, actual.isPaused ?? false, (desired.isPaused ?? false) === (actual.isPaused ?? false));
  compare('contact point', desired.notification_settings?.receiver, actual.notification_settings?.receiver);
  const { receiver: _want, ...wantNotification } = desired.notification_settings ?? { receiver: '' };
  const { receiver: _have, ...haveNotification } = actual.notification_settings ?? { receiver: '' };
  compare('notification settings', wantNotification, haveNotification, canonicalJson(wantNotification) === canonicalJson(haveNotification));
  changes.push(...recordChanges('labels', desired.labels, actual.labels ?? undefined));
  changes.push(...recordChanges('annotations', desired.annotations, actual.annotations ?? undefined));
  return changes;
}

/** Compares one group; either side may be absent (a group to create, or one Grafana has that the app does not want). */
export function compareRuleGroup(desired: AlertRuleGroup | null, actual: GrafanaRuleGroup | null): GroupDrift {
  const folderUid = desired?.folderUid ?? actual?.folderUid ?? '';
  const group = desired?.title ?? actual?.title ?? '';
  const actualRules = actual?.rules ?? [];
  const rules: RuleDrift[] = (desired?.rules ?? []).map((rule) => {
    const found = actualRules.find((candidate) => candidate.uid === rule.uid);
    if (!found) return { uid: rule.uid ?? '', title: rule.title, status: 'missing', changes: [] };
    const changes = ruleChanges(rule, found);
    return { uid: rule.uid ?? '', title: rule.title, status: changes.length === 0 ? 'inSync' : 'changed', changes };
  });
  const desiredUids = new Set((desired?.rules ?? []).map((rule) => rule.uid));
  for (const rule of actualRules) {
    if (!desiredUids.has(rule.uid)) rules.push({ uid: rule.uid ?? '', title: rule.title, status: 'extra', changes: [] });
  }
  const interval =
    desired && actual && desired.interval !== actual.interval
      ? { field: 'evaluation interval', desired: `${desired.interval}s`, actual: `${actual.interval}s` }
      : undefined;
  let status: DriftStatus;
  if (!actual || actualRules.length === 0) status = desired && desired.rules.length > 0 ? 'missing' : 'inSync';
  else if (!desired) status = 'extra';
  else status = interval || rules.some((rule) => rule.status !== 'inSync') ? 'changed' : 'inSync';
  return { folderUid, group, status, interval, rules };
}

export function inSync(drift: GroupDrift): boolean {
  return drift.status === 'inSync';
}
