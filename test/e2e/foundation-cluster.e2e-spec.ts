import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { pollUntil } from '../support/http-expect.js';
import { startTestApp, TestApp } from '../support/test-app.js';

/**
 * Two nodes over the same PostgreSQL database and Redis namespace: a key change
 * made through one node must reach the other node's key cache at once.
 */
describe('foundation: API key cache invalidation across nodes (e2e)', () => {
  let a: TestApp;
  let b: TestApp;
  const admin = () => ({ Authorization: `Bearer ${a.adminToken}` });
  const meOn = (node: TestApp, key: string) => request(node.baseUrl).get('/api/me').set('x-app-api-key', key);
  const createApp = async (name: string) =>
    (await request(a.baseUrl).post('/internal/apps').set(admin()).send({ name }).expect(201)).body as { id: string; api_key: string };
  /** Polls node B until it answers `status` for `key`; fails after 200 ms. */
  const refusedOnBWithin200ms = async (key: string, status: number) =>
    pollUntil(async () => (await meOn(b, key)).status === status, 200, 5);

  beforeAll(async () => {
    const shared = {
      REDIS_KEY_PREFIX: `tc${randomBytes(4).toString('hex')}:`,
      INTERNAL_JWT_SECRET: randomBytes(32).toString('base64url'),
      ENCRYPTION_KEY: randomBytes(32).toString('hex'),
      // long enough that only an invalidation (never expiry) can explain a refusal
      API_KEY_CACHE_TTL_SECONDS: '600',
    };
    a = await startTestApp(shared);
    b = await startTestApp(shared, a.db);
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
  });

  it('both nodes share the database and accept each other’s admin tokens', async () => {
    const app = await createApp('Shared');
    const onB = await request(b.baseUrl).get(`/internal/apps/${app.id}`).set('Authorization', `Bearer ${b.adminToken}`).expect(200);
    expect(onB.body.name).toBe('Shared');
    await request(b.baseUrl).get(`/internal/apps/${app.id}`).set(admin()).expect(200);
    expect((await meOn(b, app.api_key).expect(200)).body).toEqual({ app_id: app.id, name: 'Shared' });
  });

  it('rotation on node A: node B (with the old key cached) refuses it within 200 ms and accepts the new one', async () => {
    const app = await createApp('Rotate across');
    // warm node B's cache
    await meOn(b, app.api_key).expect(200);
    await meOn(b, app.api_key).expect(200);
    const rotated = await request(a.baseUrl).post(`/internal/apps/${app.id}/api-key`).set(admin()).send({}).expect(201);
    const elapsed = await refusedOnBWithin200ms(app.api_key, 401);
    expect(elapsed).toBeLessThanOrEqual(200);
    await meOn(b, rotated.body.api_key).expect(200);
    await meOn(a, app.api_key).expect(401);
  });

  it('revocation on node A reaches node B within 200 ms', async () => {
    const app = await createApp('Revoke across');
    await meOn(b, app.api_key).expect(200);
    await request(a.baseUrl).post(`/internal/apps/${app.id}/api-key/revoke`).set(admin()).expect(200);
    await refusedOnBWithin200ms(app.api_key, 401);
  });

  it('deactivation on node A reaches node B within 200 ms (403), reactivation too (200)', async () => {
    const app = await createApp('Deactivate across');
    await meOn(b, app.api_key).expect(200);
    await request(a.baseUrl).patch(`/internal/apps/${app.id}`).set(admin()).send({ is_active: false }).expect(200);
    await refusedOnBWithin200ms(app.api_key, 403);
    await request(a.baseUrl).patch(`/internal/apps/${app.id}`).set(admin()).send({ is_active: true }).expect(200);
    await refusedOnBWithin200ms(app.api_key, 200);
  });

  it('a change made on node B reaches node A too', async () => {
    const app = await createApp('Both ways');
    await meOn(a, app.api_key).expect(200);
    await request(b.baseUrl).post(`/internal/apps/${app.id}/api-key`).set('Authorization', `Bearer ${b.adminToken}`).send({}).expect(201);
    await pollUntil(async () => (await meOn(a, app.api_key)).status === 401, 200, 5);
  });

  it('invalidating one app leaves other apps working on node B', async () => {
    const one = await createApp('One');
    const other = await createApp('Other');
    await meOn(b, one.api_key).expect(200);
    await meOn(b, other.api_key).expect(200);
    await request(a.baseUrl).post(`/internal/apps/${one.id}/api-key/revoke`).set(admin()).expect(200);
    await refusedOnBWithin200ms(one.api_key, 401);
    await meOn(b, other.api_key).expect(200);
  });
});
