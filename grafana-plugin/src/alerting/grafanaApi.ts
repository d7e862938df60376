// Grafana's own alerting and folder APIs, called as the signed-in user through Grafana's backend service (no plugin
// route: Grafana checks the user's own alerting permissions). Failures become an AlertingError a page can show.
import { getBackendSrv, type BackendSrvRequest } from '@grafana/runtime';
import { lastValueFrom } from 'rxjs';
import { PLUGIN_SETTINGS_URL } from '../constants';
import type { AppJsonData } from '../types';
import type { GrafanaRule, GrafanaRuleGroup } from './diff';
import type { AlertRuleGroup } from './mapping';

export type AlertingErrorKind =
  /** 403: the user's role (or RBAC) does not allow it. */
  | 'forbidden'
  /** 400: Grafana refused the payload. */
  | 'invalid'
  /** 404 where something had to exist (the folder). */
  | 'notFound'
  /** Anything else: 5xx, no answer. */
  | 'server';

export class AlertingError extends Error {
  override readonly name = 'AlertingError';

  constructor(
    readonly kind: AlertingErrorKind,
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

export function isAlertingError(error: unknown): error is AlertingError {
  return error instanceof AlertingError;
}

const FORBIDDEN_HINT =
  'you need the Editor role (or, with fine-grained access control, permission to write alert rules and set their provisioning status) in this organization';

/** `doing` completes "Grafana refused to ...", e.g. "write the alert rule group server-1". */
export function toAlertingError(error: unknown, doing: string): AlertingError {
  if (error instanceof AlertingError) return error;
  const { status, statusText, data } = (error ?? {}) as { status?: unknown; statusText?: string; data?: { message?: unknown } | string };
  if (typeof status !== 'number') {
    return new AlertingError('server', `Grafana could not ${doing}: ${error instanceof Error ? error.message : String(error)}.`, 0);
  }
  const detail = typeof data === 'string' ? data : typeof data?.message === 'string' ? data.message : statusText || String(status);
  switch (status) {
    case 403:
      return new AlertingError('forbidden', `Grafana did not let you ${doing}: ${FORBIDDEN_HINT}. (${detail})`, status);
    case 400:
      return new AlertingError('invalid', `Grafana refused to ${doing}: ${detail}`, status);
    case 404:
      return new AlertingError('notFound', `Grafana could not ${doing}: ${detail}`, status);
    default:
      return new AlertingError('server', `Grafana could not ${doing} (${status}${statusText ? ` ${statusText}` : ''}): ${detail}`, status);
  }
}

async function request<T>(options: BackendSrvRequest, doing: string): Promise<T> {
  try {
    const response = await lastValueFrom(getBackendSrv().fetch<T>({ showErrorAlert: false, showSuccessAlert: false, ...options }));
    return response.data;
  } catch (error) {
    throw toAlertingError(error, doing);
  }
}

/** The same request, with 404 meaning "there is none". */
async function requestOrNull<T>(options: BackendSrvRequest, doing: string): Promise<T | null> {
  try {
    return await request<T>(options, doing);
  } catch (error) {
    if (error instanceof AlertingError && error.status === 404) return null;
    throw error;
  }
}

const PROVISIONING = '/api/v1/provisioning';
/** Rules written by the app stay editable in Grafana's UI (no "provisioned" lock), as the drift page expects. */
const DISABLE_PROVENANCE = { 'X-Disable-Provenance': 'true' };

const groupUrl = (folderUid: string, group: string) => `${PROVISIONING}/folder/${encodeURIComponent(folderUid)}/rule-groups/${encodeURIComponent(group)}`;

/** The app's settings as stored now (jsonData is readable by every user), rather than as the page was loaded. */
export async function getAppJsonData(): Promise<AppJsonData> {
  const settings = await request<{ jsonData?: AppJsonData }>({ url: PLUGIN_SETTINGS_URL }, 'read the app settings');
  return settings.jsonData ?? {};
}

export function getRuleGroup(folderUid: string, group: string): Promise<GrafanaRuleGroup | null> {
  return requestOrNull({ url: groupUrl(folderUid, group) }, `read the alert rule group ${group}`);
}

export function putRuleGroup(group: AlertRuleGroup): Promise<GrafanaRuleGroup> {
  return request(
    { url: groupUrl(group.folderUid, group.title), method: 'PUT', data: group, headers: DISABLE_PROVENANCE },
    `write the alert rule group ${group.title}`,
  );
}

export async function deleteRuleGroup(folderUid: string, group: string): Promise<void> {
  await requestOrNull({ url: groupUrl(folderUid, group), method: 'DELETE', headers: DISABLE_PROVENANCE }, `delete the alert rule group ${group}`);
}

/** Every alert rule of the organization the user may read. */
export function listAlertRules(): Promise<GrafanaRule[]> {
  return request({ url: `${PROVISIONING}/alert-rules` }, 'list the alert rules');
}

export async function deleteAlertRule(uid: string): Promise<void> {
  await requestOrNull({ url: `${PROVISIONING}/alert-rules/${encodeURIComponent(uid)}`, method: 'DELETE', headers: DISABLE_PROVENANCE }, `delete the alert rule ${uid}`);
}

export interface GrafanaFolder {
  uid: string;
  title: string;
}

/** Creates the folder unless it exists. */
export async function ensureFolder(uid: string, title: string): Promise<GrafanaFolder> {
  const existing = await requestOrNull<GrafanaFolder>({ url: `/api/folders/${encodeURIComponent(uid)}` }, `read the alert folder ${uid}`);
  if (existing) return existing;
  try {
    return await request<GrafanaFolder>({ url: '/api/folders', method: 'POST', data: { uid, title } }, `create the alert folder "${title}"`);
  } catch (error) {
    // Someone created it in the meantime.
    if (error instanceof AlertingError && error.status === 409) {
      const created = await requestOrNull<GrafanaFolder>({ url: `/api/folders/${encodeURIComponent(uid)}` }, `read the alert folder ${uid}`);
      if (created) return created;
    }
    throw error;
  }
}

/** Names of the contact points a threshold can notify directly; a contact point with several integrations is one name. */
export async function listContactPointNames(): Promise<string[]> {
  const points = await request<Array<{ name?: string }>>({ url: `${PROVISIONING}/contact-points` }, 'list the contact points');
  return [...new Set(points.map((point) => point.name).filter((name): name is string => Boolean(name)))].sort((a, b) => a.localeCompare(b));
}

/** A rule's evaluation state as Grafana's Prometheus-compatible rules API reports it. */
export interface RuleState {
  uid: string;
  /** inactive (normal), pending, firing or recovering. */
  state: string;
  /** ok, nodata or error. */
  health: string;
  lastError?: string;
  isPaused?: boolean;
  /** One per alert instance (probe): its labels and state, e.g. Alerting or Normal. */
  alerts: Array<{ labels: Record<string, string>; state: string; activeAt?: string; value?: string }>;
}

interface PromRulesResponse {
  status: string;
  error?: string;
  data?: { groups?: Array<{ name: string; folderUid?: string; rules?: Array<Partial<RuleState> & { uid?: string }> }> };
}

/** States of the rules with these uids in one group. */
export async function getRuleStates(folderUid: string, group: string, uids: readonly string[]): Promise<Map<string, RuleState>> {
  const response = await request<PromRulesResponse>(
    // rule_uid narrows the answer on Grafana versions that know it; folder and group narrow it on all.
    { url: '/api/prometheus/grafana/api/v1/rules', params: { folder_uid: folderUid, rule_group: group, rule_uid: [...uids] } },
    'read the alert rule states',
  );
  const wanted = new Set(uids);
  const states = new Map<string, RuleState>();
  for (const found of response.data?.groups ?? []) {
    if (found.name !== group || (found.folderUid !== undefined && found.folderUid !== folderUid)) continue;
    for (const rule of found.rules ?? []) {
      if (!rule.uid || !wanted.has(rule.uid)) continue;
      states.set(rule.uid, {
        uid: rule.uid,
        state: rule.state ?? 'inactive',
        health: rule.health ?? 'ok',
        lastError: rule.lastError || undefined,
        isPaused: rule.isPaused,
        alerts: rule.alerts ?? [],
      });
    }
  }
  return states;
}
