// Checks on demand and their results: /api/v1/check, /probes/{id}/run, /status, /probes/{id}/results.
import { gatewayRequest } from './client';
import type { CheckInput, CheckResult, ResultsQuery, ResultsResponse, StatusQuery, StatusResponse } from './types';

/** One check of any target without saving it: the "Test connection" button. */
export function checkTarget(input: CheckInput): Promise<CheckResult> {
  return gatewayRequest('/api/v1/check', { method: 'POST', body: input });
}

/** Runs a stored probe now and returns its result. */
export function runProbe(id: number): Promise<CheckResult> {
  return gatewayRequest(`/api/v1/probes/${id}/run`, { method: 'POST' });
}

/** The latest state of every probe (up, down, nodata, disabled) over its locations, optionally of one server, probe, state or location. */
export function getStatus(query: StatusQuery = {}): Promise<StatusResponse> {
  return gatewayRequest('/api/v1/status', { query: { ...query } });
}

/** A probe's recent results, newest first; each names the gateway (location) that checked. */
export function getProbeResults(id: number, query: ResultsQuery = {}): Promise<ResultsResponse> {
  return gatewayRequest(`/api/v1/probes/${id}/results`, { query: { ...query } });
}
