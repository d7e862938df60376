// Schedules (weekly windows in a time zone): /api/v1/schedules.
import { gatewayRequest } from './client';
import type { Page, Schedule, ScheduleInput, ScheduleQuery } from './types';

export function listSchedules(query: ScheduleQuery = {}): Promise<Page<Schedule>> {
  return gatewayRequest('/api/v1/schedules', { query: { ...query } });
}

export function getSchedule(id: number): Promise<Schedule> {
  return gatewayRequest(`/api/v1/schedules/${id}`);
}

export function createSchedule(input: ScheduleInput): Promise<Schedule> {
  return gatewayRequest('/api/v1/schedules', { method: 'POST', body: input });
}

/** Replaces the schedule; send the `version` you loaded to get 409 instead of overwriting someone else's change. */
export function replaceSchedule(id: number, input: ScheduleInput): Promise<Schedule> {
  return gatewayRequest(`/api/v1/schedules/${id}`, { method: 'PUT', body: input });
}

export async function deleteSchedule(id: number): Promise<void> {
  await gatewayRequest<unknown>(`/api/v1/schedules/${id}`, { method: 'DELETE' });
}
