// The gateway's request and response shapes, taken as types from its schemas so a change there fails this typecheck.
// Type-only imports: nothing of the gateway ends up in the plugin bundle.
import type { CheckResultView, LocationStatus, ProbeStatus, TlsDetailsView } from '../../../gateway/src/schemas/check.js';
import type { GatewayInfo, GatewayPatch } from '../../../gateway/src/schemas/gateway.js';
import type { ResultsQuery as ResultsQuerySchema } from '../../../gateway/src/schemas/probing.js';
import type { Probe } from '../../../gateway/src/schemas/probe.js';
import type { Static } from 'typebox';

export type { ErrorBody, FieldProblem } from '../../../gateway/src/schemas/common.js';
export type { Server as ProbeServer, ServerInput, ServerPatch, ServerQuery } from '../../../gateway/src/schemas/server.js';
export type { DialogueStepInput, Probe, ProbeInput, ProbePatch, ProbeQuery, TlsSettingsInput } from '../../../gateway/src/schemas/probe.js';
export type { Schedule, ScheduleInput, ScheduleQuery } from '../../../gateway/src/schemas/schedule.js';
export type { Threshold } from '../../../gateway/src/schemas/threshold.js';
export type { CheckInput, StatusQuery } from '../../../gateway/src/schemas/probing.js';
export type { CertSummary, SharedAccount, SharedAccountInput, SecretField as AccountSecret } from '../../../gateway/src/schemas/shared-account.js';
export type { CheckResultView as CheckResult, GatewayInfo, GatewayPatch, LocationStatus, ProbeStatus, TlsDetailsView };
export type { IpVersion, TlsVersion } from '../../../gateway/src/probing/types.js';

/** A probe's TLS settings as read (null: plain TCP). */
export type ProbeTls = NonNullable<Probe['tls']>;
/** One dialogue step as read: exactly one of send (with its encoding), expect, startTls. */
export type DialogueStep = NonNullable<Probe['dialogue']>[number];
/** One line of a dialogue's transcript (Test connection and runs only). */
export type TranscriptEntry = NonNullable<CheckResultView['transcript']>[number];

/** online: heard from within a minute; offline: silent longer; never_seen: only named by servers. */
export type GatewayState = GatewayInfo['state'];

/** GET /api/v1/probes/{id}/results: `limit`, and `gateway` for one location's results. */
export type ResultsQuery = Static<typeof ResultsQuerySchema>;

/** One page of a list endpoint. */
export interface Page<T> {
  items: T[];
  /** Matching objects across all pages. */
  total: number;
  limit: number;
  offset: number;
}

export type ProbeState = ProbeStatus['state'];

/** GET /api/v1/status */
export interface StatusResponse {
  summary: Record<ProbeState, number>;
  items: ProbeStatus[];
}

/** GET /api/v1/probes/{id}/results, newest first. */
export interface ResultsResponse {
  items: CheckResultView[];
}

/** GET /api/v1/gateways */
export interface GatewaysResponse {
  items: GatewayInfo[];
}

/** DELETE /api/v1/servers/{id} */
export interface DeleteServerResponse {
  deletedProbes: number;
}

/** GET /readyz: 200 when ready, 503 with status "starting" otherwise. */
export interface Readiness {
  status: 'ready' | 'starting';
  store: 'ok' | 'unavailable';
}
