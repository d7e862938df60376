// /api/v1/schedules: named weekly windows with exclusions.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ErrorResponses, IdParams, Page } from '../schemas/common.js';
import { Schedule, ScheduleInput, ScheduleQuery } from '../schemas/schedule.js';
import { editor, type ApiOptions } from './context.js';

const tags = ['schedules'];

export const scheduleRoutes: FastifyPluginAsyncTypebox<ApiOptions> = async (app, { service }) => {
  app.get('/schedules', {
    schema: { tags, summary: 'List schedules', querystring: ScheduleQuery, response: { 200: Page(Schedule), ...ErrorResponses } },
  }, async (request) => service.store.schedules.list(request.query));

  app.post('/schedules', {
    schema: { tags, summary: 'Create a schedule', body: ScheduleInput, response: { 201: Schedule, ...ErrorResponses } },
  }, async (request, reply) => reply.status(201).send(await service.createSchedule(request.body, editor(request))));

  app.get('/schedules/:id', {
    schema: { tags, summary: 'Get a schedule', params: IdParams, response: { 200: Schedule, ...ErrorResponses } },
  }, async (request) => service.store.schedules.get(request.params.id));

  app.put('/schedules/:id', {
    schema: { tags, summary: 'Replace a schedule', params: IdParams, body: ScheduleInput, response: { 200: Schedule, ...ErrorResponses } },
  }, async (request) => service.replaceSchedule(request.params.id, request.body, editor(request)));

  app.delete('/schedules/:id', {
    schema: { tags, summary: 'Delete a schedule no probe uses', params: IdParams, response: { 204: { type: 'null' }, ...ErrorResponses } },
  }, async (request, reply) => {
    await service.deleteSchedule(request.params.id);
    return reply.status(204).send(null);
  });
};
