// Every change to the configuration goes through here: defaults, cross-field rules, one transaction, then a change event.
import type { ConfigStore } from '../store/index.js';
import type { ProbeValues, ScheduleValues, ServerValues } from '../store/index.js';
import type { ServerInput, ServerPatch } from '../schemas/server.js';
import type { ProbeInput, ProbePatch } from '../schemas/probe.js';
import type { ScheduleInput } from '../schemas/schedule.js';
import { completeChange } from './config-change.js';
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
  /** Everything may have changed (e.g. a replica missed notifications while its database link was down): re-read all. */
  full?: boolean;
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
    return this.commit(async (tx) => {
      await this.checkServer(tx, values, null);
      return tx.servers.create(values, user, this.timestamp());
    }, (server) => ({ serverIds: [server.id] }));
  }

  replaceServer(id: number, input: ServerInput, user: string) {
    return this.saveServer(id, () => serverValues(input, this.context(user)), input.version, user);
  }

  patchServer(id: number, patch: ServerPatch, user: string) {
    return this.saveServer(id, (current) => patchedServerValues(current, patch, this.context(user)), patch.version, user);
  }

  deleteServer(id: number) {
    return this.commit((tx) => tx.servers.delete(id), ({ probeIds }) => ({ serverIds: [id], removedProbeIds: probeIds }));
  }

  private saveServer(id: number, next: (current: ServerValues) => ServerValues, version: number | undefined, user: string) {
    return this.commit(async (tx) => {
      const values = next(pick(await tx.servers.get(id), SERVER_VALUE_KEYS));
      await this.checkServer(tx, values, id);
      return tx.servers.update(id, values, version, user, this.timestamp());
    }, () => ({ serverIds: [id] }));
  }

  /** The rules that need the store, read through `tx`, the transaction the write runs in. */
  private async checkServer(tx: ConfigStore, values: ServerValues, id: number | null): Promise<void> {
    const shortest = id === null ? null : await tx.probes.shortestInheritingInterval(id);
    const quorum = id === null ? null : highestProbeQuorum(await tx.probes.ofServer(id));
    const account = await missingAccountProblem(values.sharedAccount, (name) => tx.sharedAccounts.exists(name));
    throwIfAny([...(account ? [account] : []), ...serverProblems(values, { shortestInheritingIntervalSeconds: shortest, highestProbeQuorum: quorum })]);
  }

  // --- probes

  createProbe(serverId: number, input: ProbeInput, user: string) {
    const values = probeValues(input, this.context(user));
    return this.commit(async (tx) => {
      await this.checkProbe(tx, serverId, values);
      return tx.probes.create(serverId, values, user, this.timestamp());
    }, (probe) => ({ probeIds: [probe.id] }));
  }

  replaceProbe(id: number, input: ProbeInput, user: string) {
    return this.saveProbe(id, () => probeValues(input, this.context(user)), input.version, user);
  }

  patchProbe(id: number, patch: ProbePatch, user: string) {
    return this.saveProbe(id, (current) => patchedProbeValues(current, patch, this.context(user)), patch.version, user);
  }

  deleteProbe(id: number) {
    return this.commit((tx) => tx.probes.delete(id), () => ({ removedProbeIds: [id] }));
  }

  private saveProbe(id: number, next: (current: ProbeValues) => ProbeValues, version: number | undefined, user: string) {
    return this.commit(async (tx) => {
      const current = await tx.probes.get(id);
      const values = next(pick(current, PROBE_VALUE_KEYS));
      await this.checkProbe(tx, current.serverId, values);
      return tx.probes.update(id, values, version, user, this.timestamp());
    }, () => ({ probeIds: [id] }));
  }

  private async checkProbe(tx: ConfigStore, serverId: number, values: ProbeValues): Promise<void> {
    const server = await tx.servers.get(serverId);
    // The rules are pure: look the one schedule up first.
    const scheduleKnown = values.scheduleId === null || await tx.schedules.exists(values.scheduleId);
    throwIfAny(probeProblems(values, {
      serverConnectTimeoutMs: server.connectTimeoutMs,
      serverGatewayCount: server.gateways.length,
      scheduleExists: () => scheduleKnown,
      allowlist: this.options.allowlist,
    }));
  }

  // --- schedules

  createSchedule(input: ScheduleInput, user: string) {
    const values = scheduleValues(input);
    throwIfAny(scheduleProblems(values));
    return this.commit((tx) => tx.schedules.create(values, user, this.timestamp()), (schedule) => ({ scheduleIds: [schedule.id] }));
  }

  replaceSchedule(id: number, input: ScheduleInput, user: string) {
    const values = scheduleValues(input);
    throwIfAny(scheduleProblems(values));
    return this.commit((tx) => tx.schedules.update(id, values, input.version, user, this.timestamp()), () => ({ scheduleIds: [id] }));
  }

  deleteSchedule(id: number) {
    return this.commit((tx) => tx.schedules.delete(id), () => ({ scheduleIds: [id] }));
  }

  // --- shared

  /**
   * Runs `work` in one transaction with the store bound to it (use only `tx` inside), tells the other replicas what
   * changed in that same transaction (delivered when it commits), and once it has committed, the local listeners.
   */
  async commit<T>(work: (tx: ConfigStore) => Promise<T>, describe: (result: T) => Partial<ConfigChange>): Promise<T> {
    this.assertWritable();
    let change: ConfigChange | undefined;
    const result = await this.store.transaction(async (tx) => {
      const done = await work(tx);
      change = completeChange(describe(done));
      await tx.publishChange(change);
      return done;
    });
    this.announce(change!);
    return result;
  }

  assertWritable(): void {
    if (this.options.readOnlyReason) throw new ApiError(403, this.options.readOnlyReason);
  }

  announce(change: Partial<ConfigChange>): void {
    const full = completeChange(change);
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
