// Grafana's alerting server as the jsdom tests' Grafana (grafanaRuntime.ts) and the preview host (preview/server.ts)
// emulate it: the folder API, the alerting provisioning API for rule groups, rules and contact points, and the
// Prometheus-compatible rules API with rule states (set by a test, or by the preview's ruler from real evaluations).
// Every rule group PUT is validated against Grafana's own API schema
// (../shared/schemas/grafana-alerting-provisioning.schema.json) and answered 400 when invalid, as Grafana would;
// `schemaViolations` keeps every invalid payload so a test can assert there were none. Node only, no browser code.
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv, type ErrorObject } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { parseDurationMs, type AlertRuleGroup, type ProvisionedAlertRule } from '../alerting/mapping';
import { emptyResponse, jsonResponse, roleIncludes, type FakeFolder, type RawResponse } from './grafanaHttp';

/** ../shared beside the repository, as in CI. */
const SCHEMA_PATH = resolve(dirname(fileURLToPath(import.meta.url)), '../../../../shared/schemas/grafana-alerting-provisioning.schema.json');
const schema = JSON.parse(readFileSync(SCHEMA_PATH, 'utf8'));
// ajv-formats is CommonJS; imported from ESM its plugin function is the module's `.default`.
const addFormats = (addFormatsModule as unknown as { default: (ajv: Ajv) => Ajv }).default;
const ajv = addFormats(new Ajv({ allErrors: true }));
ajv.addFormat('int64', true);
ajv.addFormat('duration', /^(\d+(ms|s|m|h|d|w|y))+$/);
ajv.addSchema(schema, 'grafana');
const validateRuleGroup = ajv.getSchema('grafana#/definitions/AlertRuleGroup')!;

/** Grafana's schema problems of a rule-group payload, as `path message` lines; empty when Grafana would accept its shape. */
export function ruleGroupSchemaProblems(payload: unknown): string[] {
  if (validateRuleGroup(payload)) return [];
  return (validateRuleGroup.errors ?? []).map((error: ErrorObject) => `${error.instancePath || '/'} ${error.message ?? ''}`.trim());
}

/** A stored rule as Grafana returns it from the provisioning API. */
export type StoredRule = ProvisionedAlertRule & { uid: string; id: number; updated: string; provenance: string };

export interface StoredGroup {
  folderUid: string;
  title: string;
  interval: number;
  rules: StoredRule[];
}

/** Evaluation state of a rule on the Prometheus-compatible API; unset rules are inactive and healthy. */
export interface FakeRuleState {
  state: 'inactive' | 'pending' | 'firing' | 'recovering';
  health?: 'ok' | 'nodata' | 'error';
  lastError?: string;
  alerts?: Array<{ labels: Record<string, string>; state: string; activeAt?: string; value?: string }>;
  /** When the rule was last evaluated (ISO); Grafana's zero time before its first evaluation. */
  lastEvaluation?: string;
}

/** Go's zero time, which Grafana reports for a rule not evaluated yet. */
const NEVER_EVALUATED = '0001-01-01T00:00:00Z';

/** One PUT of a rule group as the plugin sent it. */
export interface RuleGroupPut {
  folderUid: string;
  group: string;
  body: unknown;
  headers: Record<string, string>;
  status: number;
  /** Grafana's schema problems of the body; empty for a valid payload. */
  schemaProblems: string[];
}

export interface FakeAlertingHost {
  readonly user: { orgRole: string; login?: string };
  folders: FakeFolder[];
  dataSources: Array<{ uid: string }>;
}

export const DEFAULT_CONTACT_POINTS = [
  { uid: 'cp-email', name: 'grafana-default-email', type: 'email', settings: { addresses: '<example@email.com>' } },
  { uid: 'cp-db-pager', name: 'db-oncall', type: 'pagerduty', settings: {} },
  { uid: 'cp-db-slack', name: 'db-oncall', type: 'slack', settings: {} },
  { uid: 'cp-network', name: 'network-team', type: 'email', settings: {} },
];

/** Grafana's base interval: rule groups are evaluated in multiples of it. */
const BASE_INTERVAL_SECONDS = 10;
/** What Grafana's AlertQuery.PreSave writes into every query model that lacks them. */
const QUERY_MODEL_DEFAULTS = { intervalMs: 1000, maxDataPoints: 43200 };
const EXPRESSION_UIDS = new Set(['__expr__', '-100']);

const forbidden = (permissions: string): RawResponse =>
  jsonResponse(403, {
    accessErrorId: 'ACE0000000001',
    message: `You'll need additional permissions to perform this action. Permissions needed: ${permissions}`,
    title: 'Access denied',
  });

export class GrafanaAlertingApi {
  /** Rule groups by folder and title. */
  readonly groups: StoredGroup[] = [];
  readonly ruleStates = new Map<string, FakeRuleState>();
  contactPoints = DEFAULT_CONTACT_POINTS.map((point) => ({ ...point }));
  /** Every rule-group PUT, valid or not. */
  readonly puts: RuleGroupPut[] = [];
  /** Rule-group PUTs whose body broke Grafana's schema (each also answered 400). */
  readonly schemaViolations: RuleGroupPut[] = [];
  /** Simulates fine-grained access control that withholds the alerting write permissions even from editors. */
  denyWrites = false;
  private nextId = 1;

  constructor(private readonly host: FakeAlertingHost) {}

  group(folderUid: string, title: string): StoredGroup | undefined {
    return this.groups.find((group) => group.folderUid === folderUid && group.title === title);
  }

  rule(uid: string): StoredRule | undefined {
    return this.groups.flatMap((group) => group.rules).find((rule) => rule.uid === uid);
  }

  /** Changes a stored rule as someone editing it in Grafana's UI would. */
  editRule(uid: string, change: (rule: StoredRule) => void): void {
    const rule = this.rule(uid);
    if (!rule) throw new Error(`the test Grafana has no rule ${uid}`);
    change(rule);
    rule.updated = new Date().toISOString();
  }

  /** Deletes a stored rule as someone in Grafana's UI would; an emptied group goes with it. */
  removeRule(uid: string): void {
    for (const group of this.groups) group.rules = group.rules.filter((rule) => rule.uid !== uid);
    this.dropEmptyGroups();
  }

  setRuleState(uid: string, state: FakeRuleState): void {
    this.ruleStates.set(uid, state);
  }

  /** Grafana's answer for the alerting and folder paths; undefined for paths that are not these. */
  async serve(method: string, pathname: string, search: string, headers: Headers, body: string | undefined): Promise<RawResponse | undefined> {
    const params = new URLSearchParams(search);
    let match: RegExpExecArray | null;
    if ((match = /^\/api\/folders\/([^/]+)$/.exec(pathname)) && method === 'GET') return this.getFolder(decodeURIComponent(match[1]!));
    if (pathname === '/api/folders' && method === 'GET') return this.listFolders();
    if (pathname === '/api/folders' && method === 'POST') return this.createFolder(body);
    if ((match = /^\/api\/v1\/provisioning\/folder\/([^/]+)\/rule-groups\/([^/]+)$/.exec(pathname))) {
      const folderUid = decodeURIComponent(match[1]!);
      const title = decodeURIComponent(match[2]!);
      if (method === 'GET') return this.getGroup(folderUid, title);
      if (method === 'PUT') return this.putGroup(folderUid, title, headers, body);
      if (method === 'DELETE') return this.deleteGroup(folderUid, title);
    }
    if (pathname === '/api/v1/provisioning/alert-rules' && method === 'GET') return jsonResponse(200, this.groups.flatMap((group) => group.rules));
    if ((match = /^\/api\/v1\/provisioning\/alert-rules\/([^/]+)$/.exec(pathname))) {
      const uid = decodeURIComponent(match[1]!);
      if (method === 'GET') return this.rule(uid) ? jsonResponse(200, this.rule(uid)) : jsonResponse(404, { message: 'rule not found' });
      if (method === 'DELETE') return this.deleteRule(uid);
    }
    if (pathname === '/api/v1/provisioning/contact-points' && method === 'GET') {
      if (!this.mayRead()) return forbidden('any of alert.provisioning:read, alert.notifications:read');
      return jsonResponse(200, this.contactPoints);
    }
    if (pathname === '/api/prometheus/grafana/api/v1/rules' && method === 'GET') return this.ruleStatuses(params);
    return undefined;
  }

  private mayRead(): boolean {
    return roleIncludes(this.host.user.orgRole, 'Viewer');
  }

  /** Editors may write rules and set their provisioning status in Grafana OSS; viewers may not. */
  private mayWrite(): boolean {
    return !this.denyWrites && roleIncludes(this.host.user.orgRole, 'Editor');
  }

  private getFolder(uid: string): RawResponse {
    const folder = this.host.folders.find((candidate) => candidate.uid === uid);
    if (!folder) return jsonResponse(404, { message: 'folder not found', status: 'not-found' });
    return jsonResponse(200, { id: this.host.folders.indexOf(folder) + 1, uid: folder.uid, title: folder.title, url: `/dashboards/f/${folder.uid}/` });
  }

  private listFolders(): RawResponse {
    if (!this.mayRead()) return forbidden('folders:read');
    return jsonResponse(200, this.host.folders.map((folder, index) => ({ id: index + 1, uid: folder.uid, title: folder.title })));
  }

  private createFolder(body: string | undefined): RawResponse {
    if (!roleIncludes(this.host.user.orgRole, 'Editor')) return forbidden('folders:create');
    const { uid, title } = JSON.parse(body ?? '{}') as { uid?: string; title?: string };
    if (!title) return jsonResponse(400, { message: 'folder title cannot be empty' });
    if (uid && this.host.folders.some((folder) => folder.uid === uid)) return jsonResponse(409, { message: 'a folder with the same uid already exists' });
    const folder = { uid: uid || `folder-${this.nextId++}`, title };
    this.host.folders.push(folder);
    return jsonResponse(200, { id: this.host.folders.length, ...folder, url: `/dashboards/f/${folder.uid}/` });
  }

  private getGroup(folderUid: string, title: string): RawResponse {
    if (!this.mayRead()) return forbidden('alert.rules:read');
    const group = this.group(folderUid, title);
    if (!group) return jsonResponse(404, { message: 'rule group does not exist' });
    return jsonResponse(200, group);
  }

  private putGroup(folderUid: string, title: string, headers: Headers, body: string | undefined): RawResponse {
    const payload = JSON.parse(body ?? 'null') as AlertRuleGroup;
    const headerRecord = Object.fromEntries([...headers.entries()]);
    const record: RuleGroupPut = { folderUid, group: title, body: payload, headers: headerRecord, status: 0, schemaProblems: ruleGroupSchemaProblems(payload) };
    this.puts.push(record);
    const answer = (response: RawResponse) => {
      record.status = response.status;
      return response;
    };
    if (!this.mayWrite()) return answer(forbidden('any of alert.provisioning:write, alert.rules.provisioning:write, all(alert.rules:write, alert.provisioning.provenance:write)'));
    if (record.schemaProblems.length > 0) {
      this.schemaViolations.push(record);
      return answer(jsonResponse(400, { message: `invalid alert rule group: ${record.schemaProblems.join('; ')}`, messageId: 'alerting.invalidRuleGroup' }));
    }
    const problem = this.semanticProblem(folderUid, title, payload);
    if (problem) return answer(jsonResponse(problem.status, { message: problem.message }));

    const provenance = headers.get('x-disable-provenance') === null ? 'api' : '';
    const now = new Date().toISOString();
    const rules: StoredRule[] = payload.rules.map((rule) => {
      const existing = this.rule(rule.uid ?? '');
      const stored: StoredRule = {
        ...rule,
        uid: rule.uid || `generated-${this.nextId}`,
        id: existing?.id ?? this.nextId++,
        orgID: 1,
        folderUID: folderUid,
        ruleGroup: title,
        isPaused: rule.isPaused ?? false,
        data: rule.data.map((query) =>
          EXPRESSION_UIDS.has(query.datasourceUid) ? { ...query, queryType: query.queryType ?? '' } : { ...query, queryType: query.queryType ?? '', model: { ...QUERY_MODEL_DEFAULTS, ...query.model } },
        ),
        updated: now,
        provenance,
      };
      return stored;
    });
    // A rule uid is unique in the organization: a rule named here leaves whatever group it was in.
    const uids = new Set(rules.map((rule) => rule.uid));
    for (const group of this.groups) group.rules = group.rules.filter((rule) => !uids.has(rule.uid));
    const existing = this.group(folderUid, title);
    if (existing) Object.assign(existing, { interval: payload.interval, rules });
    else this.groups.push({ folderUid, title, interval: payload.interval, rules });
    this.dropEmptyGroups();
    return answer(jsonResponse(200, { title, folderUid, interval: payload.interval, rules }));
  }

  /** What Grafana checks beyond the schema, with its status codes. */
  private semanticProblem(folderUid: string, title: string, payload: AlertRuleGroup): { status: number; message: string } | null {
    if (!this.host.folders.some((folder) => folder.uid === folderUid)) return { status: 404, message: 'folder does not exist' };
    if (payload.title !== undefined && payload.title !== title) return { status: 400, message: `group title "${payload.title}" does not match the path "${title}"` };
    if (payload.folderUid !== undefined && payload.folderUid !== folderUid) return { status: 400, message: `folderUid "${payload.folderUid}" does not match the path "${folderUid}"` };
    if (!(payload.interval > 0) || payload.interval % BASE_INTERVAL_SECONDS !== 0) {
      return { status: 400, message: `invalid interval ${payload.interval}s: it must be a positive multiple of the base interval ${BASE_INTERVAL_SECONDS}s` };
    }
    const seen = new Set<string>();
    for (const rule of payload.rules) {
      const name = `rule "${rule.title}"`;
      if (rule.uid) {
        if (seen.has(rule.uid)) return { status: 400, message: `${name}: uid ${rule.uid} is used twice in the group` };
        seen.add(rule.uid);
      }
      if (rule.ruleGroup !== title || rule.folderUID !== folderUid) return { status: 400, message: `${name}: belongs to ${rule.folderUID}/${rule.ruleGroup}, not ${folderUid}/${title}` };
      if (!rule.data.some((query) => query.refId === rule.condition)) return { status: 400, message: `${name}: condition ${rule.condition} is none of its queries' refIds` };
      for (const query of rule.data) {
        if (!EXPRESSION_UIDS.has(query.datasourceUid) && !this.host.dataSources.some((source) => source.uid === query.datasourceUid)) {
          return { status: 400, message: `${name}: failed to validate query ${query.refId}: data source ${query.datasourceUid} not found` };
        }
      }
    }
    return null;
  }

  private deleteGroup(folderUid: string, title: string): RawResponse {
    if (!this.mayWrite()) return forbidden('any of alert.provisioning:write, alert.rules.provisioning:write');
    const group = this.group(folderUid, title);
    if (!group) return jsonResponse(404, { message: 'rule group does not exist' });
    this.groups.splice(this.groups.indexOf(group), 1);
    return emptyResponse(204);
  }

  private deleteRule(uid: string): RawResponse {
    if (!this.mayWrite()) return forbidden('any of alert.provisioning:write, alert.rules.provisioning:write');
    if (!this.rule(uid)) return emptyResponse(204);
    this.removeRule(uid);
    return emptyResponse(204);
  }

  private dropEmptyGroups(): void {
    for (let index = this.groups.length - 1; index >= 0; index--) if (this.groups[index]!.rules.length === 0) this.groups.splice(index, 1);
  }

  /** GET /api/prometheus/grafana/api/v1/rules with Grafana 12's filters folder_uid, rule_group and rule_uid. */
  private ruleStatuses(params: URLSearchParams): RawResponse {
    if (!this.mayRead()) return forbidden('alert.rules:read');
    const folderUid = params.get('folder_uid');
    const groupNames = params.getAll('rule_group');
    const uids = params.getAll('rule_uid');
    const groups = this.groups
      .filter((group) => (!folderUid || group.folderUid === folderUid) && (groupNames.length === 0 || groupNames.includes(group.title)))
      .map((group) => {
        const folder = this.host.folders.find((candidate) => candidate.uid === group.folderUid);
        const rules = group.rules
          .filter((rule) => uids.length === 0 || uids.includes(rule.uid))
          .map((rule) => {
            const status = this.ruleStates.get(rule.uid) ?? { state: 'inactive' as const };
            const expr = (rule.data.find((query) => !EXPRESSION_UIDS.has(query.datasourceUid))?.model as { expr?: string } | undefined)?.expr ?? '';
            return {
              state: status.state,
              name: rule.title,
              query: expr,
              duration: parseDurationMs(rule.for) / 1000,
              annotations: rule.annotations ?? {},
              alerts: status.alerts ?? [],
              uid: rule.uid,
              folderUid: group.folderUid,
              labels: rule.labels ?? {},
              health: status.health ?? 'ok',
              lastError: status.lastError,
              type: 'alerting',
              isPaused: rule.isPaused ?? false,
              lastEvaluation: status.lastEvaluation ?? NEVER_EVALUATED,
              evaluationTime: 0.01,
            };
          });
        const lastEvaluation = rules.map((rule) => rule.lastEvaluation).sort().at(-1) ?? NEVER_EVALUATED;
        return { name: group.title, file: folder?.title ?? group.folderUid, folderUid: group.folderUid, rules, interval: group.interval, lastEvaluation, evaluationTime: 0.01 };
      })
      .filter((group) => group.rules.length > 0);
    return jsonResponse(200, { status: 'success', data: { groups } });
  }
}
