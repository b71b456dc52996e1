import request from 'supertest';
import { startTestApp, TestApp } from '../support/test-app.js';

describe('apps and API keys (e2e)', () => {
  let t: TestApp;
  const admin = () => ({ Authorization: `Bearer ${t.adminToken}` });

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  it('creates an app and returns its key and secret once', async () => {
    const res = await request(t.baseUrl).post('/internal/apps').set(admin()).send({ name: 'Acme CRM' }).expect(201);
    expect(res.body).toMatchObject({ name: 'Acme CRM', is_active: true });
    expect(res.body.api_key).toMatch(/^ctk_[A-Za-z0-9]{40}$/);
    expect(res.body.webhook_secret).toMatch(/^whsec_/);
    const me = await request(t.baseUrl).get('/api/me').set('x-app-api-key', res.body.api_key).expect(200);
    expect(me.body).toEqual({ app_id: res.body.id, name: 'Acme CRM' });
    const list = await request(t.baseUrl).get('/internal/apps').set(admin()).expect(200);
    expect(JSON.stringify(list.body)).not.toContain(res.body.api_key);
  });

  it('rotates: the old key is refused at once', async () => {
    const created = (await request(t.baseUrl).post('/internal/apps').set(admin()).send({ name: 'Rotate me' }).expect(201)).body;
    const rotated = await request(t.baseUrl).post(`/internal/apps/${created.id}/api-key`).set(admin()).send({}).expect(201);
    expect(rotated.body.api_key).not.toBe(created.api_key);
    await request(t.baseUrl).get('/api/me').set('x-app-api-key', created.api_key).expect(401);
    await request(t.baseUrl).get('/api/me').set('x-app-api-key', rotated.body.api_key).expect(200);
  });
});
