import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import request from 'supertest';
import { mintAdminToken } from '../../src/auth/admin-token.js';
import { errorText, expectErrorShape } from '../support/http-expect.js';
import { startTestApp, TestApp } from '../support/test-app.js';

const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** A JWT built by hand, so the header can say anything. */
function handMadeJwt(header: Record<string, unknown>, payload: Record<string, unknown>, secret: string | null): string {
  const signingInput = `${b64url(header)}.${b64url(payload)}`;
  const signature = secret === null ? '' : createHmac('sha256', secret).update(signingInput).digest('base64url');
  return `${signingInput}.${signature}`;
}

describe('foundation: admin JWT and API key auth (e2e)', () => {
  let t: TestApp;
  let app: { id: string; api_key: string };
  const now = () => Math.floor(Date.now() / 1000);
  const sign = (payload: Record<string, unknown>, secret = t.config.INTERNAL_JWT_SECRET) =>
    new SignJWT(payload).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).sign(new TextEncoder().encode(secret));

  beforeAll(async () => {
    t = await startTestApp();
    const res = await request(t.baseUrl).post('/internal/apps').set('Authorization', `Bearer ${t.adminToken}`).send({ name: 'Auth' });
    expect(res.status).toBe(201);
    app = res.body as { id: string; api_key: string };
  });
  afterAll(async () => {
    await t.close();
  });

  /** Every admin route, with a body where it takes one. */
  const adminRoutes = (): [string, string, object | undefined][] => [
    ['post', '/internal/apps', { name: 'Nope' }],
    ['get', '/internal/apps', undefined],
    ['get', `/internal/apps/${app.id}`, undefined],
    ['patch', `/internal/apps/${app.id}`, { name: 'Hijacked' }],
    ['post', `/internal/apps/${app.id}/api-key`, {}],
    ['post', `/internal/apps/${app.id}/api-key/revoke`, {}],
    ['get', `/internal/apps/${app.id}/api-key/status`, undefined],
    ['get', `/internal/apps/${app.id}/api-key/audit`, undefined],
  ];
  const call = (method: string, path: string, body: object | undefined, headers: Record<string, string>) => {
    const agent = request(t.baseUrl);
    const req = (method === 'get' ? agent.get(path) : method === 'patch' ? agent.patch(path) : agent.post(path)).set(headers);
    return body === undefined ? req : req.send(body);
  };
  const expectAllAdminRoutes = async (headers: Record<string, string>, status: number, message?: RegExp) => {
    for (const [method, path, body] of adminRoutes()) {
      const res = await call(method, path, body, headers);
      try {
        expectErrorShape(res, status);
        if (message) expect(errorText(res)).toMatch(message);
      } catch (err) {
        throw new Error(`${method.toUpperCase()} ${path}: ${(err as Error).message}`, { cause: err });
      }
    }
    // nothing was changed by the refused calls: the app keeps its name and key
    const got = await request(t.baseUrl).get(`/internal/apps/${app.id}`).set('Authorization', `Bearer ${t.adminToken}`).expect(200);
    expect(got.body.name).toBe('Auth');
    await request(t.baseUrl).get('/api/me').set('x-app-api-key', app.api_key).expect(200);
  };

  describe('/internal/* admin JWT', () => {
    it('a valid admin token is accepted on every admin route (control)', async () => {
      const token = await mintAdminToken(t.config.INTERNAL_JWT_SECRET, 'ops');
      const res = await request(t.baseUrl).get(`/internal/apps/${app.id}/api-key/status`).set('Authorization', `Bearer ${token}`);
      expect(res.status).toBe(200);
      // the scheme is case-insensitive
      await request(t.baseUrl).get('/internal/apps').set('Authorization', `bearer ${token}`).expect(200);
    });

    it('no Authorization header → 401 on every admin route', async () => {
      await expectAllAdminRoutes({}, 401, /Authorization/);
    });

    it.each([
      ['empty', ''],
      ['"Bearer" alone', 'Bearer'],
      ['"Bearer " with a blank token', 'Bearer   '],
      ['Basic scheme', `Basic ${Buffer.from('admin:admin').toString('base64')}`],
      ['token without scheme', 'eyJhbGciOiJIUzI1NiJ9.e30.abc'],
      ['garbage token', 'Bearer not-a-jwt'],
      ['two tokens', 'Bearer a.b.c d.e.f'],
      ['three dots of garbage', 'Bearer a.b.c'],
    ])('malformed Authorization (%s) → 401', async (_label, value) => {
      await expectAllAdminRoutes({ Authorization: value }, 401);
    });

    it('a JWT signed with another secret → 401', async () => {
      const token = await mintAdminToken(randomBytes(32).toString('base64url'), 'mallory');
      await expectAllAdminRoutes({ Authorization: `Bearer ${token}` }, 401, /Invalid admin token/);
    });

    it('a JWT whose signature was tampered with → 401', async () => {
      const token = await mintAdminToken(t.config.INTERNAL_JWT_SECRET, 'ops');
      const [h, , s] = token.split('.');
      const forged = `${h}.${b64url({ role: 'admin', sub: 'mallory', exp: now() + 600 })}.${s}`;
      await expectAllAdminRoutes({ Authorization: `Bearer ${forged}` }, 401);
    });

    it('an expired JWT → 401 saying it expired', async () => {
      const token = await sign({ role: 'admin', sub: 'ops', iat: now() - 7200, exp: now() - 60 });
      await expectAllAdminRoutes({ Authorization: `Bearer ${token}` }, 401, /expired/i);
    });

    it('a JWT not valid yet (nbf in the future) → 401', async () => {
      const token = await sign({ role: 'admin', sub: 'ops', nbf: now() + 3600, exp: now() + 7200 });
      await expectAllAdminRoutes({ Authorization: `Bearer ${token}` }, 401);
    });

    it.each<[string, Record<string, unknown>]>([
      ['no role', { sub: 'ops' }],
      ['role "agent"', { sub: 'agent@example.com', role: 'agent', app_id: randomUUID() }],
      ['role "Admin" (case)', { sub: 'ops', role: 'Admin' }],
      ['role ["admin"]', { sub: 'ops', role: ['admin'] }],
      ['roles: admin (other claim)', { sub: 'ops', roles: 'admin' }],
    ])('a valid JWT with %s → 403 on every admin route', async (_label, claims) => {
      const token = await sign({ ...claims, exp: now() + 600 });
      await expectAllAdminRoutes({ Authorization: `Bearer ${token}` }, 403, /admin/);
    });

    it('alg "none" (unsigned) → 401', async () => {
      const token = handMadeJwt({ alg: 'none', typ: 'JWT' }, { role: 'admin', sub: 'mallory', exp: now() + 600 }, null);
      await expectAllAdminRoutes({ Authorization: `Bearer ${token}` }, 401);
    });

    it('an RS256 header (algorithm confusion), even HMAC-signed with the real secret → 401', async () => {
      const token = handMadeJwt({ alg: 'RS256', typ: 'JWT' }, { role: 'admin', sub: 'mallory', exp: now() + 600 }, t.config.INTERNAL_JWT_SECRET);
      await expectAllAdminRoutes({ Authorization: `Bearer ${token}` }, 401);
    });

    it('HS512 with the real secret → 401 (only HS256 is accepted)', async () => {
      const token = await new SignJWT({ role: 'admin', sub: 'ops' })
        .setProtectedHeader({ alg: 'HS512' })
        .setExpirationTime('10m')
        .sign(new TextEncoder().encode(t.config.INTERNAL_JWT_SECRET));
      await expectAllAdminRoutes({ Authorization: `Bearer ${token}` }, 401);
    });

    it('the hand-made HS256 helper itself produces accepted tokens (control for the two tests above)', async () => {
      const token = handMadeJwt({ alg: 'HS256', typ: 'JWT' }, { role: 'admin', sub: 'ops', exp: now() + 600 }, t.config.INTERNAL_JWT_SECRET);
      await request(t.baseUrl).get('/internal/apps').set('Authorization', `Bearer ${token}`).expect(200);
    });

    it('an app API key is not an admin credential', async () => {
      await expectAllAdminRoutes({ 'x-app-api-key': app.api_key }, 401);
      await expectAllAdminRoutes({ Authorization: `Bearer ${app.api_key}` }, 401);
    });

    it('auth is checked before the app id: an unknown app id without a token is 401, not 404', async () => {
      const res = await request(t.baseUrl).get(`/internal/apps/${randomUUID()}`);
      expectErrorShape(res, 401);
      expectErrorShape(await request(t.baseUrl).get('/internal/apps/not-a-uuid'), 401);
    });
  });

  describe('/api/* API key', () => {
    it('no x-app-api-key → 401', async () => {
      const res = await request(t.baseUrl).get('/api/me');
      expectErrorShape(res, 401);
      expect(errorText(res)).toContain('x-app-api-key');
    });

    it.each([
      ['unknown well-formed key', () => `ctk_${'A'.repeat(40)}`],
      ['malformed key', () => 'hello'],
      ['key with a different prefix', () => `sk_${app.api_key.slice(4)}`],
      ['the key with one character changed', () => app.api_key.slice(0, -1) + (app.api_key.endsWith('a') ? 'b' : 'a')],
      ['the key with trailing data', () => `${app.api_key}x`],
      ['the display prefix only', () => app.api_key.slice(0, 12)],
      ['a very long value', () => `ctk_${'a'.repeat(5000)}`],
    ])('%s → 401', async (_label, key) => {
      const res = await request(t.baseUrl).get('/api/me').set('x-app-api-key', key());
      expectErrorShape(res, 401);
      expect(res.text).not.toContain(app.id);
    });

    it('an admin JWT is not an API key', async () => {
      expectErrorShape(await request(t.baseUrl).get('/api/me').set('Authorization', `Bearer ${t.adminToken}`), 401);
      expectErrorShape(await request(t.baseUrl).get('/api/me').set('x-app-api-key', t.adminToken), 401);
    });

    it('a revoked key → 401; an inactive app → 403; re-activated → 200 (through the cache)', async () => {
      const created = (
        await request(t.baseUrl).post('/internal/apps').set('Authorization', `Bearer ${t.adminToken}`).send({ name: 'Lifecycle' }).expect(201)
      ).body as { id: string; api_key: string };
      const adminHeader = { Authorization: `Bearer ${t.adminToken}` };
      await request(t.baseUrl).get('/api/me').set('x-app-api-key', created.api_key).expect(200);

      await request(t.baseUrl).patch(`/internal/apps/${created.id}`).set(adminHeader).send({ is_active: false }).expect(200);
      const inactive = await request(t.baseUrl).get('/api/me').set('x-app-api-key', created.api_key);
      expectErrorShape(inactive, 403);
      expect(errorText(inactive)).toBe('App is inactive');
      await request(t.baseUrl).patch(`/internal/apps/${created.id}`).set(adminHeader).send({ is_active: true }).expect(200);
      await request(t.baseUrl).get('/api/me').set('x-app-api-key', created.api_key).expect(200);

      await request(t.baseUrl).post(`/internal/apps/${created.id}/api-key/revoke`).set(adminHeader).expect(200);
      const revoked = await request(t.baseUrl).get('/api/me').set('x-app-api-key', created.api_key);
      expectErrorShape(revoked, 401);
      // a revoked key of an inactive app is still a 401 (no hint that the app exists)
      await request(t.baseUrl).patch(`/internal/apps/${created.id}`).set(adminHeader).send({ is_active: false }).expect(200);
      expectErrorShape(await request(t.baseUrl).get('/api/me').set('x-app-api-key', created.api_key), 401);
    });
  });
});
