// /api/v1/servers/{id}/probes and /api/v1/probes/{id}: probes.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ErrorResponses, IdParams, Page } from '../schemas/common.js';
import { Probe, ProbeInput, ProbePatch, ProbeQuery } from '../schemas/probe.js';
import { editor, type ApiOptions } from './context.js';

const tags = ['probes'];

export const probeRoutes: FastifyPluginAsyncTypebox<ApiOptions> = async (app, { service }) => {
  app.get('/servers/:id/probes', {
    schema: { tags, summary: "List a server's probes", params: IdParams, querystring: ProbeQuery, response: { 200: Page(Probe), ...ErrorResponses } },
  }, async (request) => {
    await service.store.servers.get(request.params.id); // 404 for an unknown server rather than an empty page
    return service.store.probes.list(request.params.id, request.query);
  });

  app.post('/servers/:id/probes', {
    schema: { tags, summary: 'Add a probe to a server', params: IdParams, body: ProbeInput, response: { 201: Probe, ...ErrorResponses } },
  }, async (request, reply) =>
    reply.status(201).send(await service.createProbe(request.params.id, request.body, editor(request, request.body.owner))));

  app.get('/probes/:id', {
    schema: { tags, summary: 'Get a probe with its latest result', params: IdParams, response: { 200: Probe, ...ErrorResponses } },
  }, async (request) => service.store.probes.get(request.params.id));

  app.put('/probes/:id', {
    schema: { tags, summary: 'Replace a probe (fields left out take their defaults)', params: IdParams, body: ProbeInput, response: { 200: Probe, ...ErrorResponses } },
  }, async (request) => service.replaceProbe(request.params.id, request.body, editor(request, request.body.owner)));

  app.patch('/probes/:id', {
    schema: { tags, summary: 'Change some fields of a probe', params: IdParams, body: ProbePatch, response: { 200: Probe, ...ErrorResponses } },
  }, async (request) => service.patchProbe(request.params.id, request.body, editor(request, request.body.owner)));

  app.delete('/probes/:id', {
    schema: { tags, summary: 'Delete a probe', params: IdParams, response: { 204: { type: 'null' }, ...ErrorResponses } },
  }, async (request, reply) => {
    await service.deleteProbe(request.params.id);
    return reply.status(204).send(null);
  });
};
