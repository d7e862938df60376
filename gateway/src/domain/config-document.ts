// Export and import of the whole configuration as one document, keyed by names; import is all-or-nothing.
import { CONFIG_API_VERSION, type ConfigDocument, type ImportSummary, type ProbeDocument, type ServerDocument } from '../schemas/config-document.js';
import type { FieldProblem } from '../schemas/common.js';
import { DEFAULT_INTERVAL_SECONDS, type Probe } from '../schemas/probe.js';
import type { ProbeValues, ServerValues } from '../store/index.js';
import type { ConfigService } from './config-service.js';
import { ValidationError } from './errors.js';
import { missingAccountProblem } from '../secrets/shared-account-service.js';
import { highestProbeQuorum, probeProblems, scheduleProblems, serverProblems } from './validate.js';
import { PROBE_VALUE_KEYS, SERVER_VALUE_KEYS, pick, probeValues, scheduleValues, serverValues } from './values.js';

const SCHEDULE_KEYS = ['name', 'description', 'timeZone', 'windows', 'exclusions'] as const;

export function exportConfig(service: ConfigService): ConfigDocument {
  const { store } = service;
  return store.transaction(() => {
    const schedules = store.schedules.all();
    const scheduleNames = new Map(schedules.map((s) => [s.id, s.name]));
    const probesByServer = new Map<number, Probe[]>();
    for (const probe of store.probes.all()) {
      const list = probesByServer.get(probe.serverId);
      if (list) list.push(probe);
      else probesByServer.set(probe.serverId, [probe]);
    }
    return {
      apiVersion: CONFIG_API_VERSION,
      kind: 'Configuration',
      schedules: schedules.map((schedule) => pick(schedule, SCHEDULE_KEYS)),
      servers: store.servers.all().map((server) => ({
        ...pick(server, SERVER_VALUE_KEYS),
        probes: (probesByServer.get(server.id) ?? []).map((probe) => {
          const { scheduleId, ...values } = pick(probe, PROBE_VALUE_KEYS);
          return { ...values, schedule: scheduleId === null ? null : scheduleNames.get(scheduleId) ?? null };
        }),
      })),
    };
  });
}

export interface ImportOptions {
  mode: 'merge' | 'replace';
  dryRun: boolean;
  user: string;
}

type Counts = ImportSummary['servers'];
const zero = (): Counts => ({ created: 0, updated: 0, unchanged: 0, deleted: 0 });

/** Thrown inside the transaction of a dry run so that nothing it did is kept. */
class DryRunRollback extends Error {}

export function importConfig(service: ConfigService, document: ConfigDocument, options: ImportOptions): ImportSummary {
  const summary: ImportSummary = { dryRun: options.dryRun, mode: options.mode, schedules: zero(), servers: zero(), probes: zero() };
  const touchedServers = new Set<number>();
  const touchedSchedules = new Set<number>();
  const removedProbes: number[] = [];
  service.assertWritable();
  try {
    service.store.transaction(() => {
      const problems = [...duplicateNames(document)];
      if (problems.length === 0) applyDocument(service, document, options, summary, problems, { touchedServers, touchedSchedules, removedProbes });
      if (problems.length > 0) throw new ValidationError(problems);
      if (options.dryRun) throw new DryRunRollback();
    });
  } catch (error) {
    if (error instanceof DryRunRollback) return summary;
    throw error;
  }
  service.announce({ serverIds: [...touchedServers], scheduleIds: [...touchedSchedules], removedProbeIds: removedProbes });
  return summary;
}

interface Touched {
  touchedServers: Set<number>;
  touchedSchedules: Set<number>;
  removedProbes: number[];
}

function applyDocument(service: ConfigService, document: ConfigDocument, options: ImportOptions, summary: ImportSummary, problems: FieldProblem[], touched: Touched): void {
  const { store } = service;
  const now = service.timestamp();
  const context = service.context(options.user);
  const at = (prefix: string, list: FieldProblem[]) => list.map((p) => ({ field: `${prefix}.${p.field}`, message: p.message }));

  const scheduleIds = new Map<string, number>(store.schedules.all().map((s) => [s.name, s.id]));
  (document.schedules ?? []).forEach((doc, index) => {
    const values = scheduleValues(doc);
    const found = scheduleProblems(values);
    if (found.length > 0) return void problems.push(...at(`schedules[${index}]`, found));
    const existing = store.schedules.findByName(doc.name);
    if (!existing) {
      const created = store.schedules.create(values, options.user, now);
      scheduleIds.set(created.name, created.id);
      touched.touchedSchedules.add(created.id);
      summary.schedules.created++;
    } else if (sameValues(pick(existing, SCHEDULE_KEYS), values)) {
      summary.schedules.unchanged++;
    } else {
      store.schedules.update(existing.id, values, undefined, options.user, now);
      touched.touchedSchedules.add(existing.id);
      summary.schedules.updated++;
    }
  });

  const namedServers = new Set<string>();
  (document.servers ?? []).forEach((doc, serverIndex) => {
    const prefix = `servers[${serverIndex}]`;
    namedServers.add(doc.name);
    const { probes: probeDocs, ...serverDoc } = doc;
    let values: ServerValues;
    try {
      values = serverValues(serverDoc, context);
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      return void problems.push(...at(prefix, error.problems));
    }
    const existing = store.servers.findByName(doc.name);
    // Probes are saved after their server, so the server's timeout rule is checked against the probes as imported,
    // and in merge mode also against the stored probes the document leaves alone (they stay and keep inheriting).
    let shortest = shortestInheritingInterval(probeDocs ?? []);
    // The document's probes are checked against the server's locations one by one; stored ones it leaves alone here.
    let untouchedProbes: Probe[] = [];
    if (existing && options.mode === 'merge') {
      const namedProbes = new Set((probeDocs ?? []).map((p) => p.name));
      untouchedProbes = store.probes.ofServer(existing.id).filter((probe) => !namedProbes.has(probe.name));
      for (const probe of untouchedProbes) {
        if (probe.timeoutMs === null) shortest = Math.min(shortest ?? Infinity, probe.intervalSeconds);
      }
    }
    const found = serverProblems(values, { shortestInheritingIntervalSeconds: shortest, highestProbeQuorum: highestProbeQuorum(untouchedProbes) });
    // Accounts are not exported (their secrets stay here), so the document can name one this gateway lacks.
    const account = missingAccountProblem(values.sharedAccount, (name) => store.sharedAccounts.exists(name));
    if (account) found.unshift({ ...account, message: `${account.message} (server "${doc.name}")` });
    if (found.length > 0) return void problems.push(...at(prefix, found));
    let serverId: number;
    if (!existing) {
      serverId = store.servers.create(values, options.user, now).id;
      summary.servers.created++;
      touched.touchedServers.add(serverId);
    } else {
      serverId = existing.id;
      if (sameValues(pick(existing, SERVER_VALUE_KEYS), values)) {
        summary.servers.unchanged++;
      } else {
        store.servers.update(serverId, values, undefined, options.user, now);
        summary.servers.updated++;
        touched.touchedServers.add(serverId);
      }
    }
    importProbes(service, serverId, values, probeDocs, prefix, options, summary, problems, scheduleIds, touched);
  });

  if (options.mode === 'replace') {
    for (const server of store.servers.all()) {
      if (namedServers.has(server.name)) continue;
      const { probeIds } = store.servers.delete(server.id);
      touched.removedProbes.push(...probeIds);
      summary.servers.deleted++;
      summary.probes.deleted += probeIds.length;
    }
    const namedSchedules = new Set((document.schedules ?? []).map((s) => s.name));
    for (const schedule of store.schedules.all()) {
      if (namedSchedules.has(schedule.name)) continue;
      const users = store.probes.countUsingSchedule(schedule.id);
      if (users > 0) {
        problems.push({ field: 'schedules', message: `omit schedule "${schedule.name}", which ${users} probe(s) still use` });
        continue;
      }
      store.schedules.delete(schedule.id);
      summary.schedules.deleted++;
    }
  }
}

function importProbes(
  service: ConfigService, serverId: number, server: ServerValues, docs: ProbeDocument[] | undefined, serverPrefix: string,
  options: ImportOptions, summary: ImportSummary, problems: FieldProblem[], scheduleIds: Map<string, number>, touched: Touched,
): void {
  const { store } = service;
  const now = service.timestamp();
  const existing = new Map(store.probes.ofServer(serverId).map((p) => [p.name, p]));
  const named = new Set<string>();
  (docs ?? []).forEach((doc, index) => {
    const prefix = `${serverPrefix}.probes[${index}]`;
    named.add(doc.name);
    const { schedule, ...probeDoc } = doc;
    const scheduleId = schedule == null ? null : scheduleIds.get(schedule);
    if (scheduleId === undefined) return void problems.push({ field: `${prefix}.schedule`, message: `names schedule "${schedule}", which is neither stored nor in the document` });
    let values: ProbeValues;
    try {
      values = probeValues({ ...probeDoc, scheduleId }, service.context(options.user));
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      return void problems.push(...error.problems.map((p) => ({ field: `${prefix}.${p.field}`, message: p.message })));
    }
    const found = probeProblems(values, {
      serverConnectTimeoutMs: server.connectTimeoutMs,
      serverGatewayCount: server.gateways.length,
      scheduleExists: (id) => store.schedules.exists(id),
      allowlist: service.allowlist,
    });
    if (found.length > 0) return void problems.push(...found.map((p) => ({ field: `${prefix}.${p.field}`, message: p.message })));
    const current = existing.get(doc.name);
    if (!current) {
      store.probes.create(serverId, values, options.user, now);
      summary.probes.created++;
      touched.touchedServers.add(serverId);
    } else if (sameValues(pick(current, PROBE_VALUE_KEYS), values)) {
      summary.probes.unchanged++;
    } else {
      store.probes.update(current.id, values, undefined, options.user, now);
      summary.probes.updated++;
      touched.touchedServers.add(serverId);
    }
  });
  if (options.mode === 'replace') {
    for (const [name, probe] of existing) {
      if (named.has(name)) continue;
      store.probes.delete(probe.id);
      touched.removedProbes.push(probe.id);
      summary.probes.deleted++;
    }
  }
}

function shortestInheritingInterval(probes: ProbeDocument[]): number | null {
  const intervals = probes.filter((p) => p.timeoutMs == null).map((p) => p.intervalSeconds ?? DEFAULT_INTERVAL_SECONDS);
  return intervals.length > 0 ? Math.min(...intervals) : null;
}

function duplicateNames(document: ConfigDocument): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const check = (names: string[], field: (index: number) => string, what: string) => {
    const seen = new Set<string>();
    names.forEach((name, index) => {
      if (seen.has(name)) problems.push({ field: field(index), message: `"${name}" names another ${what} in the document too` });
      seen.add(name);
    });
  };
  check((document.schedules ?? []).map((s) => s.name), (i) => `schedules[${i}].name`, 'schedule');
  check((document.servers ?? []).map((s) => s.name), (i) => `servers[${i}].name`, 'server');
  (document.servers ?? []).forEach((server: ServerDocument, s) =>
    check((server.probes ?? []).map((p) => p.name), (i) => `servers[${s}].probes[${i}].name`, 'probe of this server'));
  return problems;
}

function sameValues(a: object, b: object): boolean {
  return stableJson(a) === stableJson(b);
}

function stableJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).filter(([, x]) => x !== undefined).sort(([x], [y]) => (x < y ? -1 : 1)))
      : v);
}
