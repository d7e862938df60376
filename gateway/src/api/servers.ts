// /api/v1/servers: probe servers.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { ErrorResponses, IdParams, Page } from '../schemas/common.js';
import { Server, ServerInput, ServerPatch, ServerQuery } from '../schemas/server.js';
import { editor, type ApiOptions } from './context.js';

const tags = ['servers'];

export const serverRoutes: FastifyPluginAsyncTypebox<ApiOptions> = async (app, { service }) => {
  app.get('/servers', {
    schema: { tags, summary: 'List probe servers', querystring: ServerQuery, response: { 200: Page(Server), ...ErrorResponses } },
  }, async (request) => service.store.servers.list(request.query));

  app.post('/servers', {
    schema: { tags, summary: 'Create a probe server', body: ServerInput, response: { 201: Server, ...ErrorResponses } },
  }, async (request, reply) => reply.status(201).send(await service.createServer(request.body, editor(request, request.body.owner))));

  app.get('/servers/:id', {
    schema: { tags, summary: 'Get a probe server', params: IdParams, response: { 200: Server, ...ErrorResponses } },
  }, async (request) => service.store.servers.get(request.params.id));

  app.put('/servers/:id', {
    schema: { tags, summary: 'Replace a probe server (fields left out take their defaults)', params: IdParams, body: ServerInput, response: { 200: Server, ...ErrorResponses } },
  }, async (request) => service.replaceServer(request.params.id, request.body, editor(request, request.body.owner)));

  app.patch('/servers/:id', {
    schema: { tags, summary: 'Change some fields of a probe server', params: IdParams, body: ServerPatch, response: { 200: Server, ...ErrorResponses } },
  }, async (request) => service.patchServer(request.params.id, request.body, editor(request, request.body.owner)));

  app.delete('/servers/:id', {
    schema: {
      tags,
      summary: 'Delete a probe server and all its probes',
      params: IdParams,
      response: { 200: Type.Object({ deletedProbes: Type.Integer() }), ...ErrorResponses },
    },
  }, async (request) => ({ deletedProbes: (await service.deleteServer(request.params.id)).probeIds.length }));
};
