import { createHash, randomUUID } from 'node:crypto';
import pg from 'pg';
import request from 'supertest';
import { SecretBox } from '../../src/infra/crypto/secret-box.js';
import { errorText, expectErrorShape, UUID_V4 } from '../support/http-expect.js';
import { startTestApp, TestApp } from '../support/test-app.js';

interface CreatedApp {
  id: string;
  name: string;
  is_active: boolean;
  api_key: string;
  api_key_prefix: string;
  webhook_secret: string;
  created_at: string;
  updated_at: string;
}

const APP_KEYS = ['api_key_prefix', 'created_at', 'id', 'is_active', 'name', 'show_admin_recordings', 'updated_at'];

describe('foundation: tenants (/internal/apps) (e2e)', () => {
  let t: TestApp;
  const admin = () => ({ Authorization: `Bearer ${t.adminToken}` });
  const http = () => request(t.baseUrl);
  const createApp = async (name: string): Promise<CreatedApp> =>
    (await http().post('/internal/apps').set(admin()).send({ name }).expect(201)).body as CreatedApp;

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  describe('success paths', () => {
    it('POST /internal/apps creates an app (name trimmed) and shows its key and webhook secret once', async () => {
      const before = Date.now();
      const res = await http().post('/internal/apps').set(admin()).send({ name: '  Acme CRM  ' }).expect(201);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      const body = res.body as CreatedApp;
      expect(Object.keys(body).sort()).toEqual([...APP_KEYS, 'api_key', 'webhook_secret'].sort());
      expect(body.id).toMatch(UUID_V4);
      expect(body.name).toBe('Acme CRM');
      expect(body.is_active).toBe(true);
      expect(body.api_key).toMatch(/^ctk_[A-Za-z0-9]{40}$/);
      expect(body.api_key_prefix).toBe(body.api_key.slice(0, 12));
      expect(body.webhook_secret).toMatch(/^whsec_[A-Za-z0-9]{40}$/);
      expect(Math.abs(Date.parse(body.created_at) - before)).toBeLessThan(60_000);
      expect(body.updated_at).toBe(body.created_at);

      const me = await http().get('/api/me').set('x-app-api-key', body.api_key).expect(200);
      expect(me.body).toEqual({ app_id: body.id, name: 'Acme CRM' });
    });

    it('every app gets its own key and secret', async () => {
      const a = await createApp('Twin A');
      const b = await createApp('Twin B');
      expect(a.id).not.toBe(b.id);
      expect(a.api_key).not.toBe(b.api_key);
      expect(a.webhook_secret).not.toBe(b.webhook_secret);
      expect((await http().get('/api/me').set('x-app-api-key', a.api_key).expect(200)).body.app_id).toBe(a.id);
      expect((await http().get('/api/me').set('x-app-api-key', b.api_key).expect(200)).body.app_id).toBe(b.id);
    });

    it('GET /internal/apps lists apps oldest first, without key or secret, and pages with limit/offset', async () => {
      const created = [await createApp('List 1'), await createApp('List 2'), await createApp('List 3')];
      const res = await http().get('/internal/apps').query({ limit: 200 }).set(admin()).expect(200);
      const list = res.body as Record<string, unknown>[];
      expect(Array.isArray(list)).toBe(true);
      for (const row of list) expect(Object.keys(row).sort()).toEqual(APP_KEYS);
      const ids = list.map((r) => r.id);
      const positions = created.map((c) => ids.indexOf(c.id));
      expect(positions.every((p) => p >= 0)).toBe(true);
      expect(positions).toEqual([...positions].sort((x, y) => x - y));
      for (const c of created) {
        expect(res.text).not.toContain(c.api_key);
        expect(res.text).not.toContain(c.webhook_secret);
      }
      const third = list.find((r) => r.id === created[2]!.id)!;
      expect(third).toMatchObject({ name: 'List 3', is_active: true, api_key_prefix: created[2]!.api_key_prefix });

      const first = positions[0]!;
      const page = await http().get('/internal/apps').query({ limit: 2, offset: first }).set(admin()).expect(200);
      expect((page.body as { id: string }[]).map((r) => r.id)).toEqual([created[0]!.id, created[1]!.id]);
      const next = await http().get('/internal/apps').query({ limit: 2, offset: first + 2 }).set(admin()).expect(200);
      expect((next.body as { id: string }[])[0]!.id).toBe(created[2]!.id);
      const beyond = await http().get('/internal/apps').query({ offset: 100000 }).set(admin()).expect(200);
      expect(beyond.body).toEqual([]);
    });

    it('GET /internal/apps defaults to 50 per page', async () => {
      const all = await http().get('/internal/apps').query({ limit: 200 }).set(admin()).expect(200);
      const total = (all.body as unknown[]).length;
      for (let i = total; i < 52; i++) await createApp(`Filler ${i}`);
      const res = await http().get('/internal/apps').set(admin()).expect(200);
      expect((res.body as unknown[]).length).toBe(50);
    });

    it('GET /internal/apps/:app_id returns that app only', async () => {
      const app = await createApp('Get me');
      const res = await http().get(`/internal/apps/${app.id}`).set(admin()).expect(200);
      expect(res.body).toEqual({
        id: app.id,
        name: 'Get me',
        is_active: true,
        show_admin_recordings: false,
        api_key_prefix: app.api_key_prefix,
        created_at: app.created_at,
        updated_at: app.updated_at,
      });
    });

    it('PATCH /internal/apps/:app_id renames (trimmed) without touching the rest, and updated_at moves', async () => {
      const app = await createApp('Old name');
      await new Promise((r) => setTimeout(r, 5));
      const res = await http().patch(`/internal/apps/${app.id}`).set(admin()).send({ name: ' New name ' }).expect(200);
      expect(res.body).toMatchObject({ id: app.id, name: 'New name', is_active: true, api_key_prefix: app.api_key_prefix, created_at: app.created_at });
      expect(Date.parse(res.body.updated_at)).toBeGreaterThan(Date.parse(app.updated_at));
      const got = await http().get(`/internal/apps/${app.id}`).set(admin()).expect(200);
      expect(got.body.name).toBe('New name');
      // the API key resolves to the new name at once (the key cache was invalidated)
      expect((await http().get('/api/me').set('x-app-api-key', app.api_key).expect(200)).body).toEqual({ app_id: app.id, name: 'New name' });
      // an empty patch changes nothing
      const same = await http().patch(`/internal/apps/${app.id}`).set(admin()).send({}).expect(200);
      expect(same.body).toMatchObject({ name: 'New name', is_active: true });
    });

    it('PATCH is_active false → the app is refused with 403 at once; true again → 200 (cache invalidated both ways)', async () => {
      const app = await createApp('Toggle');
      const key = { 'x-app-api-key': app.api_key };
      // warm the key cache
      await http().get('/api/me').set(key).expect(200);
      await http().get('/api/me').set(key).expect(200);

      const off = await http().patch(`/internal/apps/${app.id}`).set(admin()).send({ is_active: false }).expect(200);
      expect(off.body).toMatchObject({ id: app.id, is_active: false, name: 'Toggle' });
      const refused = await http().get('/api/me').set(key);
      expectErrorShape(refused, 403);
      expect(errorText(refused)).toMatch(/inactive/i);
      const status = await http().get(`/internal/apps/${app.id}/api-key/status`).set(admin()).expect(200);
      expect(status.body).toMatchObject({ app_is_active: false, status: 'active' });

      const on = await http().patch(`/internal/apps/${app.id}`).set(admin()).send({ is_active: true }).expect(200);
      expect(on.body.is_active).toBe(true);
      expect((await http().get('/api/me').set(key).expect(200)).body).toEqual({ app_id: app.id, name: 'Toggle' });
    });
  });

  describe('another tenant / unknown app', () => {
    const routes = (id: string): [string, string, object | undefined][] => [
      ['get', `/internal/apps/${id}`, undefined],
      ['patch', `/internal/apps/${id}`, { name: 'x' }],
      ['post', `/internal/apps/${id}/api-key`, {}],
      ['post', `/internal/apps/${id}/api-key/revoke`, {}],
      ['get', `/internal/apps/${id}/api-key/status`, undefined],
      ['get', `/internal/apps/${id}/api-key/audit`, undefined],
    ];
    const call = (method: string, path: string, body: object | undefined) => {
      const agent = http();
      const req = (method === 'get' ? agent.get(path) : method === 'patch' ? agent.patch(path) : agent.post(path)).set(admin());
      return body === undefined ? req : req.send(body);
    };

    it('an unknown app id answers 404 on every /internal/apps/:app_id route, and changes nothing', async () => {
      const unknown = randomUUID();
      for (const [method, path, body] of routes(unknown)) {
        const res = await call(method, path, body);
        expectErrorShape(res, 404);
        expect(errorText(res)).toContain(unknown);
      }
      const db = new pg.Client({ connectionString: t.db.url });
      await db.connect();
      try {
        const { rows } = await db.query('SELECT count(*)::int AS n FROM api_key_audit_log WHERE app_id = $1', [unknown]);
        expect(rows[0].n).toBe(0);
      } finally {
        await db.end();
      }
    });

    it("an app's API key does not reach another app: /api/me only ever names its own app", async () => {
      const a = await createApp('Tenant A');
      const b = await createApp('Tenant B');
      expect((await http().get('/api/me').set('x-app-api-key', a.api_key).expect(200)).body).toEqual({ app_id: a.id, name: 'Tenant A' });
      // revoking B does not touch A
      await http().post(`/internal/apps/${b.id}/api-key/revoke`).set(admin()).expect(200);
      await http().get('/api/me').set('x-app-api-key', a.api_key).expect(200);
      expectErrorShape(await http().get('/api/me').set('x-app-api-key', b.api_key), 401);
    });

    it('a non-uuid app id answers 400 on every /internal/apps/:app_id route', async () => {
      for (const bad of ['not-a-uuid', '123', `${randomUUID()}x`]) {
        for (const [method, path, body] of routes(bad)) {
          const res = await call(method, path, body);
          expectErrorShape(res, 400);
          expect(errorText(res)).toMatch(/uuid/i);
        }
      }
    });
  });

  describe('malformed bodies and queries', () => {
    const post = (body: unknown) => http().post('/internal/apps').set(admin()).send(body as object);

    it.each<[string, unknown, RegExp]>([
      ['empty object', {}, /name/],
      ['empty name', { name: '' }, /name/],
      ['blank name (trimmed to empty)', { name: '   ' }, /name/],
      ['201-character name', { name: 'x'.repeat(201) }, /name/],
      ['numeric name', { name: 42 }, /name/],
      ['null name', { name: null }, /name/],
      ['extra field', { name: 'ok', owner: 'mallory' }, /owner/],
      ['a JSON array', [{ name: 'x' }], /.+/],
    ])('POST /internal/apps with %s → 400', async (_label, body, message) => {
      const res = await post(body);
      expectErrorShape(res, 400);
      expect(errorText(res)).toMatch(message);
    });

    it('POST /internal/apps accepts a 200-character name', async () => {
      const res = await post({ name: 'y'.repeat(200) }).expect(201);
      expect(res.body.name).toBe('y'.repeat(200));
    });

    it('POST /internal/apps with invalid JSON → 400, not 500', async () => {
      for (const text of ['{"name":', '{name: "x"}', "{'name':'x'}", 'not json']) {
        const res = await http().post('/internal/apps').set(admin()).set('content-type', 'application/json').send(text);
        expectErrorShape(res, 400);
      }
    });

    it('POST /internal/apps with an empty JSON body → 400', async () => {
      const res = await http().post('/internal/apps').set(admin()).set('content-type', 'application/json').send('');
      expectErrorShape(res, 400);
    });

    it.each([
      ['text/plain', 'name=Acme'],
      ['application/x-www-form-urlencoded', 'name=Acme'],
      ['application/xml', '<app><name>Acme</name></app>'],
    ])('POST /internal/apps with content-type %s → 4xx JSON, never 500, and no app created', async (type, text) => {
      const before = ((await http().get('/internal/apps').query({ limit: 200 }).set(admin()).expect(200)).body as unknown[]).length;
      const res = await http().post('/internal/apps').set(admin()).set('content-type', type).send(text);
      expect([400, 415]).toContain(res.status);
      expectErrorShape(res, res.status);
      expect(res.text.length).toBeLessThan(2000);
      const after = ((await http().get('/internal/apps').query({ limit: 200 }).set(admin()).expect(200)).body as unknown[]).length;
      expect(after).toBe(before);
    });

    it.each<[string, unknown]>([
      ['is_active "yes"', { is_active: 'yes' }],
      ['is_active 1', { is_active: 1 }],
      ['empty name', { name: '' }],
      ['201-character name', { name: 'z'.repeat(201) }],
      ['extra field', { api_key: 'ctk_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx' }],
    ])('PATCH /internal/apps/:app_id with %s → 400 and nothing changes', async (_label, body) => {
      const app = await createApp('Patch target');
      const res = await http().patch(`/internal/apps/${app.id}`).set(admin()).send(body as object);
      expectErrorShape(res, 400);
      const got = await http().get(`/internal/apps/${app.id}`).set(admin()).expect(200);
      expect(got.body).toMatchObject({ name: 'Patch target', is_active: true, updated_at: app.updated_at });
    });

    it.each([
      ['limit=0', { limit: '0' }],
      ['limit=201', { limit: '201' }],
      ['limit=abc', { limit: 'abc' }],
      ['limit=1.5', { limit: '1.5' }],
      ['offset=-1', { offset: '-1' }],
      ['offset=1e20 (beyond bigint)', { offset: '100000000000000000000' }],
      ['offset=abc', { offset: 'abc' }],
      ['unknown query parameter', { sort: 'name' }],
    ])('GET /internal/apps with %s → 400', async (_label, query) => {
      expectErrorShape(await http().get('/internal/apps').query(query).set(admin()), 400);
    });
  });

  describe('secrets at rest', () => {
    let db: pg.Client;
    beforeAll(async () => {
      db = new pg.Client({ connectionString: t.db.url });
      await db.connect();
    });
    afterAll(async () => {
      await db.end();
    });

    const sha256 = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');

    it('stores the API key only as its SHA-256 hex and a 12-character prefix; the webhook secret only encrypted', async () => {
      const app = await createApp('Secrets');
      const { rows } = await db.query('SELECT * FROM apps WHERE id = $1', [app.id]);
      expect(rows).toHaveLength(1);
      const row = rows[0] as Record<string, unknown>;
      expect(row.api_key_hash).toBe(sha256(app.api_key));
      expect(row.api_key_prefix).toBe(app.api_key.slice(0, 12));
      expect(row.webhook_secret_enc).toMatch(/^v1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
      expect(row.webhook_secret_enc).not.toContain(app.webhook_secret);
      expect(row.webhook_secret_enc).not.toContain(app.webhook_secret.slice(6));
      // nothing in the row (nor the audit log) holds either plaintext
      const dump = JSON.stringify(row);
      expect(dump).not.toContain(app.api_key);
      expect(dump).not.toContain(app.api_key.slice(12));
      expect(dump).not.toContain(app.webhook_secret);
      const audit = await db.query('SELECT row_to_json(a)::text AS j FROM api_key_audit_log a WHERE app_id = $1', [app.id]);
      expect(audit.rows).toHaveLength(1);
      expect(audit.rows[0].j).not.toContain(app.api_key);
      // the ciphertext is the webhook secret under ENCRYPTION_KEY, bound to this app
      const box = new SecretBox(t.config.encryptionKey);
      expect(box.decrypt(row.webhook_secret_enc as string, `app:${app.id}:webhook`)).toBe(app.webhook_secret);
      expect(() => box.decrypt(row.webhook_secret_enc as string, `app:${randomUUID()}:webhook`)).toThrow();
    });

    it('after a rotation with grace the database holds both keys only as hashes', async () => {
      const app = await createApp('Rotating secrets');
      const rotated = await http().post(`/internal/apps/${app.id}/api-key`).set(admin()).send({ grace_seconds: 60 }).expect(201);
      const newKey = rotated.body.api_key as string;
      const { rows } = await db.query('SELECT row_to_json(a)::jsonb AS r FROM apps a WHERE id = $1', [app.id]);
      const row = rows[0].r as Record<string, unknown>;
      expect(row.api_key_hash).toBe(sha256(newKey));
      expect(row.previous_api_key_hash).toBe(sha256(app.api_key));
      const dump = JSON.stringify(row);
      expect(dump).not.toContain(newKey);
      expect(dump).not.toContain(app.api_key);
    });
  });
});
