import request from 'supertest';
import { mintAdminToken } from '../../src/auth/admin-token.js';
import { errorText, expectErrorShape } from '../support/http-expect.js';
import { startTestApp, TestApp } from '../support/test-app.js';

interface CreatedApp {
  id: string;
  api_key: string;
  api_key_prefix: string;
}

interface AuditItem {
  id: string;
  action: string;
  key_prefix: string | null;
  actor: string;
  request_ip: string | null;
  user_agent: string | null;
  created_at: string;
}

interface AuditPage {
  items: AuditItem[];
  next_before: string | null;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('foundation: API keys (/internal/apps/:app_id/api-key) (e2e)', () => {
  let t: TestApp;
  let aliceToken: string;
  let bobToken: string;
  const admin = () => ({ Authorization: `Bearer ${t.adminToken}` });
  const http = () => request(t.baseUrl);
  const me = (key: string) => http().get('/api/me').set('x-app-api-key', key);
  const createApp = async (name: string, token = t.adminToken): Promise<CreatedApp> =>
    (await http().post('/internal/apps').set('Authorization', `Bearer ${token}`).send({ name }).expect(201)).body as CreatedApp;
  const keyPath = (id: string, rest = '') => `/internal/apps/${id}/api-key${rest}`;

  beforeAll(async () => {
    t = await startTestApp();
    aliceToken = await mintAdminToken(t.config.INTERNAL_JWT_SECRET, 'alice@ops.example');
    bobToken = await mintAdminToken(t.config.INTERNAL_JWT_SECRET, 'bob@ops.example');
  });
  afterAll(async () => {
    await t.close();
  });

  describe('generate / rotate', () => {
    it('POST …/api-key rotates: new key shown once, old key refused at once (even when cached)', async () => {
      const app = await createApp('Rotate now');
      await me(app.api_key).expect(200); // cache it
      const before = Date.now();
      const res = await http().post(keyPath(app.id)).set(admin()).send({}).expect(201);
      expect(Object.keys(res.body).sort()).toEqual(['api_key', 'app_id', 'created_at', 'key_prefix', 'previous_key_valid_until']);
      expect(res.body.app_id).toBe(app.id);
      expect(res.body.api_key).toMatch(/^ctk_[A-Za-z0-9]{40}$/);
      expect(res.body.api_key).not.toBe(app.api_key);
      expect(res.body.key_prefix).toBe(res.body.api_key.slice(0, 12));
      expect(res.body.previous_key_valid_until).toBeNull();
      expect(Math.abs(Date.parse(res.body.created_at) - before)).toBeLessThan(60_000);

      const refused = await me(app.api_key);
      expectErrorShape(refused, 401);
      expect((await me(res.body.api_key).expect(200)).body).toEqual({ app_id: app.id, name: 'Rotate now' });
      // the app's prefix follows the new key
      const got = await http().get(`/internal/apps/${app.id}`).set(admin()).expect(200);
      expect(got.body.api_key_prefix).toBe(res.body.key_prefix);
    });

    it('grace_seconds 0 is the same as no grace', async () => {
      const app = await createApp('Grace zero');
      await me(app.api_key).expect(200);
      const res = await http().post(keyPath(app.id)).set(admin()).send({ grace_seconds: 0 }).expect(201);
      expect(res.body.previous_key_valid_until).toBeNull();
      expectErrorShape(await me(app.api_key), 401);
      await me(res.body.api_key).expect(200);
    });

    it('with grace_seconds the old key keeps working until then, and is refused after', async () => {
      const app = await createApp('Grace');
      await me(app.api_key).expect(200);
      const before = Date.now();
      const res = await http().post(keyPath(app.id)).set(admin()).send({ grace_seconds: 1 }).expect(201);
      const until = Date.parse(res.body.previous_key_valid_until);
      expect(until).toBeGreaterThan(before + 500);
      expect(until).toBeLessThan(Date.now() + 1500);
      // both keys work during the grace period
      expect((await me(app.api_key).expect(200)).body.app_id).toBe(app.id);
      expect((await me(res.body.api_key).expect(200)).body.app_id).toBe(app.id);
      const status = await http().get(keyPath(app.id, '/status')).set(admin()).expect(200);
      expect(status.body.previous_key_valid_until).toBe(res.body.previous_key_valid_until);
      // after it, the cached old key must not outlive it
      await sleep(Math.max(until - Date.now(), 0) + 150);
      expectErrorShape(await me(app.api_key), 401);
      await me(res.body.api_key).expect(200);
      const after = await http().get(keyPath(app.id, '/status')).set(admin()).expect(200);
      expect(after.body.previous_key_valid_until).toBeNull();
    });

    it('a long grace is reported, and a further rotation without grace ends it at once', async () => {
      const app = await createApp('Long grace');
      const first = await http().post(keyPath(app.id)).set(admin()).send({ grace_seconds: 3600 }).expect(201);
      const until = Date.parse(first.body.previous_key_valid_until);
      expect(Math.abs(until - (Date.now() + 3600_000))).toBeLessThan(60_000);
      await me(app.api_key).expect(200);
      const second = await http().post(keyPath(app.id)).set(admin()).send({}).expect(201);
      expect(second.body.previous_key_valid_until).toBeNull();
      expectErrorShape(await me(app.api_key), 401);
      expectErrorShape(await me(first.body.api_key), 401);
      await me(second.body.api_key).expect(200);
    });

    it('the maximum grace (86400 s) is accepted', async () => {
      const app = await createApp('Max grace');
      const res = await http().post(keyPath(app.id)).set(admin()).send({ grace_seconds: 86400 }).expect(201);
      expect(Math.abs(Date.parse(res.body.previous_key_valid_until) - (Date.now() + 86_400_000))).toBeLessThan(60_000);
    });

    it.each<[string, unknown]>([
      ['-1', -1],
      ['100000', 100000],
      ['86401', 86401],
      ['"x"', 'x'],
      ['"10" (a string)', '10'],
      ['1.5', 1.5],
      ['5 with an extra field', undefined],
    ])('grace_seconds %s → 400 and the key is unchanged', async (label, value) => {
      const app = await createApp(`Bad grace ${label}`);
      const body = value === undefined ? { grace_seconds: 5, force: true } : { grace_seconds: value };
      const res = await http().post(keyPath(app.id)).set(admin()).send(body);
      expectErrorShape(res, 400);
      expect(errorText(res)).toMatch(value === undefined ? /force/ : /grace_seconds/);
      await me(app.api_key).expect(200);
      const status = await http().get(keyPath(app.id, '/status')).set(admin()).expect(200);
      expect(status.body.key_prefix).toBe(app.api_key_prefix);
    });

    it('invalid JSON on POST …/api-key → 400 and the key is unchanged', async () => {
      const app = await createApp('Bad json');
      const res = await http().post(keyPath(app.id)).set(admin()).set('content-type', 'application/json').send('{"grace_seconds":');
      expectErrorShape(res, 400);
      await me(app.api_key).expect(200);
    });
  });

  describe('revoke', () => {
    it('POST …/api-key/revoke: the key is refused at once, status says revoked, and a new key can be generated', async () => {
      const app = await createApp('Revoke me');
      await me(app.api_key).expect(200); // cached
      const before = Date.now();
      const res = await http().post(keyPath(app.id, '/revoke')).set(admin()).expect(200);
      expect(Object.keys(res.body).sort()).toEqual(['app_id', 'revoked_at']);
      expect(res.body.app_id).toBe(app.id);
      expect(Math.abs(Date.parse(res.body.revoked_at) - before)).toBeLessThan(60_000);

      const refused = await me(app.api_key);
      expectErrorShape(refused, 401);

      const status = await http().get(keyPath(app.id, '/status')).set(admin()).expect(200);
      expect(status.body).toEqual({
        app_id: app.id,
        app_is_active: true,
        status: 'revoked',
        key_prefix: null,
        created_at: expect.any(String),
        revoked_at: res.body.revoked_at,
        previous_key_valid_until: null,
      });
      const got = await http().get(`/internal/apps/${app.id}`).set(admin()).expect(200);
      expect(got.body.api_key_prefix).toBeNull();

      const fresh = await http().post(keyPath(app.id)).set(admin()).send({}).expect(201);
      expect(fresh.body.previous_key_valid_until).toBeNull();
      expect((await me(fresh.body.api_key).expect(200)).body.app_id).toBe(app.id);
      expectErrorShape(await me(app.api_key), 401);
      const active = await http().get(keyPath(app.id, '/status')).set(admin()).expect(200);
      expect(active.body).toMatchObject({ status: 'active', key_prefix: fresh.body.key_prefix, revoked_at: null });
    });

    it('revoke also ends a grace period: neither the old nor the new key works', async () => {
      const app = await createApp('Revoke during grace');
      const rotated = await http().post(keyPath(app.id)).set(admin()).send({ grace_seconds: 3600 }).expect(201);
      await me(app.api_key).expect(200);
      await me(rotated.body.api_key).expect(200);
      await http().post(keyPath(app.id, '/revoke')).set(admin()).expect(200);
      expectErrorShape(await me(app.api_key), 401);
      expectErrorShape(await me(rotated.body.api_key), 401);
      const status = await http().get(keyPath(app.id, '/status')).set(admin()).expect(200);
      expect(status.body.previous_key_valid_until).toBeNull();
    });

    it('revoking twice is harmless (200) and still audited', async () => {
      const app = await createApp('Revoke twice');
      await http().post(keyPath(app.id, '/revoke')).set(admin()).expect(200);
      await http().post(keyPath(app.id, '/revoke')).set(admin()).expect(200);
      const audit = (await http().get(keyPath(app.id, '/audit')).set(admin()).expect(200)).body as AuditPage;
      expect(audit.items.map((i) => [i.action, i.key_prefix])).toEqual([
        ['revoke', null],
        ['revoke', app.api_key_prefix],
        ['generate', app.api_key_prefix],
      ]);
    });
  });

  describe('status', () => {
    it('GET …/api-key/status of a fresh app', async () => {
      const app = await createApp('Status');
      const res = await http().get(keyPath(app.id, '/status')).set(admin()).expect(200);
      expect(res.body).toEqual({
        app_id: app.id,
        app_is_active: true,
        status: 'active',
        key_prefix: app.api_key_prefix,
        created_at: expect.any(String),
        revoked_at: null,
        previous_key_valid_until: null,
      });
      expect(Math.abs(Date.parse(res.body.created_at) - Date.now())).toBeLessThan(60_000);
      expect(res.text).not.toContain(app.api_key);
    });
  });

  describe('audit', () => {
    it('records generate (create), rotate and revoke with actor = token sub, request IP and user agent, newest first', async () => {
      const app = await createApp('Audited', aliceToken);
      const rotated = await http()
        .post(keyPath(app.id))
        .set('Authorization', `Bearer ${bobToken}`)
        .set('user-agent', 'audit-test/1.0')
        .send({})
        .expect(201);
      await http().post(keyPath(app.id, '/revoke')).set('Authorization', `Bearer ${aliceToken}`).expect(200);
      const regenerated = await http().post(keyPath(app.id)).set('Authorization', `Bearer ${bobToken}`).send({}).expect(201);

      const res = await http().get(keyPath(app.id, '/audit')).set(admin()).expect(200);
      const page = res.body as AuditPage;
      expect(page.next_before).toBeNull();
      expect(page.items.map((i) => ({ action: i.action, key_prefix: i.key_prefix, actor: i.actor }))).toEqual([
        { action: 'generate', key_prefix: regenerated.body.key_prefix, actor: 'bob@ops.example' },
        { action: 'revoke', key_prefix: rotated.body.key_prefix, actor: 'alice@ops.example' },
        { action: 'rotate', key_prefix: rotated.body.key_prefix, actor: 'bob@ops.example' },
        { action: 'generate', key_prefix: app.api_key_prefix, actor: 'alice@ops.example' },
      ]);
      for (const item of page.items) {
        expect(Object.keys(item).sort()).toEqual(['action', 'actor', 'created_at', 'id', 'key_prefix', 'request_ip', 'user_agent']);
        expect(item.id).toMatch(/^\d+$/);
        expect(item.request_ip).toMatch(/^(127\.0\.0\.1|::1|::ffff:127\.0\.0\.1)$/);
        expect(Math.abs(Date.parse(item.created_at) - Date.now())).toBeLessThan(60_000);
      }
      expect(page.items[2]!.user_agent).toBe('audit-test/1.0');
      // ids strictly decreasing (newest first)
      const ids = page.items.map((i) => BigInt(i.id));
      for (let i = 1; i < ids.length; i++) expect(ids[i]! < ids[i - 1]!).toBe(true);
      // no plaintext key is ever in the audit trail
      for (const key of [app.api_key, rotated.body.api_key as string, regenerated.body.api_key as string]) {
        expect(res.text).not.toContain(key);
      }
    });

    it('the audit log is per app', async () => {
      const a = await createApp('Audit A');
      const b = await createApp('Audit B');
      await http().post(keyPath(a.id)).set(admin()).send({}).expect(201);
      const pageB = (await http().get(keyPath(b.id, '/audit')).set(admin()).expect(200)).body as AuditPage;
      expect(pageB.items.map((i) => i.action)).toEqual(['generate']);
      expect(pageB.items[0]!.key_prefix).toBe(b.api_key_prefix);
    });

    it('pages with limit / before / next_before', async () => {
      const app = await createApp('Paged');
      for (let i = 0; i < 4; i++) await http().post(keyPath(app.id)).set(admin()).send({}).expect(201);
      // 5 entries: generate + 4 rotate
      const all = ((await http().get(keyPath(app.id, '/audit')).set(admin()).expect(200)).body as AuditPage).items;
      expect(all.map((i) => i.action)).toEqual(['rotate', 'rotate', 'rotate', 'rotate', 'generate']);

      const p1 = (await http().get(keyPath(app.id, '/audit')).query({ limit: 2 }).set(admin()).expect(200)).body as AuditPage;
      expect(p1.items.map((i) => i.id)).toEqual([all[0]!.id, all[1]!.id]);
      expect(p1.next_before).toBe(all[1]!.id);
      const p2 = (await http().get(keyPath(app.id, '/audit')).query({ limit: 2, before: p1.next_before }).set(admin()).expect(200))
        .body as AuditPage;
      expect(p2.items.map((i) => i.id)).toEqual([all[2]!.id, all[3]!.id]);
      expect(p2.next_before).toBe(all[3]!.id);
      const p3 = (await http().get(keyPath(app.id, '/audit')).query({ limit: 2, before: p2.next_before }).set(admin()).expect(200))
        .body as AuditPage;
      expect(p3.items.map((i) => i.id)).toEqual([all[4]!.id]);
      expect(p3.next_before).toBeNull();
      // before the oldest entry: empty
      const p4 = (await http().get(keyPath(app.id, '/audit')).query({ before: all[4]!.id }).set(admin()).expect(200)).body as AuditPage;
      expect(p4).toEqual({ items: [], next_before: null });
    });

    it.each([
      ['limit=0', { limit: '0' }],
      ['limit=500', { limit: '500' }],
      ['limit=201', { limit: '201' }],
      ['limit=x', { limit: 'x' }],
      ['limit=-5', { limit: '-5' }],
      ['before=abc', { before: 'abc' }],
      ['before=-1', { before: '-1' }],
      ['before=1.5', { before: '1.5' }],
      ['before beyond bigint', { before: '99999999999999999999' }],
      ['unknown parameter', { action: 'rotate' }],
    ])('GET …/api-key/audit with %s → 400', async (_label, query) => {
      const app = await createApp('Audit query');
      const res = await http().get(keyPath(app.id, '/audit')).query(query).set(admin());
      expectErrorShape(res, 400);
    });

    it('limit=200 (the maximum) is accepted', async () => {
      const app = await createApp('Audit max');
      const page = (await http().get(keyPath(app.id, '/audit')).query({ limit: 200 }).set(admin()).expect(200)).body as AuditPage;
      expect(page.items).toHaveLength(1);
      expect(page.next_before).toBeNull();
    });
  });
});
