// Schedules through the real HTTP API and a real SQLite file.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { snapshot } from '../helpers/snapshot.js';

let gw: TestGateway;
beforeAll(async () => { gw = await startTestGateway(); });
afterAll(async () => { await gw.dispose(); });

const officeHours = {
  name: 'office-hours',
  description: 'Weekdays in Berlin, plus the Friday night batch window',
  timeZone: 'Europe/Berlin',
  windows: [
    { days: ['mon', 'tue', 'wed', 'thu', 'fri'], begin: '07:00', end: '19:00' },
    { days: ['fri'], begin: '22:00', end: '02:00' },
  ],
  exclusions: ['2026-12-24', '2026-12-31', '2028-02-29'],
};

describe('schedules', () => {
  it('creates a schedule with every field, and defaults for the rest', async () => {
    const full = await gw.api.withHeaders({ 'X-Grafana-User': 'alice' }).post('/api/v1/schedules', officeHours);
    expect(full.status).toBe(201);
    expect(full.body).toEqual({
      id: expect.any(Number), ...officeHours, version: 1,
      createdAt: expect.any(String), createdBy: 'alice', updatedAt: full.body.createdAt, updatedBy: 'alice',
    });
    expect((await gw.api.get(`/api/v1/schedules/${full.body.id}`)).body).toEqual(full.body);

    const minimal = await gw.api.post('/api/v1/schedules', { name: 'always-utc', timeZone: 'UTC' });
    expect(minimal.status).toBe(201);
    expect(minimal.body).toMatchObject({ name: 'always-utc', timeZone: 'UTC', description: null, windows: [], exclusions: [], createdBy: 'api' });
  });

  it('accepts any IANA zone and refuses names that are not one', async () => {
    for (const [index, timeZone] of ['America/Argentina/Buenos_Aires', 'Asia/Kolkata', 'Etc/GMT+5', 'Pacific/Chatham'].entries()) {
      const created = await gw.api.post('/api/v1/schedules', { name: `zone-${index}`, timeZone });
      expect(created.status, timeZone).toBe(201);
      expect(created.body.timeZone).toBe(timeZone);
    }
    const before = await snapshot(gw.api);
    for (const timeZone of ['Mars/Olympus_Mons', 'Europe/Berlinn', 'GMT+25', 'not a zone', '+01:00']) {
      const refused = await gw.api.post('/api/v1/schedules', { name: 'bad-zone', timeZone });
      expect(refused.status, timeZone).toBe(400);
      expect(refused.body.field).toBe('timeZone');
      expect(refused.body.message).toMatch(/not an IANA time zone|must be/);
    }
    expect(await snapshot(gw.api)).toEqual(before);
  });

  it('lists with search and paging, ordered by name', async () => {
    for (const name of ['list-c', 'List-a', 'list-b']) await gw.api.post('/api/v1/schedules', { name, timeZone: 'UTC', description: name === 'list-b' ? 'maintenance Sundays' : null });
    const all = await gw.api.get('/api/v1/schedules?q=list-');
    expect(all.body).toMatchObject({ total: 3, limit: 100, offset: 0 });
    expect(all.body.items.map((s: any) => s.name)).toEqual(['List-a', 'list-b', 'list-c']);
    expect((await gw.api.get('/api/v1/schedules?q=SUNDAYS')).body.items.map((s: any) => s.name)).toEqual(['list-b']);
    const page = await gw.api.get('/api/v1/schedules?q=list-&limit=1&offset=1');
    expect(page.body).toMatchObject({ total: 3, limit: 1, offset: 1 });
    expect(page.body.items.map((s: any) => s.name)).toEqual(['list-b']);
  });

  it('replaces with PUT (versioned), and refuses a stale version', async () => {
    const created = (await gw.api.post('/api/v1/schedules', { name: 'put-me', timeZone: 'UTC', exclusions: ['2026-01-01'] })).body;
    const put = await gw.api.withHeaders({ 'X-Grafana-User': 'bob' }).put(`/api/v1/schedules/${created.id}`, {
      name: 'put-me-renamed', timeZone: 'Asia/Tokyo', windows: [{ days: ['sat', 'sun'], begin: '00:00', end: '23:59' }], version: 1,
    });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({
      id: created.id, name: 'put-me-renamed', timeZone: 'Asia/Tokyo', exclusions: [], description: null,
      version: 2, createdBy: 'api', updatedBy: 'bob', createdAt: created.createdAt,
    });
    const stale = await gw.api.put(`/api/v1/schedules/${created.id}`, { name: 'put-me', timeZone: 'UTC', version: 1 });
    expect(stale).toMatchObject({ status: 409, body: { field: 'version' } });
    expect((await gw.api.get(`/api/v1/schedules/${created.id}`)).body).toMatchObject({ name: 'put-me-renamed', version: 2 });
  });

  it('keeps schedule names unique', async () => {
    await gw.api.post('/api/v1/schedules', { name: 'unique-schedule', timeZone: 'UTC' });
    const duplicate = await gw.api.post('/api/v1/schedules', { name: 'unique-schedule', timeZone: 'Europe/Paris' });
    expect(duplicate).toMatchObject({ status: 409, body: { field: 'name' } });
    expect((await gw.api.get('/api/v1/schedules?q=unique-schedule')).body.items).toHaveLength(1);
  });

  it('refuses bad calendar dates in exclusions', async () => {
    const refused = await gw.api.post('/api/v1/schedules', { name: 'bad-dates', timeZone: 'UTC', exclusions: ['2026-04-31'] });
    expect(refused).toMatchObject({ status: 400, body: { field: 'exclusions[0]' } });
    expect((await gw.api.get('/api/v1/schedules?q=bad-dates')).body.total).toBe(0);
  });

  it('deletes a schedule no probe uses', async () => {
    const created = (await gw.api.post('/api/v1/schedules', { name: 'delete-me', timeZone: 'UTC' })).body;
    const deleted = await gw.api.delete(`/api/v1/schedules/${created.id}`);
    expect(deleted.status).toBe(204);
    expect((await gw.api.get(`/api/v1/schedules/${created.id}`)).status).toBe(404);
    expect((await gw.api.delete(`/api/v1/schedules/${created.id}`)).status).toBe(404);
  });

  it('refuses to delete a schedule in use (409) and deletes nothing', async () => {
    const schedule = (await gw.api.post('/api/v1/schedules', { name: 'in-use', timeZone: 'Europe/London', windows: [{ days: ['mon'], begin: '09:00', end: '17:00' }] })).body;
    const server = (await gw.api.post('/api/v1/servers', { name: 'schedule-user' })).body;
    const probes = [];
    for (const name of ['one', 'two']) probes.push((await gw.api.post(`/api/v1/servers/${server.id}/probes`, { name, host: '127.0.0.1', port: 22, scheduleId: schedule.id })).body);

    const before = await snapshot(gw.api);
    const refused = await gw.api.delete(`/api/v1/schedules/${schedule.id}`);
    expect(refused.status).toBe(409);
    expect(refused.body.message).toMatch(/used by 2 probe\(s\)/);
    expect(await snapshot(gw.api)).toEqual(before);
    expect((await gw.api.get(`/api/v1/schedules/${schedule.id}`)).body).toEqual(schedule);
    for (const probe of probes) expect((await gw.api.get(`/api/v1/probes/${probe.id}`)).body.scheduleId).toBe(schedule.id);

    // Once no probe uses it any more, it can go.
    await gw.api.patch(`/api/v1/probes/${probes[0].id}`, { scheduleId: null });
    expect((await gw.api.delete(`/api/v1/schedules/${schedule.id}`)).body.message).toMatch(/used by 1 probe/);
    await gw.api.delete(`/api/v1/probes/${probes[1].id}`);
    expect((await gw.api.delete(`/api/v1/schedules/${schedule.id}`)).status).toBe(204);
  });

  it('a schedule used by the probes of a deleted server can be deleted afterwards', async () => {
    const schedule = (await gw.api.post('/api/v1/schedules', { name: 'orphaned', timeZone: 'UTC' })).body;
    const server = (await gw.api.post('/api/v1/servers', { name: 'short-lived' })).body;
    await gw.api.post(`/api/v1/servers/${server.id}/probes`, { name: 'p', host: '127.0.0.1', port: 22, scheduleId: schedule.id });
    expect((await gw.api.delete(`/api/v1/schedules/${schedule.id}`)).status).toBe(409);
    expect((await gw.api.delete(`/api/v1/servers/${server.id}`)).body).toEqual({ deletedProbes: 1 });
    expect((await gw.api.delete(`/api/v1/schedules/${schedule.id}`)).status).toBe(204);
  });
});
