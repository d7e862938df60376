// Live per-probe metric state, handed to the OpenTelemetry SDK as a MetricProducer on every scrape.

import { setImmediate as nextTurn } from 'node:timers/promises';
import { ValueType, type Attributes, type HrTime } from '@opentelemetry/api';
import { emptyResource } from '@opentelemetry/resources';
import {
  AggregationTemporality,
  DataPointType,
  type CollectionResult,
  type DataPoint,
  type GaugeMetricData,
  type Histogram,
  type HistogramMetricData,
  type MetricData,
  type MetricProducer,
  type SumMetricData,
} from '@opentelemetry/sdk-metrics';
import {
  CHECK_OUTCOMES, MISSED_SLOT_REASONS, outcomeIndex, type CheckOutcome, type CheckResult, type MissedSlotReason, type TlsDetails,
} from '../probing/types.js';
import { ADDED_LABELS, LABEL_BLOCK, prerenderLabels, SharedLabelParts } from './prometheus-text.js';

export interface ProbeMetricLabels {
  gateway: string;
  server: string;
  server_id: string;
  probe: string;
  probe_id: string;
  target: string;
  role: string;
  site: string;
}

export interface ProbeMetricsOptions {
  /** This gateway's name: the `gateway` label of the self-metrics. */
  gateway: string;
  connectBucketsSeconds?: number[];
}

/** 0.5 ms (a LAN round trip) to 10 s (beyond any sensible connect timeout), 1-2.5-5 per decade. */
export const DEFAULT_CONNECT_BUCKETS_SECONDS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** Scheduler lag is healthy in milliseconds and alarming in seconds; a minute means the gateway is overloaded. */
const SCHEDULER_LAG_BUCKETS_SECONDS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

/** Probes gathered between two event-loop turns: a few ms of work, far below the 50 ms stall budget. */
const PROBES_PER_TURN = 2_000;

const SCOPE = { name: '@probekit/gateway/probes' };

/** The MetricReader keeps the MeterProvider's resource and drops a producer's. */
const NO_RESOURCE = emptyResource();

/**
 * A data point this producer owns and keeps current; DataPoint's fields are read-only to consumers only.
 * Each series is one such object for its whole life, which is why collect() is cheap (see there).
 * All points share their producer's `endTime` tuple, which each collect() sets once.
 */
interface LivePoint<T> {
  readonly startTime: HrTime;
  readonly endTime: HrTime;
  attributes: Attributes;
  value: T;
}

/** A cumulative histogram that is its own OTel point value; `counts` has one slot more than `boundaries`, for +Inf. */
class BucketCounts implements Histogram {
  readonly buckets: { boundaries: number[]; counts: number[] };
  sum = 0;
  count = 0;

  constructor(boundaries: number[]) {
    this.buckets = { boundaries, counts: new Array<number>(boundaries.length + 1).fill(0) };
  }

  observe(value: number): void {
    const { boundaries, counts } = this.buckets;
    let bucket = 0;
    while (bucket < boundaries.length && value > boundaries[bucket]!) bucket++;
    counts[bucket]! += 1;
    this.sum += value;
    this.count += 1;
  }
}

/**
 * A histogram's point. Its own class rather than a literal shaped like the number points: sharing their hidden class,
 * `value` would hold numbers and histograms alike, and every double written to a number point would be a new heap
 * object (four a check, living until the next check, an interval later: long enough to end as old-generation
 * garbage). Kept apart, number points have a double field that V8 updates in place.
 */
class HistogramPoint implements LivePoint<BucketCounts> {
  readonly value: BucketCounts;

  constructor(readonly startTime: HrTime, readonly endTime: HrTime, public attributes: Attributes, boundaries: number[]) {
    this.value = new BucketCounts(boundaries);
  }
}

/**
 * The series only deeper checks (TLS, dialogue) have. One object a probe that has them, null for a plain probe, whose
 * state so grows by one field, not five. Each series goes when a plain result says the probe no longer has it, and
 * stays through a deeper check that failed before producing it (null in the result): its last value is still true.
 */
interface DeepState {
  /** The latest handshake's; hidden outside the probe's window and reset on entering one, like connectSeconds. */
  tlsHandshakeSeconds: LivePoint<number> | null;
  /** The earliest notAfter of the chain last presented; shown inside and outside windows, like info: it stays true. */
  certExpiry: LivePoint<number> | null;
  /** The latest handshake's protocol, cipher and leaf certificate; one series, replaced when any of them changes. */
  tlsInfo: LivePoint<number> | null;
  /** Connected to the last expect matched; like tlsHandshakeSeconds. */
  responseSeconds: LivePoint<number> | null;
}

interface ProbeState {
  /** The probe's labels; replaced on a label change, never modified, as its label block is prerendered. */
  attributes: Attributes;
  startTime: HrTime;
  active: boolean;
  /** null until the probe's first check, and again on entering a window. */
  availability: LivePoint<number> | null;
  /**
   * Failed checks in a row, 0 after a success; null like availability. The run restarts on entering a window, as the
   * checks before it are not current. Alert rules compare it with a threshold's consecutiveChecks, exactly per probe.
   */
  consecutiveFailures: LivePoint<number> | null;
  /** The latest successful check's; null like availability, and before the first success. */
  connectSeconds: LivePoint<number> | null;
  /** The latest check's; null when it resolved nothing (an IP literal, a failed lookup). */
  dnsSeconds: LivePoint<number> | null;
  lastCheck: LivePoint<number> | null;
  /** Where the latest check that resolved the target connected: actual_host, actual_ipv4. */
  info: LivePoint<number> | null;
  actualHost: string | null;
  actualIpv4: string | null;
  connectDuration: LivePoint<BucketCounts>;
  /** null for a probe whose results carry no TLS or dialogue data: most probes. */
  deep: DeepState | null;
  /**
   * By CHECK_OUTCOMES index: success (index 0) from the start, a failure reason from its first occurrence. Starts as
   * a one-element array: most probes never fail, and six empty slots a probe were ~50 bytes at 50k probes.
   */
  checks: (LivePoint<number> | undefined)[];
}

/**
 * The gateway's probe metrics and its own health metrics. The engine reports config changes and
 * check results here; on each scrape the SDK's MetricReader calls `collect()`, which hands out the
 * current state as OTel metric data.
 *
 * Producing the series here rather than through SDK instruments is deliberate: a removed probe is
 * simply not produced (synchronous instruments cannot delete a series, observable ones keep
 * exporting removed attribute sets, opentelemetry-js #4096); absence, which alert rules read as
 * "no data", is just a missing data point; and the SDK's per-instrument cardinality limit (2,000
 * series, then `otel_metric_overflow`) does not apply to producers.
 */
export class ProbeMetrics implements MetricProducer {
  private readonly probes = new Map<string, ProbeState>();
  /**
   * The added labels of the `result` and info series: a handful of results, and an address most often shared by the
   * probes of one host (a system's ports), so one copy each instead of one a series.
   */
  private readonly labelParts = new SharedLabelParts();
  private readonly connectBoundaries: number[];
  /**
   * The last collection's time, the endTime of every point. One tuple updated in place: writing a
   * fresh one into ~400k long-lived points per scrape would leave the next young-generation GC
   * that many old-to-new references to scan.
   */
  private readonly collectedAt: HrTime = [0, 0];
  private readonly gateway: {
    inFlight: LivePoint<number>;
    inFlightLimit: LivePoint<number>;
    configured: LivePoint<number>;
    /** By MISSED_SLOT_REASONS index; every reason from the start, so that rate() sees the first miss. */
    skipped: LivePoint<number>[];
    schedulerLag: LivePoint<BucketCounts>;
  };

  constructor(options: ProbeMetricsOptions) {
    this.connectBoundaries = options.connectBucketsSeconds ?? DEFAULT_CONNECT_BUCKETS_SECONDS;
    const attributes = prerenderLabels({ gateway: options.gateway });
    const startTime = hrNow();
    this.gateway = {
      inFlight: this.livePoint(startTime, attributes, 0),
      inFlightLimit: this.livePoint(startTime, attributes, 0),
      configured: this.livePoint(startTime, attributes, 0),
      skipped: MISSED_SLOT_REASONS.map((reason) => this.livePoint(startTime, prerenderLabels({ gateway: options.gateway, reason }), 0)),
      schedulerLag: new HistogramPoint(startTime, this.collectedAt, attributes, SCHEDULER_LAG_BUCKETS_SECONDS),
    };
  }

  /** Adds a probe, or updates its labels; an existing probe keeps its counters and history. */
  upsertProbe(probeId: string, labels: ProbeMetricLabels): void {
    const probe = this.probes.get(probeId);
    if (probe === undefined) {
      const attributes = labelAttributes(labels);
      const startTime = hrNow();
      // success is always there, so availability ratios have a numerator even for a probe that never connected.
      const checks: ProbeState['checks'] = [this.livePoint(startTime, this.checkAttributes(attributes, 'success'), 0)];
      this.probes.set(probeId, {
        attributes,
        startTime,
        active: true,
        availability: null,
        consecutiveFailures: null,
        connectSeconds: null,
        dnsSeconds: null,
        lastCheck: null,
        info: null,
        actualHost: null,
        actualIpv4: null,
        connectDuration: new HistogramPoint(startTime, this.collectedAt, attributes, this.connectBoundaries),
        deep: null,
        checks,
      });
      this.gateway.configured.value = this.probes.size;
    } else if (!sameLabels(probe.attributes, labels)) {
      this.relabel(probe, labelAttributes(labels));
    }
  }

  /** Distinct added label parts the probes' series share (results, addresses): for tests and diagnostics. */
  get sharedLabelParts(): number {
    return this.labelParts.size;
  }

  removeProbe(probeId: string): void {
    const probe = this.probes.get(probeId);
    if (probe === undefined) return;
    this.releaseParts(probe);
    this.probes.delete(probeId);
    this.gateway.configured.value = this.probes.size;
  }

  /** Outside its window a probe reports no availability, so alert rules see "no data", never "down". */
  setActive(probeId: string, active: boolean): void {
    const probe = this.probes.get(probeId);
    if (probe === undefined || probe.active === active) return;
    probe.active = active;
    // Entering a window starts from "not run yet": the last window's values are not current.
    if (active) {
      probe.availability = null;
      probe.consecutiveFailures = null;
      probe.connectSeconds = null;
      probe.dnsSeconds = null;
      if (probe.deep !== null) {
        probe.deep.tlsHandshakeSeconds = null;
        probe.deep.responseSeconds = null;
      }
    }
  }

  record(probeId: string, result: CheckResult): void {
    // A check that finishes after its probe was removed must not bring the probe's series back.
    const probe = this.probes.get(probeId);
    if (probe === undefined) return;
    const { attributes, startTime } = probe;
    probe.availability ??= this.livePoint(startTime, attributes, 0);
    probe.availability.value = result.outcome === 'success' ? 1 : 0;
    probe.consecutiveFailures ??= this.livePoint(startTime, attributes, 0);
    probe.consecutiveFailures.value = result.outcome === 'success' ? 0 : probe.consecutiveFailures.value + 1;
    probe.lastCheck ??= this.livePoint(startTime, attributes, 0);
    probe.lastCheck.value = result.startedAt / 1000;
    if (result.dnsMs === null) {
      probe.dnsSeconds = null;
    } else {
      probe.dnsSeconds ??= this.livePoint(startTime, attributes, 0);
      probe.dnsSeconds.value = result.dnsMs / 1000;
    }
    if (result.connectMs !== null) {
      probe.connectSeconds ??= this.livePoint(startTime, attributes, 0);
      probe.connectSeconds.value = result.connectMs / 1000;
      probe.connectDuration.value.observe(result.connectMs / 1000);
    }
    const outcome = outcomeIndex(result.outcome);
    let counter = probe.checks[outcome];
    if (counter === undefined) {
      // One exact-size array for every outcome (concat is exact; writing past the end would leave room for ~20).
      if (outcome >= probe.checks.length) probe.checks = probe.checks.concat(new Array<undefined>(CHECK_OUTCOMES.length - probe.checks.length));
      counter = probe.checks[outcome] = this.livePoint(startTime, this.checkAttributes(attributes, CHECK_OUTCOMES[outcome]!), 0);
    }
    counter.value += 1;
    // A check that never resolved the target says nothing about where it points: keep the last answer.
    if (result.actualHost !== null && (result.actualHost !== probe.actualHost || result.actualIpv4 !== probe.actualIpv4)) {
      probe.actualHost = result.actualHost;
      probe.actualIpv4 = result.actualIpv4;
      if (probe.info !== null) this.labelParts.release(probe.info.attributes);
      probe.info = this.livePoint(startTime, this.infoAttributes(probe), 1);
    }
    if (probe.deep !== null || result.tls != null || result.responseMs != null) this.recordDeep(probe, result);
  }

  /**
   * The TLS and response series: undefined in the result (a plain check) drops them, null (a deeper check that failed
   * before getting that far) keeps the last values, a value sets them. A successful check with null has no handshake
   * or no expect to make: the probe no longer asks for it (say, a dialogue without TLS now), so that series goes too.
   */
  private recordDeep(probe: ProbeState, { tls, responseMs, outcome }: CheckResult): void {
    const { startTime, attributes } = probe;
    const deep = (probe.deep ??= { tlsHandshakeSeconds: null, certExpiry: null, tlsInfo: null, responseSeconds: null });
    const succeeded = outcome === 'success';
    if (tls === undefined || (tls === null && succeeded)) {
      this.dropTls(deep);
    } else if (tls !== null) {
      deep.tlsHandshakeSeconds ??= this.livePoint(startTime, attributes, 0);
      deep.tlsHandshakeSeconds.value = tls.handshakeMs / 1000;
      deep.certExpiry ??= this.livePoint(startTime, attributes, 0);
      deep.certExpiry.value = tls.chainExpiresAt / 1000;
      if (deep.tlsInfo === null || !sameTlsInfo(deep.tlsInfo.attributes, tls)) {
        if (deep.tlsInfo !== null) this.labelParts.release(deep.tlsInfo.attributes);
        deep.tlsInfo = this.livePoint(startTime, this.tlsInfoAttributes(attributes, tlsInfoLabels(tls)), 1);
      }
    }
    if (responseMs === undefined || (responseMs === null && succeeded)) {
      deep.responseSeconds = null;
    } else if (responseMs !== null) {
      deep.responseSeconds ??= this.livePoint(startTime, attributes, 0);
      deep.responseSeconds.value = responseMs / 1000;
    }
    if (deep.tlsHandshakeSeconds === null && deep.certExpiry === null && deep.tlsInfo === null && deep.responseSeconds === null) probe.deep = null;
  }

  private dropTls(deep: DeepState): void {
    if (deep.tlsInfo !== null) this.labelParts.release(deep.tlsInfo.attributes);
    deep.tlsHandshakeSeconds = null;
    deep.certExpiry = null;
    deep.tlsInfo = null;
  }

  observeSchedulerLag(lagMs: number): void {
    this.gateway.schedulerLag.value.observe(lagMs / 1000);
  }

  setInFlight(n: number): void {
    this.gateway.inFlight.value = n;
  }

  setInFlightLimit(n: number): void {
    this.gateway.inFlightLimit.value = n;
  }

  /** A slot the gateway did not keep: skipped (`overlap`, `queued`) or started late. */
  countMissedSlot(reason: MissedSlotReason): void {
    this.gateway.skipped[MISSED_SLOT_REASONS.indexOf(reason)]!.value += 1;
  }

  /** A number point; histograms have HistogramPoint. */
  private livePoint(startTime: HrTime, attributes: Attributes, value: number): LivePoint<number> {
    return { startTime, endTime: this.collectedAt, attributes, value };
  }

  /** New label values for every series of the probe; values and start times stay. */
  private relabel(probe: ProbeState, attributes: Attributes): void {
    this.releaseParts(probe);
    probe.attributes = attributes;
    for (const point of [probe.availability, probe.consecutiveFailures, probe.connectSeconds, probe.dnsSeconds, probe.lastCheck, probe.connectDuration]) {
      if (point !== null) point.attributes = attributes;
    }
    probe.checks.forEach((point, outcome) => {
      if (point !== undefined) point.attributes = this.checkAttributes(attributes, CHECK_OUTCOMES[outcome]!);
    });
    if (probe.info !== null) probe.info.attributes = this.infoAttributes(probe);
    const deep = probe.deep;
    if (deep !== null) {
      for (const point of [deep.tlsHandshakeSeconds, deep.certExpiry, deep.responseSeconds]) {
        if (point !== null) point.attributes = attributes;
      }
      if (deep.tlsInfo !== null) deep.tlsInfo.attributes = this.tlsInfoAttributes(attributes, deep.tlsInfo.attributes as unknown as TlsInfoLabels);
    }
  }

  /** Every shared label part the probe's series hold, once each (see SharedLabelParts). */
  private releaseParts(probe: ProbeState): void {
    for (const point of probe.checks) if (point !== undefined) this.labelParts.release(point.attributes);
    if (probe.info !== null) this.labelParts.release(probe.info.attributes);
    if (probe.deep?.tlsInfo != null) this.labelParts.release(probe.deep.tlsInfo.attributes);
  }

  private checkAttributes(attributes: Attributes, result: CheckOutcome): Attributes {
    const labels = attributes as unknown as ProbeMetricLabels;
    return prerenderLabels({
      gateway: labels.gateway,
      server: labels.server,
      server_id: labels.server_id,
      probe: labels.probe,
      probe_id: labels.probe_id,
      target: labels.target,
      role: labels.role,
      site: labels.site,
      result,
      [LABEL_BLOCK]: undefined,
      [ADDED_LABELS]: undefined,
    }, attributes, this.labelParts);
  }

  /** An IPv6 connection has no IPv4: actual_ipv4 is then empty, which Prometheus reads as "not set". */
  private infoAttributes(probe: ProbeState): Attributes {
    const labels = probe.attributes as unknown as ProbeMetricLabels;
    return prerenderLabels({
      gateway: labels.gateway,
      server: labels.server,
      server_id: labels.server_id,
      probe: labels.probe,
      probe_id: labels.probe_id,
      target: labels.target,
      role: labels.role,
      site: labels.site,
      actual_host: probe.actualHost ?? '',
      actual_ipv4: probe.actualIpv4 ?? '',
      [LABEL_BLOCK]: undefined,
      [ADDED_LABELS]: undefined,
    }, probe.attributes, this.labelParts);
  }

  /** The probe's labels and the handshake's; the added part is shared by the probes of one certificate and cipher. */
  private tlsInfoAttributes(attributes: Attributes, tls: TlsInfoLabels): Attributes {
    const labels = attributes as unknown as ProbeMetricLabels;
    return prerenderLabels({
      gateway: labels.gateway,
      server: labels.server,
      server_id: labels.server_id,
      probe: labels.probe,
      probe_id: labels.probe_id,
      target: labels.target,
      role: labels.role,
      site: labels.site,
      tls_version: tls.tls_version,
      cipher: tls.cipher,
      subject: tls.subject,
      issuer: tls.issuer,
      fingerprint_sha256: tls.fingerprint_sha256,
      [LABEL_BLOCK]: undefined,
      [ADDED_LABELS]: undefined,
    }, attributes, this.labelParts);
  }

  /**
   * MetricProducer: the current state as OTel metric data.
   *
   * The data points handed out are the live series objects, not copies: at 50k probes a scrape
   * has ~390k points, and copying them took 270-900 ms and made most of the scrape's garbage,
   * where handing out references takes tens of ms. The price is that a point may move on after
   * collect() returns; that is harmless for cumulative data read once, as the text serializer
   * does, and it never reads one histogram across two event-loop turns.
   */
  async collect(): Promise<CollectionResult> {
    [this.collectedAt[0], this.collectedAt[1]] = hrNow();
    const availability: DataPoint<number>[] = [];
    const consecutiveFailures: DataPoint<number>[] = [];
    const connectSeconds: DataPoint<number>[] = [];
    const connectDuration: DataPoint<Histogram>[] = [];
    const dnsSeconds: DataPoint<number>[] = [];
    const checks: DataPoint<number>[] = [];
    const lastCheck: DataPoint<number>[] = [];
    const info: DataPoint<number>[] = [];
    const tlsHandshakeSeconds: DataPoint<number>[] = [];
    const certExpiry: DataPoint<number>[] = [];
    const tlsInfo: DataPoint<number>[] = [];
    const responseSeconds: DataPoint<number>[] = [];
    const add = <T>(points: DataPoint<T>[], point: LivePoint<T> | null | undefined) => {
      if (point != null) points.push(point);
    };

    let sinceTurn = 0;
    // Map iteration stays valid across the turns: a probe removed meanwhile is skipped, one added is visited.
    for (const probe of this.probes.values()) {
      if (++sinceTurn === PROBES_PER_TURN) {
        sinceTurn = 0;
        await nextTurn();
      }
      if (probe.active) {
        add(availability, probe.availability);
        add(consecutiveFailures, probe.consecutiveFailures);
        add(connectSeconds, probe.connectSeconds);
        add(dnsSeconds, probe.dnsSeconds);
      }
      add(connectDuration, probe.connectDuration);
      for (const point of probe.checks) add(checks, point);
      add(lastCheck, probe.lastCheck);
      add(info, probe.info);
      const deep = probe.deep;
      if (deep !== null) {
        if (probe.active) {
          add(tlsHandshakeSeconds, deep.tlsHandshakeSeconds);
          add(responseSeconds, deep.responseSeconds);
        }
        add(certExpiry, deep.certExpiry);
        add(tlsInfo, deep.tlsInfo);
      }
    }
    const gateway = this.gateway;

    const metrics: MetricData[] = [
      gauge('tcpprobe_availability', "1 when the latest check connected within its timeout, 0 when it failed; absent outside the probe's window and before its first check.", availability),
      gauge('tcpprobe_consecutive_failures', "Failed checks in a row, 0 after a success; absent outside the probe's window and before its first check.", consecutiveFailures),
      gauge('tcpprobe_connect_seconds', 'Connect time of the latest successful check.', connectSeconds),
      histogram('tcpprobe_connect_duration_seconds', 'Connect times of successful checks.', connectDuration),
      gauge('tcpprobe_dns_lookup_seconds', 'Name resolution time of the latest check; absent when it resolved nothing.', dnsSeconds),
      counter('tcpprobe_checks_total', 'Checks run, by result: success or the failure reason (each reason from its first occurrence).', checks),
      gauge('tcpprobe_last_check_timestamp_seconds', 'Start of the latest check, Unix time.', lastCheck),
      gauge('tcpprobe_info', 'The name (after CNAMEs) and IPv4 address the latest resolving check connected to.', info),
      gauge('tcpprobe_tls_handshake_seconds', "TLS handshake time of the latest check that completed one; absent outside the probe's window and for probes without TLS.", tlsHandshakeSeconds),
      gauge('tcpprobe_tls_cert_expiry_timestamp_seconds', 'When the first certificate of the chain the target presented at the latest handshake expires (earliest notAfter), Unix time.', certExpiry),
      gauge('tcpprobe_tls_info', 'The TLS version, cipher and leaf certificate (subject, issuer, SHA-256 fingerprint) of the latest handshake; 1.', tlsInfo),
      gauge('tcpprobe_response_seconds', "Time from connected to the last expect of the dialogue matched, of the latest check that matched them all; absent outside the probe's window.", responseSeconds),
      histogram('tcpprobe_scheduler_lag_seconds', 'How late checks started after they were due.', [gateway.schedulerLag]),
      gauge('tcpprobe_checks_in_flight', 'Checks running now.', [gateway.inFlight]),
      gauge('tcpprobe_checks_in_flight_limit', 'Checks that may run at once (GATEWAY_MAX_IN_FLIGHT, or sized to the open-file limit and memory); due checks beyond it wait.', [gateway.inFlightLimit]),
      gauge('tcpprobe_probes_configured', 'Probes this gateway knows, inside their window or not.', [gateway.configured]),
      counter('tcpprobe_scheduler_skipped_total', "Slots not kept, by reason: skipped as the probe's previous check still ran (overlap) or still waited for an in-flight slot (queued), or started late (late).", gateway.skipped),
    ];
    return { resourceMetrics: { resource: NO_RESOURCE, scopeMetrics: [{ scope: SCOPE, metrics }] }, errors: [] };
  }
}

// A probe's checks array starts as [success]: success must be the first outcome.
if (CHECK_OUTCOMES[0] !== 'success') throw new Error('CHECK_OUTCOMES must start with success');

/**
 * The probe's series attributes (this, and the class's checkAttributes, infoAttributes and tlsInfoAttributes). Each is made once per
 * label change and kept, with its label block prerendered, so scrapes only copy bytes; the variants share the
 * probe's block.
 *
 * All four are written out as literals in a fixed key order (key order is label order), the block's
 * slots included: at 50k probes, an object spread (`{ ...attributes, result }`) made a dictionary-mode
 * object of ~500 bytes where the literal takes ~60.
 */
function labelAttributes(labels: ProbeMetricLabels): Attributes {
  // A copy: the caller's object may change later.
  return prerenderLabels({
    gateway: labels.gateway,
    server: labels.server,
    server_id: labels.server_id,
    probe: labels.probe,
    probe_id: labels.probe_id,
    target: labels.target,
    role: labels.role,
    site: labels.site,
    [LABEL_BLOCK]: undefined,
    [ADDED_LABELS]: undefined,
  });
}

/** The added labels of tcpprobe_tls_info, as its attributes hold them. */
interface TlsInfoLabels {
  tls_version: string;
  cipher: string;
  subject: string;
  issuer: string;
  fingerprint_sha256: string;
}

function tlsInfoLabels(tls: TlsDetails): TlsInfoLabels {
  return { tls_version: tls.protocol, cipher: tls.cipher, subject: tls.subject, issuer: tls.issuer, fingerprint_sha256: tls.fingerprintSha256 };
}

function sameTlsInfo(attributes: Attributes, tls: TlsDetails): boolean {
  return attributes.tls_version === tls.protocol && attributes.cipher === tls.cipher && attributes.subject === tls.subject
    && attributes.issuer === tls.issuer && attributes.fingerprint_sha256 === tls.fingerprintSha256;
}

function sameLabels(attributes: Attributes, labels: ProbeMetricLabels): boolean {
  return (Object.keys(labels) as (keyof ProbeMetricLabels)[]).every((key) => attributes[key] === labels[key]);
}

function hrNow(): HrTime {
  const ms = Date.now();
  return [Math.floor(ms / 1000), (ms % 1000) * 1e6];
}


function descriptor(name: string, description: string) {
  // Units are carried by the names (`_seconds`), as Prometheus wants; the OTel unit would not be exported anyway.
  return { name, description, unit: '', valueType: ValueType.DOUBLE };
}

function gauge(name: string, description: string, dataPoints: DataPoint<number>[]): GaugeMetricData {
  return { descriptor: descriptor(name, description), aggregationTemporality: AggregationTemporality.CUMULATIVE, dataPointType: DataPointType.GAUGE, dataPoints };
}

function counter(name: string, description: string, dataPoints: DataPoint<number>[]): SumMetricData {
  return {
    descriptor: descriptor(name, description),
    aggregationTemporality: AggregationTemporality.CUMULATIVE,
    dataPointType: DataPointType.SUM,
    isMonotonic: true,
    dataPoints,
  };
}

function histogram(name: string, description: string, dataPoints: DataPoint<Histogram>[]): HistogramMetricData {
  return { descriptor: descriptor(name, description), aggregationTemporality: AggregationTemporality.CUMULATIVE, dataPointType: DataPointType.HISTOGRAM, dataPoints };
}
