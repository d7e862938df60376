// /api/v1/check, /api/v1/probes/{id}/run, /api/v1/status, /api/v1/probes/{id}/results: probing on demand and its results.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ErrorResponses, IdParams } from '../schemas/common.js';
import { CheckResultSchema } from '../schemas/check.js';
import { CheckInput, ResultsQuery, ResultsResponse, StatusQuery, StatusResponse } from '../schemas/probing.js';
import { DEFAULT_CONNECT_TIMEOUT_MS } from '../schemas/server.js';
import { ValidationError } from '../domain/errors.js';
import { HOST_RULE, ruleMessage } from '../domain/field-rules.js';
import { isValidHost } from '../domain/targets.js';
import { deepCheckProblems } from '../domain/validate.js';
import { dialogueValues, tlsValues } from '../domain/values.js';
import type { ProbeEngine } from '../engine/probe-engine.js';
import type { ApiOptions } from './context.js';

const tags = ['probing'];

export const probingRoutes: FastifyPluginAsyncTypebox<ApiOptions & { engine: ProbeEngine }> = async (app, { service, engine }) => {
  app.post('/check', {
    schema: { tags, summary: 'Run one check without saving anything ("Test connection")', body: CheckInput, response: { 200: CheckResultSchema, ...ErrorResponses } },
  }, async (request) => {
    const { host, port, timeoutMs, networkInterface, serverId } = request.body;
    if (!isValidHost(host)) throw new ValidationError([{ field: 'host', message: ruleMessage(HOST_RULE.rule) }]);
    if (service.allowlist.verdict(host) === 'denied') {
      throw new ValidationError([{ field: 'host', message: `"${host}" is outside the targets this gateway may probe (GATEWAY_ALLOWED_TARGETS=${service.allowlist.spec})` }]);
    }
    // The rules of a probe's fields, so what tests fine here saves fine.
    const tls = tlsValues(request.body.tls);
    const dialogue = dialogueValues(request.body.dialogue);
    const ipVersion = request.body.ipVersion ?? 'auto';
    const problems = deepCheckProblems({ host, tls, ipVersion });
    if (problems.length > 0) throw new ValidationError(problems);
    const server = serverId === undefined ? null : await service.store.servers.get(serverId);
    return engine.checkOnce({
      host,
      port,
      timeoutMs: timeoutMs ?? server?.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
      networkInterface: networkInterface !== undefined ? networkInterface : server?.networkInterface ?? null,
      ipVersion,
      tls,
      dialogue,
    }, server?.sharedAccount ?? null);
  });

  app.post('/probes/:id/run', {
    schema: { tags, summary: 'Run a stored probe now and return its result', params: IdParams, response: { 200: CheckResultSchema, ...ErrorResponses } },
  }, async (request) => engine.runProbe(request.params.id));

  app.get('/status', {
    schema: {
      tags,
      summary: 'The latest state of every probe (or of one server, probe or location) at each of its locations and over all, why it has none, and when it is checked next',
      querystring: StatusQuery,
      response: { 200: StatusResponse, ...ErrorResponses },
    },
  }, async (request) => {
    const { serverId, probeId, state, gateway } = request.query;
    const all = await engine.status({ serverId, probeId, gateway });
    const summary = { up: 0, down: 0, nodata: 0, disabled: 0 };
    for (const item of all) summary[item.state]++;
    return { summary, items: state === undefined ? all : all.filter((s) => s.state === state) };
  });

  app.get('/probes/:id/results', {
    schema: {
      tags,
      summary: "Recent results of a probe, newest first: this gateway's own and each other location's latest",
      params: IdParams,
      querystring: ResultsQuery,
      response: { 200: ResultsResponse, ...ErrorResponses },
    },
  }, async (request) => ({ items: await engine.results(request.params.id, request.query) }));
};
