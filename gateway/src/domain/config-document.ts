// Export and import of the whole configuration as one document, keyed by names; import is all-or-nothing.
import { CONFIG_API_VERSION, type ConfigDocument, type ImportSummary, type ProbeDocument, type ServerDocument } from '../schemas/config-document.js';
import type { FieldProblem } from '../schemas/common.js';
import { DEFAULT_INTERVAL_SECONDS, type Probe } from '../schemas/probe.js';
import type { ConfigStore, ProbeValues, ServerValues } from '../store/index.js';
import type { ConfigService } from './config-service.js';
import { ValidationError } from './errors.js';
import { missingAccountProblem } from '../secrets/shared-account-service.js';
import { highestProbeQuorum, probeProblems, scheduleProblems, serverProblems } from './validate.js';
import { PROBE_VALUE_KEYS, SERVER_VALUE_KEYS, pick, probeValues, scheduleValues, serverValues } from './values.js';

const SCHEDULE_KEYS = ['name', 'description', 'timeZone', 'windows', 'exclusions'] as const;

/** One snapshot transaction, so the document is one consistent state even while others edit. */
export function exportConfig(service: ConfigService): Promise<ConfigDocument> {
  return service.store.transaction(async (tx) => {
    const schedules = await tx.schedules.all();
    const scheduleNames = new Map(schedules.map((s) => [s.id, s.name]));
    const probesByServer = new Map<number, Probe[]>();
    for (const probe of await tx.probes.all()) {
      const list = probesByServer.get(probe.serverId);
      if (list) list.push(probe);
      else probesByServer.set(probe.serverId, [probe]);
    }
    return {
      apiVersion: CONFIG_API_VERSION,
      kind: 'Configuration',
      schedules: schedules.map((schedule) => pick(schedule, SCHEDULE_KEYS)),
      servers: (await tx.servers.all()).map((server) => ({
        ...pick(server, SERVER_VALUE_KEYS),
        probes: (probesByServer.get(server.id) ?? []).map((probe) => {
          const { scheduleId, ...values } = pick(probe, PROBE_VALUE_KEYS);
          return { ...values, schedule: scheduleId === null ? null : scheduleNames.get(scheduleId) ?? null };
        }),
      })),
    };
  }, { snapshot: true });
}

export interface ImportOptions {
  mode: 'merge' | 'replace';
  dryRun: boolean;
  user: string;
}

type Counts = ImportSummary['servers'];
const zero = (): Counts => ({ created: 0, updated: 0, unchanged: 0, deleted: 0 });

/** Thrown inside the transaction of a dry run so that nothing it did is kept (and nobody is told of it). */
class DryRunRollback extends Error {}

export async function importConfig(service: ConfigService, document: ConfigDocument, options: ImportOptions): Promise<ImportSummary> {
  const summary: ImportSummary = { dryRun: options.dryRun, mode: options.mode, schedules: zero(), servers: zero(), probes: zero() };
  const touched: Touched = { touchedServers: new Set(), touchedSchedules: new Set(), removedProbes: [] };
  try {
    await service.commit(async (tx) => {
      const problems = [...duplicateNames(document)];
      if (problems.length === 0) await applyDocument(service, tx, document, options, summary, problems, touched);
      if (problems.length > 0) throw new ValidationError(problems);
      if (options.dryRun) throw new DryRunRollback();
    }, () => ({ serverIds: [...touched.touchedServers], scheduleIds: [...touched.touchedSchedules], removedProbeIds: touched.removedProbes }));
  } catch (error) {
    if (error instanceof DryRunRollback) return summary;
    throw error;
  }
  return summary;
}

interface Touched {
  touchedServers: Set<number>;
  touchedSchedules: Set<number>;
  removedProbes: number[];
}

async function applyDocument(
  service: ConfigService, store: ConfigStore, document: ConfigDocument, options: ImportOptions, summary: ImportSummary,
  problems: FieldProblem[], touched: Touched,
): Promise<void> {
  const now = service.timestamp();
  const context = service.context(options.user);
  const at = (prefix: string, list: FieldProblem[]) => list.map((p) => ({ field: `${prefix}.${p.field}`, message: p.message }));

  const scheduleIds = new Map<string, number>((await store.schedules.all()).map((s) => [s.name, s.id]));
  for (const [index, doc] of (document.schedules ?? []).entries()) {
    const values = scheduleValues(doc);
    const found = scheduleProblems(values);
    if (found.length > 0) {
      problems.push(...at(`schedules[${index}]`, found));
      continue;
    }
    const existing = await store.schedules.findByName(doc.name);
    if (!existing) {
      const created = await store.schedules.create(values, options.user, now);
      scheduleIds.set(created.name, created.id);
      touched.touchedSchedules.add(created.id);
      summary.schedules.created++;
    } else if (sameValues(pick(existing, SCHEDULE_KEYS), values)) {
      summary.schedules.unchanged++;
    } else {
      await store.schedules.update(existing.id, values, undefined, options.user, now);
      touched.touchedSchedules.add(existing.id);
      summary.schedules.updated++;
    }
  }

  const namedServers = new Set<string>();
  for (const [serverIndex, doc] of (document.servers ?? []).entries()) {
    const prefix = `servers[${serverIndex}]`;
    namedServers.add(doc.name);
    const { probes: probeDocs, ...serverDoc } = doc;
    let values: ServerValues;
    try {
      values = serverValues(serverDoc, context);
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      problems.push(...at(prefix, error.problems));
      continue;
    }
    const existing = await store.servers.findByName(doc.name);
    // Probes are saved after their server, so the server's timeout rule is checked against the probes as imported,
    // and in merge mode also against the stored probes the document leaves alone (they stay and keep inheriting).
    let shortest = shortestInheritingInterval(probeDocs ?? []);
    // The document's probes are checked against the server's locations one by one; stored ones it leaves alone here.
    let untouchedProbes: Probe[] = [];
    if (existing && options.mode === 'merge') {
      const namedProbes = new Set((probeDocs ?? []).map((p) => p.name));
      untouchedProbes = (await store.probes.ofServer(existing.id)).filter((probe) => !namedProbes.has(probe.name));
      for (const probe of untouchedProbes) {
        if (probe.timeoutMs === null) shortest = Math.min(shortest ?? Infinity, probe.intervalSeconds);
      }
    }
    const found = serverProblems(values, { shortestInheritingIntervalSeconds: shortest, highestProbeQuorum: highestProbeQuorum(untouchedProbes) });
    // Accounts are not exported (their secrets stay here), so the document can name one this gateway lacks.
    const account = await missingAccountProblem(values.sharedAccount, (name) => store.sharedAccounts.exists(name));
    if (account) found.unshift({ ...account, message: `${account.message} (server "${doc.name}")` });
    if (found.length > 0) {
      problems.push(...at(prefix, found));
      continue;
    }
    let serverId: number;
    if (!existing) {
      serverId = (await store.servers.create(values, options.user, now)).id;
      summary.servers.created++;
      touched.touchedServers.add(serverId);
    } else {
      serverId = existing.id;
      if (sameValues(pick(existing, SERVER_VALUE_KEYS), values)) {
        summary.servers.unchanged++;
      } else {
        await store.servers.update(serverId, values, undefined, options.user, now);
        summary.servers.updated++;
        touched.touchedServers.add(serverId);
      }
    }
    await importProbes(service, store, serverId, values, probeDocs, prefix, options, summary, problems, scheduleIds, touched);
  }

  if (options.mode === 'replace') {
    for (const server of await store.servers.all()) {
      if (namedServers.has(server.name)) continue;
      const { probeIds } = await store.servers.delete(server.id);
      touched.removedProbes.push(...probeIds);
      summary.servers.deleted++;
      summary.probes.deleted += probeIds.length;
    }
    const namedSchedules = new Set((document.schedules ?? []).map((s) => s.name));
    for (const schedule of await store.schedules.all()) {
      if (namedSchedules.has(schedule.name)) continue;
      const users = await store.probes.countUsingSchedule(schedule.id);
      if (users > 0) {
        problems.push({ field: 'schedules', message: `omit schedule "${schedule.name}", which ${users} probe(s) still use` });
        continue;
      }
      await store.schedules.delete(schedule.id);
      summary.schedules.deleted++;
    }
  }
}

async function importProbes(
  service: ConfigService, store: ConfigStore, serverId: number, server: ServerValues, docs: ProbeDocument[] | undefined, serverPrefix: string,
  options: ImportOptions, summary: ImportSummary, problems: FieldProblem[], scheduleIds: Map<string, number>, touched: Touched,
): Promise<void> {
  const now = service.timestamp();
  const existing = new Map((await store.probes.ofServer(serverId)).map((p) => [p.name, p]));
  const named = new Set<string>();
  const at = (prefix: string, list: FieldProblem[]) => list.map((p) => ({ field: `${prefix}.${p.field}`, message: p.message }));
  for (const [index, doc] of (docs ?? []).entries()) {
    const prefix = `${serverPrefix}.probes[${index}]`;
    named.add(doc.name);
    const { schedule, ...probeDoc } = doc;
    const scheduleId = schedule == null ? null : scheduleIds.get(schedule);
    if (scheduleId === undefined) {
      problems.push({ field: `${prefix}.schedule`, message: `names schedule "${schedule}", which is neither stored nor in the document` });
      continue;
    }
    let values: ProbeValues;
    try {
      values = probeValues({ ...probeDoc, scheduleId }, service.context(options.user));
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      problems.push(...at(prefix, error.problems));
      continue;
    }
    // The rules are pure: look the one schedule up first.
    const scheduleKnown = values.scheduleId === null || await store.schedules.exists(values.scheduleId);
    const found = probeProblems(values, {
      serverConnectTimeoutMs: server.connectTimeoutMs,
      serverGatewayCount: server.gateways.length,
      scheduleExists: () => scheduleKnown,
      allowlist: service.allowlist,
    });
    if (found.length > 0) {
      problems.push(...at(prefix, found));
      continue;
    }
    const current = existing.get(doc.name);
    if (!current) {
      await store.probes.create(serverId, values, options.user, now);
      summary.probes.created++;
      touched.touchedServers.add(serverId);
    } else if (sameValues(pick(current, PROBE_VALUE_KEYS), values)) {
      summary.probes.unchanged++;
    } else {
      await store.probes.update(current.id, values, undefined, options.user, now);
      summary.probes.updated++;
      touched.touchedServers.add(serverId);
    }
  }
  if (options.mode === 'replace') {
    for (const [name, probe] of existing) {
      if (named.has(name)) continue;
      await store.probes.delete(probe.id);
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
