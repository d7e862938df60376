// Runs this gateway's probes (those of servers that list it as a location): keeps the scheduler, the metrics and the
// recent results in step with the stored configuration, and gathers the other locations' results for the status.
import { FULL_CHANGE } from '../domain/config-change.js';
import type { ConfigChange, ConfigService } from '../domain/config-service.js';
import type { LocationSlot } from '../domain/location-slots.js';
import { ApiError, NotFoundError } from '../domain/errors.js';
import type { ProbeMetrics, ProbeMetricLabels } from '../metrics/index.js';
import { isGatewayOnline } from '../api/gateways.js';
import type { Resolver } from '../probing/resolve.js';
import { Scheduler, SOON_SLOT_MARGIN_MS } from '../probing/scheduler.js';
import { checkProbe } from '../probing/check.js';
import type { AccountMaterialSource } from '../secrets/account-material.js';
import type { CheckOutcome, CheckRequest, CheckResult, MissedSlotReason } from '../probing/types.js';
import { isActive, nextActiveAt, type ScheduleSpec, type TimeWindow } from '../probing/windows.js';
import { withDeepDefaults, type CheckResultView, type LocationStatus, type ProbeStatus, type ReportedCheckResult } from '../schemas/check.js';
import type { Probe } from '../schemas/probe.js';
import type { Server } from '../schemas/server.js';
import type { ServerMove } from '../store/index.js';
import { guardedResolver } from './guarded-resolver.js';
import { OutageLog, PROCESS_WARNINGS, type EngineLog } from './outage.js';
import { summarizeLocations } from './locations.js';
import { explainState, wantsCheckAtOnce } from './probe-state.js';
import { ResultHistories } from './result-histories.js';
import { resultView, targetOf } from './results.js';

export interface ProbeEngineOptions {
  service: ConfigService;
  metrics: ProbeMetrics;
  resolver: Resolver;
  /** Zone of probe time windows for probes without a schedule. */
  timeZone: string;
  maxInFlight: number;
  /** Results kept per probe for GET /probes/{id}/results. */
  historySize?: number;
  /** How often the latest results are written to the store (default 30 s: they are for restarts and other gateways' views). */
  persistIntervalMs?: number;
  check?: (request: CheckRequest, deps: { resolver: Resolver }) => Promise<CheckResult>;
  /**
   * The shared accounts' material (CA bundle, client certificate) for TLS and dialogue checks, read at each check, so
   * an edited account applies from the next one. Without it such checks run with no account.
   */
  accounts?: AccountMaterialSource;
  /**
   * Where it says that the store stopped answering (results kept in memory and retried, configuration re-read) and
   * that it answers again: once each per outage. Without it, Node's process warnings.
   */
  log?: EngineLog;
}

/**
 * A probe as the engine runs it: what a check needs (it is its own CheckRequest), its window, server and schedule,
 * and what it has seen. Only that of the stored probe: the full row (audit fields, thresholds, results) would cost
 * ~1 KiB a probe, and separate objects for the request and window fields ~80 bytes more.
 */
interface RunningProbe extends CheckRequest, TimeWindow {
  scheduleId: number | null;
  server: Server;
  schedule: ScheduleSpec | null;
  /** Its recent results' slot in the engine's ResultHistories. */
  historySlot: number;
  active: boolean;
  /** Hand-over of a moved server: runs due before `startAfter` or from `stopAt` on belong to the other gateway. */
  startAfter: number;
  stopAt: number;
  /** Whether its latest slot was kept, and the latest slot that was not (0: none yet) and why. */
  timeliness: Timeliness;
  missedSlotAt: number;
  missedSlotReason: MissedSlotReason | null;
}

type Timeliness = NonNullable<ProbeStatus['timeliness']>;

/** Outcomes where the target gave no answer: the check held its slot for its whole timeout, or found no route. */
const NO_ANSWER: ReadonlySet<CheckOutcome> = new Set(['timeout', 'unreachable']);

/** Shared by every probe without stored results of other locations: a status of 50,000 probes allocates none. */
const NO_RESULTS: ReadonlyMap<string, CheckResultView> = new Map();

/** The stored results read for a status none of whose probes needs them. */
const NO_READ: ReadonlyMap<number, readonly CheckResultView[]> = new Map();


/** What an agent tells the control plane about one of its probes. */
export interface ProbeReport {
  probeId: number;
  active: boolean;
  /** An agent from before deeper checks leaves out their keys. */
  result: ReportedCheckResult | null;
}

interface Waiter {
  resolve: (result: CheckResult) => void;
  reject: (error: Error) => void;
}

const MINUTE_MS = 60_000;

/**
 * When a server moves, both gateways switch at the same instant: the move time plus this margin. The old gateway
 * runs the slots before it, the new one the slots from it, so there is no gap and, as long as both hear of the move
 * within the margin (long-polling takes milliseconds), no double run.
 */
export const HANDOVER_MS = 2000;

/**
 * Result rows written per transaction before the event loop gets a turn: with the ids sorted, 250 neighbouring rows
 * cost about a millisecond (1,000 unsorted rows touched 1,000 pages and took 45 ms, a stall checks would wait for).
 */
const PERSIST_SLICE = 250;

/** After a change could not be read (the store did not answer), everything is re-read this much later, until it works. */
const RESYNC_DELAY_MS = 5000;

export class ProbeEngine {
  private readonly service: ConfigService;
  private readonly metrics: ProbeMetrics;
  private readonly resolver: Resolver;
  private readonly scheduler: Scheduler;
  private readonly check: NonNullable<ProbeEngineOptions['check']>;
  private readonly histories: ResultHistories;
  private readonly running = new Map<number, RunningProbe>();
  /** Callers of runProbe waiting for a probe's next result. */
  private readonly waiters = new Map<number, Waiter[]>();
  /** Probes whose latest result is not yet in the store. */
  private readonly unsaved = new Set<number>();
  /** Probes with a result or window change not yet reported to the control plane (agents only). */
  private readonly unreported = new Set<number>();
  /** In-window state of probes at other locations, by probe and gateway, as their agents report it. */
  private readonly remoteActive = new Map<number, Map<string, boolean>>();
  private readonly handoverTimers = new Set<NodeJS.Timeout>();
  /** Running probes by server, so a server change finds its probes without a scan. */
  private readonly byServer = new Map<number, Set<number>>();
  private persisting: Promise<void> | null = null;
  private readonly persistOutage: OutageLog;
  /** Configuration changes, applied one after the other: each reads the store, and a later one must not overtake it. */
  private changes: Promise<void> = Promise.resolve();
  private readonly configOutage: OutageLog;
  private resyncTimer: NodeJS.Timeout | null = null;
  private stopped = false;
  private unsubscribe: (() => void) | null = null;
  private persistTimer: NodeJS.Timeout | null = null;
  private windowTimer: NodeJS.Timeout | null = null;
  private startListener: ((probeId: number, lagMs: number) => void) | null = null;
  /** When start() ran; placements of probes saved before it keep their slots. */
  private startedAt = Infinity;

  constructor(private readonly options: ProbeEngineOptions) {
    this.service = options.service;
    this.metrics = options.metrics;
    this.resolver = guardedResolver(options.resolver, options.service.allowlist);
    this.check = options.check ?? checkProbe;
    this.histories = new ResultHistories(options.historySize ?? 10);
    this.scheduler = new Scheduler({
      maxInFlight: options.maxInFlight,
      runCheck: (id, dueAt) => this.runScheduled(Number(id), dueAt),
      isActive: (id, at) => this.refreshActive(Number(id), at),
      onLag: (lagMs, id) => {
        this.metrics.observeSchedulerLag(lagMs);
        this.startListener?.(Number(id), lagMs);
      },
      onInFlightChange: (n) => this.metrics.setInFlight(n),
      onSkip: (id, dueAt, reason) => { if (reason !== 'inactive') this.missedSlot(Number(id), dueAt, reason); },
      onLate: (id, dueAt) => this.missedSlot(Number(id), dueAt, 'late'),
    });
    this.metrics.setInFlightLimit(options.maxInFlight);
    const log = options.log ?? PROCESS_WARNINGS;
    this.persistOutage = new OutageLog(log, 'cannot save the latest check results: the store does not answer; they are kept and saved once it does', 'latest check results saved again');
    this.configOutage = new OutageLog(log, `cannot read a configuration change: the store does not answer; probing goes on as configured before, re-reading all every ${RESYNC_DELAY_MS / 1000} s`, 'configuration re-read: probing follows the store again');
  }

  /** For tests and benchmarks: called as each scheduled or requested check starts, with its lag (start minus due time). */
  observeCheckStarts(listener: ((probeId: number, lagMs: number) => void) | null): void {
    this.startListener = listener;
  }

  get gatewayId(): string {
    return this.service.gatewayId;
  }

  /** Loads this gateway's probes, starts the scheduler and follows configuration changes from then on. */
  async start(): Promise<void> {
    this.startedAt = Date.now();
    // Following before the first read: a change announced while it reads is queued behind it.
    this.unsubscribe = this.service.onChange((change) => this.follow(change));
    try {
      await this.serially(() => this.placeAll());
    } catch (error) {
      this.unsubscribe();
      throw error;
    }
    // Placed before the scheduler starts, so nothing gets a check at once (runSoon waits for start): a restart keeps
    // every probe on its slot instead of checking 50,000 at once.
    this.scheduler.start();
    this.armWindowSweep();
    this.persistTimer = setInterval(() => void this.persist(), this.options.persistIntervalMs ?? 30_000);
    this.persistTimer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.unsubscribe?.();
    if (this.persistTimer) clearInterval(this.persistTimer);
    if (this.windowTimer) clearTimeout(this.windowTimer);
    if (this.resyncTimer) clearTimeout(this.resyncTimer);
    for (const timer of this.handoverTimers) clearTimeout(timer);
    await this.changes;
    await this.scheduler.stop();
    await this.persisting;
    await this.persist();
  }

  /** Resolves once every configuration change announced so far has been applied (or has failed and awaits a re-read). */
  settled(): Promise<void> {
    return this.changes;
  }

  get probeCount(): number {
    return this.running.size;
  }

  /** Checks running now (tcpprobe_checks_in_flight). */
  get checksInFlight(): number {
    return this.scheduler.inFlight;
  }

  /** Runs a stored probe now and returns its result, whether or not it is scheduled here. */
  async runProbe(probeId: number): Promise<CheckResultView> {
    // A change announced just before (the probe was saved a moment ago) is in place first.
    await this.settled();
    const entry = this.running.get(probeId);
    if (entry) {
      const next = new Promise<CheckResult>((resolve, reject) => {
        this.waiters.set(probeId, [...(this.waiters.get(probeId) ?? []), { resolve, reject }]);
      });
      // False means a run is already going or queued: its result is the one to wait for.
      this.scheduler.runNow(String(probeId));
      return resultView(await next, this.gatewayId, { withTranscript: true });
    }
    // Disabled, or this gateway is not one of its locations: check it from here once, without scheduling or metrics;
    // the result is kept as this gateway's (its results list shows it).
    const { store } = this.service;
    const probe = await store.probes.get(probeId);
    const server = await store.servers.get(probe.serverId);
    const result = await this.check(this.withAccount(requestFor(probe, server), server.sharedAccount), { resolver: this.resolver });
    await store.probes.saveResults([{ probeId, result: resultView(result, this.gatewayId) }]);
    return resultView(result, this.gatewayId, { withTranscript: true });
  }

  /** One check that is not stored: the wizard's "Test connection", with the account of `sharedAccount` if it names one. */
  async checkOnce(request: CheckRequest, sharedAccount: string | null = null): Promise<CheckResultView> {
    const result = await this.check(this.withAccount(request, sharedAccount), { resolver: this.resolver });
    return resultView(result, this.gatewayId, { withTranscript: true });
  }

  /**
   * The request with the shared account's material, looked up now (a cache read), for checks that may use it (TLS or
   * a dialogue); a plain connect check goes as it is, without an allocation.
   */
  private withAccount(request: CheckRequest, sharedAccount: string | null): CheckRequest {
    const accounts = this.options.accounts;
    if (!accounts || sharedAccount === null || (!request.tls && !request.dialogue)) return request;
    const { host, port, timeoutMs, networkInterface, ipVersion, tls, dialogue } = request;
    return { host, port, timeoutMs, networkInterface, ipVersion, tls, dialogue, account: accounts.materialFor(sharedAccount) };
  }

  /**
   * A probe's recent results, newest first: this gateway's own history when it runs the probe, and the latest stored
   * result of each other location (and this gateway's stored one when it does not run it, e.g. from a run on demand).
   */
  async results(probeId: number, options: { limit?: number; gateway?: string } = {}): Promise<CheckResultView[]> {
    // A change announced just before (the probe was saved a moment ago) is in place first.
    await this.settled();
    const { store } = this.service;
    const probe = await store.probes.get(probeId);
    const server = await store.servers.get(probe.serverId);
    const entry = this.running.get(probeId);
    const own = entry ? this.histories.list(entry.historySlot).map((r) => resultView(r, this.gatewayId)) : [];
    // A gateway that is no longer a location (removed, or moved away) has nothing to say about the probe now.
    const shown = new Set([...server.gateways, this.gatewayId]);
    const others = (await store.probes.latestResults(probeId)).filter((r) => shown.has(r.gateway) && !(entry && r.gateway === this.gatewayId));
    const items = [...own, ...others].filter((r) => options.gateway === undefined || r.gateway === options.gateway);
    items.sort((a, b) => Date.parse(b.checkedAt) - Date.parse(a.checkedAt));
    return items.slice(0, options.limit);
  }

  /**
   * The state of stored probes (all, one server's or one probe; with `gateway`, those that run from it, as it sees
   * them) at each location and over all, with the reason for no data, when this gateway checks each next, and when a
   * closed window opens.
   */
  async status(filter: { serverId?: number; probeId?: number; gateway?: string } = {}): Promise<ProbeStatus[]> {
    // A change announced just before (the probe was saved a moment ago) is in place first.
    await this.settled();
    const { store } = this.service;
    const now = Date.now();
    // Each read is a round trip to PostgreSQL: the independent ones go at once.
    const [probes, servers, schedules, gateways] = await Promise.all([
      this.probesFor(filter),
      store.servers.all().then((all) => new Map(all.map((s) => [s.id, s]))),
      store.schedules.all().then((all) => new Map(all.map((s) => [s.id, s]))),
      store.gateways.all(),
    ]);
    const online = new Set(gateways.filter((g) => isGatewayOnline(g, this.gatewayId, now)).map((g) => g.id));
    online.add(this.gatewayId); // also before its first heartbeat is stored
    // Read apart, the server may be newer than the probe list (on PostgreSQL, another replica may write between).
    const shownServer = (probe: Probe): Server | undefined => {
      const server = servers.get(probe.serverId);
      return server !== undefined && (filter.gateway === undefined || server.gateways.includes(filter.gateway)) ? server : undefined;
    };
    // Scheduled here as one of its locations (during a hand-over away from here it runs on, but is no location).
    const entryOf = (probe: Probe, server: Server) => (server.gateways.includes(this.gatewayId) ? this.running.get(probe.id) : undefined);
    // The stored results of all the probes that need them, in one read rather than one per probe.
    const toRead: number[] = [];
    for (const probe of probes) {
      const server = shownServer(probe);
      if (server !== undefined && this.storedSource(probe, server, entryOf(probe, server) !== undefined) === 'read') toRead.push(probe.id);
    }
    const read = toRead.length === 0 ? NO_READ : await store.probes.latestResultsOf(toRead);
    // Probes share a few windows and schedules: each distinct one is searched once per call.
    const openings = new Map<string, number | null>();
    const opensAt = (probe: Probe): number | null => {
      if (probe.scheduleId === null && probe.windowBegin === null) return now;
      const key = `${probe.scheduleId} ${probe.windowBegin} ${probe.windowEnd}`;
      if (!openings.has(key)) {
        const schedule = probe.scheduleId === null ? null : schedules.get(probe.scheduleId) ?? null;
        openings.set(key, nextActiveAt(now, probe, schedule, this.options.timeZone));
      }
      return openings.get(key)!;
    };
    const items: ProbeStatus[] = [];
    for (const probe of probes) {
      const server = shownServer(probe);
      if (server === undefined) continue;
      const entry = entryOf(probe, server);
      const enabled = probe.enabled && server.enabled;
      const openAt = enabled ? opensAt(probe) : null;
      const windowOpen = openAt === now;
      const stored = this.storedResults(probe, this.storedSource(probe, server, entry !== undefined), read);
      const locations = server.gateways.map((gateway): LocationStatus => {
        const self = gateway === this.gatewayId;
        const local = self && entry !== undefined;
        // Other locations: the results and window state their agents reported.
        const latest = local ? this.histories.latest(entry.historySlot) : null;
        const lastResult = local ? latest && resultView(latest, this.gatewayId) : stored.get(gateway) ?? null;
        const inWindow = local ? entry.active : this.remoteActive.get(probe.id)?.get(gateway) ?? windowOpen;
        const { state, reason } = explainState({
          probeEnabled: probe.enabled,
          serverEnabled: server.enabled,
          local,
          gatewayOnline: online.has(gateway),
          windowOpen,
          inWindow,
          available: lastResult?.available ?? null,
        });
        return { gateway, state, reason, inWindow, lastResult, self };
      });
      const considered = filter.gateway === undefined ? locations : locations.filter((l) => l.gateway === filter.gateway);
      const summary = summarizeLocations(locations, considered);
      const here = considered.some((l) => l.self) ? entry : undefined;
      // Outside its window, the slots until it opens are skipped: the next check is the first slot from the opening.
      const checkFrom = locations.find((l) => l.self)?.reason === 'outside_window' ? openAt : now;
      const nextCheck = here && checkFrom !== null ? this.scheduler.nextDue(String(probe.id), checkFrom) : null;
      items.push({
        probeId: probe.id,
        serverId: server.id,
        probe: probe.name,
        server: server.name,
        target: targetOf(probe.host, probe.port),
        enabled,
        state: summary.state,
        reason: summary.reason,
        inWindow: summary.inWindow,
        nextCheckAt: isoOrNull(nextCheck),
        windowOpensAt: summary.reason === 'outside_window' ? isoOrNull(openAt) : null,
        lastResult: summary.lastResult,
        locations,
        locationsDown: summary.locationsDown,
        locationsUp: summary.locationsUp,
        locationsTotal: summary.locationsTotal,
        ...timelinessOf(here),
      });
    }
    return items;
  }

  /**
   * Where the latest stored result of each location but this gateway's running one comes from. The probe's own latest
   * result (the newest of any location) answers without a query when no location has one ('none'), or when it is that
   * of the only location asked for ('newest'): so a control plane with one location per server reads no extra rows
   * for its status. Otherwise the probe's stored results are read ('read').
   */
  private storedSource(probe: Probe, server: Server, runningHere: boolean): 'none' | 'newest' | 'read' {
    const newestOfAny = probe.lastResult;
    const asked = runningHere ? server.gateways.filter((g) => g !== this.gatewayId) : server.gateways;
    if (newestOfAny === null || asked.length === 0) return 'none';
    return asked.length === 1 && newestOfAny.gateway === asked[0] ? 'newest' : 'read';
  }

  /** The stored results by location, from the source storedSource chose; `read`: those of the probes it said to read. */
  private storedResults(probe: Probe, source: 'none' | 'newest' | 'read', read: ReadonlyMap<number, readonly CheckResultView[]>): ReadonlyMap<string, CheckResultView> {
    if (source === 'none') return NO_RESULTS;
    if (source === 'newest') return new Map([[probe.lastResult!.gateway, probe.lastResult!]]);
    return new Map((read.get(probe.id) ?? []).map((r) => [r.gateway, r]));
  }

  private async probesFor(filter: { serverId?: number; probeId?: number }): Promise<Probe[]> {
    const { probes } = this.service.store;
    if (filter.probeId !== undefined) {
      const probe = await unlessNotFound(probes.get(filter.probeId));
      return probe !== undefined && (filter.serverId === undefined || probe.serverId === filter.serverId) ? [probe] : [];
    }
    return filter.serverId !== undefined ? probes.ofServer(filter.serverId) : probes.all();
  }

  // --- keeping in step with the configuration

  /** Called by the service for each change, synchronously: queues the change behind those before it. */
  private follow(change: ConfigChange): void {
    this.serially(() => (change.full ? this.placeAll() : this.apply(change))).catch((error) => {
      // What the change touched is unknown now (some of it may be applied): everything is re-read, once the store answers.
      this.configOutage.failed(error);
      this.resyncLater();
    });
  }

  /** Runs `work` after every queued change; its failure is the caller's, and does not stop the queue. */
  private serially(work: () => Promise<void>): Promise<void> {
    const run = this.changes.then(() => (this.stopped ? undefined : work()));
    this.changes = run.catch(() => {});
    return run;
  }

  private resyncLater(): void {
    if (this.resyncTimer !== null || this.stopped) return;
    this.resyncTimer = setTimeout(() => {
      this.resyncTimer = null;
      this.follow(FULL_CHANGE);
    }, RESYNC_DELAY_MS);
    this.resyncTimer.unref();
  }

  /**
   * Reads everything in a few bulk queries and places each probe: at start, and for a `full` change (a replica whose
   * link to the database was down, or another replica's large import), which also drops the probes gone since.
   */
  private async placeAll(): Promise<void> {
    const { store } = this.service;
    // Probes first: a server created after this read has no probes in it, and one deleted after it is skipped below.
    const probes = await store.probes.all();
    const [servers, schedules, moves, locations] = await Promise.all([
      store.servers.all().then((all) => new Map(all.map((s) => [s.id, s]))),
      store.schedules.all().then((all) => new Map(all.map((s) => [s.id, s]))),
      this.recentMoves(),
      store.servers.locations(),
    ]);
    const stored = new Set<number>();
    for (const probe of probes) {
      const server = servers.get(probe.serverId);
      if (server === undefined) continue;
      stored.add(probe.id);
      if (!server.gateways.includes(this.gatewayId) && !moves.has(server.id)) {
        this.unplace(probe.id);
        continue;
      }
      const schedule = probe.scheduleId === null ? null : schedules.get(probe.scheduleId) ?? null;
      this.place(probe, server, schedule, moves.get(server.id), locations.get(server.id) ?? []);
    }
    for (const id of [...this.running.keys()]) if (!stored.has(id)) this.unplace(id);
    this.configOutage.succeeded();
  }

  /**
   * Re-reads what a change touched and places or removes each probe. A server's probes come in one query, and each
   * server, its locations, schedules and moves are read once: an import of thousands of probes stays a few queries per
   * server.
   */
  private async apply(change: ConfigChange): Promise<void> {
    const { store } = this.service;
    for (const id of change.removedProbeIds) this.unplace(id);
    const fresh = new Map<number, Probe>();
    const stale = new Set(change.probeIds);
    for (const serverId of change.serverIds) {
      for (const id of this.byServer.get(serverId) ?? []) stale.add(id);
      for (const probe of await store.probes.ofServer(serverId)) fresh.set(probe.id, probe);
    }
    for (const scheduleId of change.scheduleIds) {
      for (const [id, entry] of this.running) if (entry.scheduleId === scheduleId) stale.add(id);
    }
    for (const id of stale) {
      if (fresh.has(id)) continue;
      const probe = await unlessNotFound(store.probes.get(id));
      if (probe === undefined) this.unplace(id);
      else fresh.set(id, probe);
    }
    if (fresh.size === 0) return;
    const servers = new Map<number, { server: Server; locations: LocationSlot[] } | null>();
    const schedules = new Map<number, ScheduleSpec>();
    const moves = await this.recentMoves();
    for (const probe of fresh.values()) {
      if (!servers.has(probe.serverId)) {
        const server = await unlessNotFound(store.servers.get(probe.serverId));
        servers.set(probe.serverId, server === undefined ? null : { server, locations: await store.servers.locationsOf(server.id) });
      }
      if (probe.scheduleId !== null && !schedules.has(probe.scheduleId)) schedules.set(probe.scheduleId, await store.schedules.get(probe.scheduleId));
    }
    for (const probe of fresh.values()) {
      const placement = servers.get(probe.serverId)!;
      // Deleted with its server since the probe was read: the server's change removes it too.
      if (placement === null) {
        this.unplace(probe.id);
        continue;
      }
      const schedule = probe.scheduleId === null ? null : schedules.get(probe.scheduleId)!;
      this.place(probe, placement.server, schedule, moves.get(probe.serverId), placement.locations);
    }
  }

  /**
   * The latest recent move of each server to or from a gateway (this one by default): a location replaced by another
   * in one save. Moves among other gateways do not concern it; older moves are over (both sides have switched).
   */
  private async recentMoves(gateway = this.gatewayId): Promise<Map<number, ServerMove>> {
    const since = new Date(Date.now() - HANDOVER_MS - MINUTE_MS).toISOString();
    // In time order, so each server's latest move is the one kept.
    return new Map((await this.service.store.servers.movesInvolving(gateway, since)).map((m) => [m.serverId, m]));
  }

  /**
   * Schedules a probe if it is enabled and this gateway is one of its server's locations (or is still handing over
   * after its location moved to another gateway), on this location's phase slot; otherwise makes sure it is not
   * scheduled here. A probe saved or enabled since the engine started, one whose target changed, or one of a server
   * that just gained this location, also gets a check at once (see wantsCheckAtOnce). `locations`: the server's, with
   * their phase slots.
   */
  private place(probe: Probe, server: Server, schedule: ScheduleSpec | null, move: ServerMove | undefined, locations: readonly LocationSlot[]): void {
    const switchAt = move ? Date.parse(move.movedAt) + HANDOVER_MS : 0;
    const arriving = server.gateways.includes(this.gatewayId);
    const leaving = !arriving && move?.fromGateway === this.gatewayId && Date.now() < switchAt;
    if (!probe.enabled || !server.enabled || (!arriving && !leaving)) {
      this.unplace(probe.id);
      return;
    }
    if (leaving) this.afterHandover(switchAt, server.id);
    // A move hands the slot over with the location: the gateway leaving runs on the slot its successor took.
    const slotOf = arriving ? this.gatewayId : move!.toGateway;
    const phaseSlot = locations.find((l) => l.gateway === slotOf)?.slot ?? 0;
    const previous = this.running.get(probe.id);
    const entry: RunningProbe = {
      host: probe.host,
      port: probe.port,
      timeoutMs: probe.effectiveTimeoutMs,
      networkInterface: server.networkInterface,
      windowBegin: probe.windowBegin,
      windowEnd: probe.windowEnd,
      scheduleId: probe.scheduleId,
      server,
      schedule: schedule && { timeZone: schedule.timeZone, windows: schedule.windows, exclusions: schedule.exclusions },
      historySlot: previous?.historySlot ?? this.histories.open(),
      active: previous?.active ?? true,
      startAfter: arriving && move?.toGateway === this.gatewayId ? switchAt : 0,
      stopAt: leaving ? switchAt : Infinity,
      timeliness: previous?.timeliness ?? 'on_time',
      missedSlotAt: previous?.missedSlotAt ?? 0,
      missedSlotReason: previous?.missedSlotReason ?? null,
    };
    withDeepSettings(entry, probe);
    this.running.set(probe.id, entry);
    if (previous && previous.server.id !== server.id) this.byServer.get(previous.server.id)?.delete(probe.id);
    let ofServer = this.byServer.get(server.id);
    if (!ofServer) this.byServer.set(server.id, (ofServer = new Set()));
    ofServer.add(probe.id);
    this.metrics.upsertProbe(String(probe.id), labelsOf(probe, server, this.gatewayId));
    this.refreshActive(probe.id, Date.now());
    this.scheduler.upsert(String(probe.id), probe.intervalSeconds * 1000, phaseSlot);
    const atOnce = wantsCheckAtOnce({
      previous: previous ?? null,
      next: entry,
      probeSavedAt: Date.parse(probe.updatedAt),
      serverSavedAt: Date.parse(server.updatedAt),
      movedHereAt: move?.toGateway === this.gatewayId ? Date.parse(move.movedAt) : null,
      engineStartedAt: this.startedAt,
    });
    // A margin of the check's timeout: the early check ends before a slot that close, which then is the first check.
    if (atOnce) this.scheduler.runSoon(String(probe.id), Math.max(SOON_SLOT_MARGIN_MS, entry.timeoutMs));
  }

  /** Re-reads a server's probes once its hand-over instant has passed, which unschedules them here. */
  private afterHandover(atMs: number, serverId: number): void {
    const timer = setTimeout(() => {
      this.handoverTimers.delete(timer);
      this.follow({ probeIds: [], removedProbeIds: [], serverIds: [serverId], scheduleIds: [] });
    }, Math.max(0, atMs - Date.now()) + 10);
    timer.unref();
    this.handoverTimers.add(timer);
  }

  private unplace(probeId: number): void {
    const entry = this.running.get(probeId);
    if (!entry) return;
    this.running.delete(probeId);
    this.histories.close(entry.historySlot);
    this.byServer.get(entry.server.id)?.delete(probeId);
    this.scheduler.remove(String(probeId));
    this.metrics.removeProbe(String(probeId));
    this.unsaved.delete(probeId);
    this.settleWaiters(probeId, (waiter) => waiter.reject(new ApiError(409, `probe ${probeId} was deleted, disabled or moved to another gateway while it ran`)));
  }

  // --- running checks

  /** Resolves to whether the target answered, which the scheduler's queue orders by (see RunQueue). */
  private async runScheduled(probeId: number, dueAt: number): Promise<boolean | void> {
    const entry = this.running.get(probeId);
    if (!entry) return;
    // The scheduler reports a late start just before this call, for the same due time.
    if (entry.missedSlotAt !== dueAt) entry.timeliness = 'on_time';
    const result = await this.check(this.withAccount(entry, entry.server.sharedAccount), { resolver: this.resolver });
    // The probe may have been removed while the check ran (then nothing is recorded) or changed (the new entry keeps the history).
    const current = this.running.get(probeId);
    if (!current) return;
    this.histories.add(current.historySlot, result);
    if (current.active) this.metrics.record(String(probeId), result);
    this.unsaved.add(probeId);
    this.unreported.add(probeId);
    this.settleWaiters(probeId, (waiter) => waiter.resolve(result));
    return !NO_ANSWER.has(result.outcome);
  }

  /** A slot the scheduler could not keep: counted by reason, and shown in the probe's status until a slot is kept again. */
  private missedSlot(probeId: number, dueAt: number, reason: MissedSlotReason): void {
    this.metrics.countMissedSlot(reason);
    const entry = this.running.get(probeId);
    if (!entry) return;
    entry.timeliness = reason === 'late' ? 'late' : 'skipped';
    entry.missedSlotAt = dueAt;
    entry.missedSlotReason = reason;
  }

  private settleWaiters(probeId: number, settle: (waiter: Waiter) => void): void {
    const waiting = this.waiters.get(probeId);
    if (!waiting) return;
    this.waiters.delete(probeId);
    for (const waiter of waiting) settle(waiter);
  }

  /** Whether the probe may run now; also hides or shows its availability series when that changes. */
  private refreshActive(probeId: number, atMs: number): boolean {
    const entry = this.running.get(probeId);
    if (!entry) return false;
    const handingOver = atMs < entry.startAfter || atMs >= entry.stopAt;
    const active = !handingOver && isActive(atMs, entry, entry.schedule, this.options.timeZone);
    if (active !== entry.active) {
      entry.active = active;
      this.metrics.setActive(String(probeId), active);
      this.unreported.add(probeId);
    }
    return active;
  }

  /**
   * Windows and schedules change state on whole minutes; re-evaluating the probes that have one just after each
   * minute makes the availability series vanish when a window closes, not at the probe's next due time.
   */
  private armWindowSweep(): void {
    const delay = MINUTE_MS - (Date.now() % MINUTE_MS) + 5;
    this.windowTimer = setTimeout(() => {
      const now = Date.now();
      for (const [id, entry] of this.running) {
        if (entry.schedule !== null || entry.windowBegin !== null) this.refreshActive(id, now);
      }
      this.armWindowSweep();
    }, delay);
    this.windowTimer.unref();
  }

  // --- agents and the control plane

  /** On an agent: what changed since the last report, for the heartbeat to the control plane. */
  takeReports(): ProbeReport[] {
    const reports: ProbeReport[] = [];
    for (const probeId of this.unreported) {
      const entry = this.running.get(probeId);
      if (!entry) continue;
      const latest = this.histories.latest(entry.historySlot);
      reports.push({ probeId, active: entry.active, result: latest ? resultView(latest, this.gatewayId) : null });
    }
    this.unreported.clear();
    return reports;
  }

  /**
   * On the control plane: results an agent reported for probes of servers that list it as a location, or that it is
   * handing over to another gateway; each is kept as that location's, whatever gateway the report names.
   */
  async acceptReports(gateway: string, reports: readonly ProbeReport[]): Promise<number> {
    if (reports.length === 0) return 0;
    const { store } = this.service;
    // Two reads whatever the number of reports (a heartbeat comes every few seconds, an agent's first has every
    // probe), not one or two per report: each is a round trip to PostgreSQL. Probes first: a server deleted after
    // this read is missing below, and its probes are skipped.
    const probes = await store.probes.byIds(reports.map((r) => r.probeId));
    const servers = probes.size === 0 ? new Map<number, Server>() : new Map((await store.servers.all()).map((s) => [s.id, s]));
    let handingOver: Set<number> | undefined;
    const isHandingOver = async (serverId: number) => {
      handingOver ??= new Set([...(await this.recentMoves(gateway)).values()].filter((m) => m.fromGateway === gateway).map((m) => m.serverId));
      return handingOver.has(serverId);
    };
    const accepted: { probeId: number; result: CheckResultView }[] = [];
    let count = 0;
    for (const report of reports) {
      // Unknown: deleted since the agent ran it.
      const probe = probes.get(report.probeId);
      if (probe === undefined) continue;
      const server = servers.get(probe.serverId);
      if (!server || (!server.gateways.includes(gateway) && !(await isHandingOver(server.id)))) continue;
      let active = this.remoteActive.get(report.probeId);
      if (!active) this.remoteActive.set(report.probeId, (active = new Map()));
      active.set(gateway, report.active);
      if (report.result) accepted.push({ probeId: report.probeId, result: { ...withDeepDefaults(report.result), gateway } });
      count++;
    }
    await store.probes.saveResults(accepted);
    return count;
  }

  /**
   * Writes the latest result of every probe that ran since the last write, in slices of PERSIST_SLICE rows with an
   * event-loop turn between them: one transaction for 50,000 probes would stall checks and scrapes for a second.
   * Never fails: while the store does not answer, the results stay unsaved for the next write.
   */
  private persist(): Promise<void> {
    this.persisting ??= this.writeResults().finally(() => { this.persisting = null; });
    return this.persisting;
  }

  private async writeResults(): Promise<void> {
    // In id order each slice's rows sit on a few neighbouring pages: five times fewer page writes than in run order.
    const ids = [...this.unsaved].sort((a, b) => a - b);
    this.unsaved.clear();
    for (let start = 0; start < ids.length; start += PERSIST_SLICE) {
      if (start > 0) await new Promise((resolve) => setImmediate(resolve));
      const batch = [];
      for (const probeId of ids.slice(start, start + PERSIST_SLICE)) {
        const entry = this.running.get(probeId);
        const latest = entry && this.histories.latest(entry.historySlot);
        if (latest) batch.push({ probeId, result: resultView(latest, this.gatewayId) });
      }
      try {
        // A probe deleted since its check has no row left; its UPDATE changes nothing.
        await this.service.store.probes.saveResults(batch);
      } catch (error) {
        // This slice and the rest wait for the next write, which takes each probe's latest result then.
        for (const probeId of ids.slice(start)) if (this.running.has(probeId)) this.unsaved.add(probeId);
        this.persistOutage.failed(error);
        return;
      }
    }
    if (ids.length > 0) this.persistOutage.succeeded();
  }
}

/** What `read` gives, or undefined when the row does not exist (any other failure, e.g. an unavailable store, is thrown). */
async function unlessNotFound<T>(read: Promise<T>): Promise<T | undefined> {
  try {
    return await read;
  } catch (error) {
    if (error instanceof NotFoundError) return undefined;
    throw error;
  }
}

/** A probe's timeliness in its status; a probe this gateway does not run has none. */
function timelinessOf(entry: RunningProbe | undefined): Pick<ProbeStatus, 'timeliness' | 'missedSlotAt' | 'missedSlotReason'> {
  if (!entry) return { timeliness: null, missedSlotAt: null, missedSlotReason: null };
  return {
    timeliness: entry.timeliness,
    missedSlotAt: isoOrNull(entry.missedSlotAt === 0 ? null : entry.missedSlotAt),
    missedSlotReason: entry.missedSlotReason,
  };
}

function isoOrNull(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}

function requestFor(probe: Probe, server: Server): CheckRequest {
  return withDeepSettings({ host: probe.host, port: probe.port, timeoutMs: probe.effectiveTimeoutMs, networkInterface: server.networkInterface }, probe);
}

/**
 * Adds a probe's IP version, TLS settings and dialogue to its request, each only when set: a plain probe's request
 * (its RunningProbe, 50,000 of them) keeps its shape and size.
 */
function withDeepSettings<T extends CheckRequest>(request: T, probe: Probe): T {
  if (probe.ipVersion !== 'auto') request.ipVersion = probe.ipVersion;
  if (probe.tls !== null) request.tls = probe.tls;
  if (probe.dialogue !== null) request.dialogue = probe.dialogue;
  return request;
}

function labelsOf(probe: Probe, server: Server, gateway: string): ProbeMetricLabels {
  return {
    gateway,
    server: server.name,
    server_id: String(server.id),
    probe: probe.name,
    probe_id: String(probe.id),
    target: targetOf(probe.host, probe.port),
    role: server.role ?? '',
    site: server.site ?? '',
  };
}
