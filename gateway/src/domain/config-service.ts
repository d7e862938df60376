// Every change to the configuration goes through here: defaults, cross-field rules, one transaction, then a change event.
import type { ConfigStore } from '../store/index.js';
import type { ProbeValues, ScheduleValues, ServerValues } from '../store/index.js';
import type { ServerInput, ServerPatch } from '../schemas/server.js';
import type { ProbeInput, ProbePatch } from '../schemas/probe.js';
import type { ScheduleInput } from '../schemas/schedule.js';
import { ApiError, ValidationError } from './errors.js';
import { missingAccountProblem } from '../secrets/shared-account-service.js';
import type { TargetAllowlist } from './targets.js';
import { highestProbeQuorum, probeProblems, scheduleProblems, serverProblems } from './validate.js';
import {
  PROBE_VALUE_KEYS, SERVER_VALUE_KEYS, patchedProbeValues, patchedServerValues, pick, probeValues, scheduleValues, serverValues,
  type EditContext,
} from './values.js';

/** What changed, so the probe engine reloads only what it must. */
export interface ConfigChange {
  /** Probes created or changed. */
  probeIds: number[];
  /** Probes deleted (also those deleted with their server). */
  removedProbeIds: number[];
  /** Servers changed: all their probes may run differently. */
  serverIds: number[];
  /** Schedules changed: all probes using them may run differently. */
  scheduleIds: number[];
}

export type ConfigChangeListener = (change: ConfigChange) => void;

export interface ConfigServiceOptions {
  gatewayId: string;
  allowlist: TargetAllowlist;
  now?: () => Date;
  /** Set on an agent: its configuration comes from the control plane, so local edits are refused with this reason. */
  readOnlyReason?: string;
}

export class ConfigService {
  private readonly listeners = new Set<ConfigChangeListener>();
  private readonly now: () => Date;

  constructor(readonly store: ConfigStore, private readonly options: ConfigServiceOptions) {
    this.now = options.now ?? (() => new Date());
  }

  get gatewayId(): string {
    return this.options.gatewayId;
  }

  get allowlist(): TargetAllowlist {
    return this.options.allowlist;
  }

  onChange(listener: ConfigChangeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  // --- servers

  createServer(input: ServerInput, user: string) {
    const values = serverValues(input, this.context(user));
    return this.commit(() => {
      this.checkServer(values, null);
      return this.store.servers.create(values, user, this.timestamp());
    }, (server) => ({ serverIds: [server.id] }));
  }

  replaceServer(id: number, input: ServerInput, user: string) {
    return this.saveServer(id, () => serverValues(input, this.context(user)), input.version, user);
  }

  patchServer(id: number, patch: ServerPatch, user: string) {
    return this.saveServer(id, (current) => patchedServerValues(current, patch, this.context(user)), patch.version, user);
  }

  deleteServer(id: number) {
    return this.commit(() => this.store.servers.delete(id), ({ probeIds }) => ({ serverIds: [id], removedProbeIds: probeIds }));
  }

  private saveServer(id: number, next: (current: ServerValues) => ServerValues, version: number | undefined, user: string) {
    return this.commit(() => {
      const values = next(pick(this.store.servers.get(id), SERVER_VALUE_KEYS));
      this.checkServer(values, id);
      return this.store.servers.update(id, values, version, user, this.timestamp());
    }, () => ({ serverIds: [id] }));
  }

  private checkServer(values: ServerValues, id: number | null): void {
    const shortest = id === null ? null : this.store.probes.shortestInheritingInterval(id);
    const quorum = id === null ? null : highestProbeQuorum(this.store.probes.ofServer(id));
    const account = missingAccountProblem(values.sharedAccount, (name) => this.store.sharedAccounts.exists(name));
    throwIfAny([...(account ? [account] : []), ...serverProblems(values, { shortestInheritingIntervalSeconds: shortest, highestProbeQuorum: quorum })]);
  }

  // --- probes

  createProbe(serverId: number, input: ProbeInput, user: string) {
    const values = probeValues(input, this.context(user));
    return this.commit(() => {
      this.checkProbe(serverId, values);
      return this.store.probes.create(serverId, values, user, this.timestamp());
    }, (probe) => ({ probeIds: [probe.id] }));
  }

  replaceProbe(id: number, input: ProbeInput, user: string) {
    return this.saveProbe(id, () => probeValues(input, this.context(user)), input.version, user);
  }

  patchProbe(id: number, patch: ProbePatch, user: string) {
    return this.saveProbe(id, (current) => patchedProbeValues(current, patch, this.context(user)), patch.version, user);
  }

  deleteProbe(id: number) {
    return this.commit(() => this.store.probes.delete(id), () => ({ removedProbeIds: [id] }));
  }

  private saveProbe(id: number, next: (current: ProbeValues) => ProbeValues, version: number | undefined, user: string) {
    return this.commit(() => {
      const current = this.store.probes.get(id);
      const values = next(pick(current, PROBE_VALUE_KEYS));
      this.checkProbe(current.serverId, values);
      return this.store.probes.update(id, values, version, user, this.timestamp());
    }, () => ({ probeIds: [id] }));
  }

  private checkProbe(serverId: number, values: ProbeValues): void {
    const server = this.store.servers.get(serverId);
    throwIfAny(probeProblems(values, {
      serverConnectTimeoutMs: server.connectTimeoutMs,
      serverGatewayCount: server.gateways.length,
      scheduleExists: (scheduleId) => this.store.schedules.exists(scheduleId),
      allowlist: this.options.allowlist,
    }));
  }

  // --- schedules

  createSchedule(input: ScheduleInput, user: string) {
    const values = scheduleValues(input);
    throwIfAny(scheduleProblems(values));
    return this.commit(() => this.store.schedules.create(values, user, this.timestamp()), (schedule) => ({ scheduleIds: [schedule.id] }));
  }

  replaceSchedule(id: number, input: ScheduleInput, user: string) {
    const values = scheduleValues(input);
    throwIfAny(scheduleProblems(values));
    return this.commit(() => this.store.schedules.update(id, values, input.version, user, this.timestamp()), () => ({ scheduleIds: [id] }));
  }

  deleteSchedule(id: number) {
    return this.commit(() => this.store.schedules.delete(id), () => ({ scheduleIds: [id] }));
  }

  // --- shared

  /** Runs `work` in one transaction and, once it has committed, tells the listeners what changed. */
  commit<T>(work: () => T, describe: (result: T) => Partial<ConfigChange>): T {
    this.assertWritable();
    const result = this.store.transaction(work);
    this.announce(describe(result));
    return result;
  }

  assertWritable(): void {
    if (this.options.readOnlyReason) throw new ApiError(403, this.options.readOnlyReason);
  }

  announce(change: Partial<ConfigChange>): void {
    const full: ConfigChange = { probeIds: [], removedProbeIds: [], serverIds: [], scheduleIds: [], ...change };
    for (const listener of this.listeners) listener(full);
  }

  context(user: string): EditContext {
    return { user, gatewayId: this.options.gatewayId };
  }

  timestamp(): string {
    return this.now().toISOString();
  }
}

function throwIfAny(problems: ReturnType<typeof serverProblems>): void {
  if (problems.length > 0) throw new ValidationError(problems);
}
