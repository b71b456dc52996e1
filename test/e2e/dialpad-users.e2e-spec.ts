import pg from 'pg';
import request from 'supertest';
import { adminAuth, connectDialpad, dialpadEnv } from '../support/dialpad.js';
import { FakeDialpad } from '../../demo/fakes/fake-dialpad.js';
import { errorText, expectErrorShape } from '../support/http-expect.js';
import { startTestApp, TestApp } from '../support/test-app.js';
import { CreatedApp, createApp } from '../support/webhooks.js';

describe('Dialpad users: sync with cursor pagination, user mapping by e-mail (e2e)', () => {
  let fake: FakeDialpad;
  let t: TestApp;
  let pool: pg.Pool;
  let app: CreatedApp;
  const sync = (appId: string) => request(t.baseUrl).post(`/internal/apps/${appId}/dialpad/sync-users`).set('Authorization', adminAuth(t));
  const countUsers = async (appId: string) => Number((await pool.query('SELECT count(*) AS n FROM dialpad_users WHERE app_id = $1', [appId])).rows[0].n);
  const batchMap = (appId: string, mappings: object[]) =>
    request(t.baseUrl).post(`/internal/apps/${appId}/users/batch-map`).set('Authorization', adminAuth(t)).send({ mappings });
  const mappingsOf = async (appId: string) =>
    (await pool.query('SELECT dialpad_user_id, crm_user_id, email FROM dialpad_user_mappings WHERE app_id = $1 ORDER BY crm_user_id', [appId])).rows;

  beforeAll(async () => {
    fake = await FakeDialpad.start({ users: 250 });
    t = await startTestApp(dialpadEnv(fake, { EVENT_PROCESSOR_ENABLED: 'false' }));
    pool = new pg.Pool({ connectionString: t.db.url, max: 2 });
    app = await createApp(t, 'Users');
    expect((await connectDialpad(t, fake, app.id)).status).toBe(200);
  });
  afterEach(() => fake.clearFailures());
  afterAll(async () => {
    await pool?.end();
    await t?.close();
    await fake?.close();
  });

  it('pulls every user in pages of at most 100, following the cursor', async () => {
    const before = fake.requestsTo('users').length;
    const res = await sync(app.id);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ synced: 250, pages: 3, removed: 0 });
    const pages = fake.requestsTo('users').slice(before);
    expect(pages.map((p) => p.query.limit)).toEqual(['100', '100', '100']);
    expect(pages[0]!.query.cursor).toBeUndefined();
    expect(pages[1]!.query.cursor).toBeTruthy();
    expect(pages[2]!.query.cursor).not.toBe(pages[1]!.query.cursor);
    expect(await countUsers(app.id)).toBe(250);

    const u = fake.users[41]!;
    const { rows } = await pool.query('SELECT * FROM dialpad_users WHERE app_id = $1 AND dialpad_user_id = $2', [app.id, u.id]);
    expect(rows[0]).toMatchObject({
      dialpad_user_id: u.id,
      first_name: u.first_name,
      last_name: 'Example',
      display_name: `${u.first_name} Example`,
      emails: u.emails,
      phone_numbers: u.phone_numbers,
      state: 'active',
    });
    const list = await request(t.baseUrl).get(`/internal/apps/${app.id}/dialpad/users`).query({ limit: 2 }).set('Authorization', adminAuth(t));
    expect(list.status).toBe(200);
    expect(list.body).toHaveLength(2);
    expect(Object.keys(list.body[0]).sort()).toEqual(['dialpad_user_id', 'display_name', 'emails', 'first_name', 'last_name', 'phone_numbers', 'state', 'synced_at']);
  });

  it('a resync updates changed users and removes those Dialpad no longer lists', async () => {
    await sync(app.id);
    const removed = fake.users.splice(240, 10);
    fake.users[0]!.emails = ['renamed@example.com'];
    const res = await sync(app.id);
    expect(res.body).toMatchObject({ synced: 240, pages: 3, removed: 10 });
    expect(await countUsers(app.id)).toBe(240);
    const { rows } = await pool.query('SELECT emails FROM dialpad_users WHERE app_id = $1 AND dialpad_user_id = $2', [app.id, fake.users[0]!.id]);
    expect(rows[0].emails).toEqual(['renamed@example.com']);
    fake.users.push(...removed);
    fake.users[0]!.emails = ['user1@example.com'];
    expect((await sync(app.id)).body).toMatchObject({ synced: 250, removed: 0 });
  });

  it('a sync that fails midway answers the error and removes nobody', async () => {
    await sync(app.id);
    const gone = fake.users.splice(0, 5);
    fake.setFailure('users', 'server_error', { after: 1 }); // page 1 answers, page 2 keeps failing
    expectErrorShape(await sync(app.id), 503);
    expect(await countUsers(app.id)).toBe(250);
    fake.clearFailures();
    expect((await sync(app.id)).body).toMatchObject({ synced: 245, removed: 5 });
    fake.users.unshift(...gone);
  });

  it('batch-map accepts dialpad_user_email in place of dialpad_user_id, resolved through the synced users', async () => {
    await sync(app.id);
    const target = await createApp(t, 'Users mapping');
    await pool.query(`UPDATE dialpad_connections SET dialpad_company_id = NULL WHERE app_id = $1`, [app.id]);
    expect((await connectDialpad(t, fake, target.id)).status).toBe(200);
    expect((await sync(target.id)).status).toBe(200);

    const [u10, u7] = [fake.users.find((u) => u.emails[0] === 'user10@example.com')!, fake.users[7]!];
    const res = await batchMap(target.id, [
      { dialpad_user_email: 'User10@Example.COM', crm_user_id: 'crm-10' },
      { dialpad_user_id: u7.id, crm_user_id: 'crm-7' },
    ]);
    expect(res.status).toBe(200);
    expect(res.body.count).toBe(2);
    expect(await mappingsOf(target.id)).toEqual([
      { dialpad_user_id: u10.id, crm_user_id: 'crm-10', email: 'user10@example.com' },
      { dialpad_user_id: u7.id, crm_user_id: 'crm-7', email: null },
    ]);

    // one mapping by e-mail through /users/map too
    const one = await request(t.baseUrl).post(`/internal/apps/${target.id}/users/map`).set('Authorization', adminAuth(t)).send({ dialpad_user_email: 'user11@example.com', crm_user_id: 'crm-11', email: 'crm@example.com' });
    expect(one.status).toBe(200);
    expect(one.body).toMatchObject({ dialpad_user_id: fake.users.find((u) => u.emails[0] === 'user11@example.com')!.id, crm_user_id: 'crm-11', email: 'crm@example.com' });
  });

  it('refuses unknown e-mails (naming the row), both or neither identifier, and duplicates — storing nothing', async () => {
    const target = await createApp(t, 'Mapping errors');
    // target has no synced users: app's users must not resolve here (tenant isolation)
    const unknown = await batchMap(target.id, [
      { dialpad_user_id: '123', crm_user_id: 'a' },
      { dialpad_user_email: 'user12@example.com', crm_user_id: 'b' },
      { dialpad_user_email: 'nobody@example.com', crm_user_id: 'c' },
    ]);
    expectErrorShape(unknown, 400);
    expect(errorText(unknown)).toContain('mappings.1.dialpad_user_email: no Dialpad user of this app has the e-mail user12@example.com');
    expect(errorText(unknown)).toContain('mappings.2.dialpad_user_email');
    expect(errorText(unknown)).not.toContain('mappings.0');
    expect(errorText(unknown)).toContain('sync-users');

    const both = await batchMap(app.id, [{ dialpad_user_id: '1', dialpad_user_email: 'user1@example.com', crm_user_id: 'x' }]);
    expectErrorShape(both, 400);
    expect(errorText(both)).toContain('mappings.0.dialpad_user_email: give either dialpad_user_id or dialpad_user_email, not both');

    const neither = await batchMap(app.id, [{ dialpad_user_id: '1', crm_user_id: 'x' }, { crm_user_id: 'y' }]);
    expectErrorShape(neither, 400);
    expect(errorText(neither)).toContain('mappings.1.dialpad_user_id');
    expect(errorText(neither)).toContain('dialpad_user_email');

    const badEmail = await batchMap(app.id, [{ dialpad_user_email: 'not-an-email', crm_user_id: 'x' }]);
    expectErrorShape(badEmail, 400);
    expect(errorText(badEmail)).toContain('mappings.0.dialpad_user_email');

    await sync(app.id);
    const dup = await batchMap(app.id, [
      { dialpad_user_id: fake.users[2]!.id, crm_user_id: 'x' },
      { dialpad_user_email: fake.users[2]!.emails[0], crm_user_id: 'y' },
    ]);
    expectErrorShape(dup, 400);
    expect(errorText(dup)).toContain('mappings.1.dialpad_user_email');
    expect(errorText(dup)).toContain('already given in mappings.0');

    const single = await request(t.baseUrl).post(`/internal/apps/${app.id}/users/map`).set('Authorization', adminAuth(t)).send({ dialpad_user_email: 'ghost@example.com', crm_user_id: 'x' });
    expectErrorShape(single, 400);
    expect(errorText(single)).toMatch(/^dialpad_user_email: no Dialpad user/);
    expect(await mappingsOf(target.id)).toEqual([]);
    expect((await mappingsOf(app.id)).filter((m) => ['x', 'y'].includes(m.crm_user_id))).toEqual([]);
  });

  it('an e-mail shared by two Dialpad users is ambiguous: 400 asking for the id', async () => {
    fake.users[20]!.emails = ['shared@example.com'];
    fake.users[21]!.emails = ['shared@example.com'];
    await sync(app.id);
    const res = await batchMap(app.id, [{ dialpad_user_email: 'shared@example.com', crm_user_id: 'z' }]);
    expectErrorShape(res, 400);
    expect(errorText(res)).toMatch(/belongs to 2 Dialpad users .*give dialpad_user_id/);
  });

  it('sync-users is admin-only and 404 for an unknown app', async () => {
    expectErrorShape(await request(t.baseUrl).post(`/internal/apps/${app.id}/dialpad/sync-users`).set('x-app-api-key', app.api_key), 401);
    expectErrorShape(await sync('7d6b1a8e-0a8b-4a55-9f3e-2a1c0d9e8f70'), 404);
  });
});
