import { randomBytes, randomUUID } from 'node:crypto';
import pg from 'pg';
import request from 'supertest';
import { deriveStateKey, signOAuthState } from '../../src/dialpad-connect/oauth-state.js';
import { codeChallengeS256 } from '../../src/dialpad-connect/pkce.js';
import { SecretBox } from '../../src/infra/crypto/secret-box.js';
import { signDialpadJwt } from '../../demo/fakes/dialpad-jwt.js';
import { DialpadClient } from '../../src/integrations/dialpad/dialpad.client.js';
import { adminAuth, callback, connectDialpad, dialpadEnv, startConnect, TEST_REDIRECT_URI } from '../support/dialpad.js';
import { FakeDialpad } from '../../demo/fakes/fake-dialpad.js';
import { errorText, expectErrorShape } from '../support/http-expect.js';
import { startTestApp, TestApp } from '../support/test-app.js';
import { CreatedApp, createApp, fixtureWith } from '../support/webhooks.js';

describe('Dialpad OAuth connect (e2e)', () => {
  let fake: FakeDialpad;
  let t: TestApp;
  let pool: pg.Pool;
  const connection = async (appId: string) =>
    (await pool.query('SELECT *, row_to_json(c)::text AS whole FROM dialpad_connections c WHERE app_id = $1', [appId])).rows[0] as
      | Record<string, unknown>
      | undefined;
  const status = (appId: string) => request(t.baseUrl).get(`/internal/apps/${appId}/dialpad/status`).set('Authorization', adminAuth(t));

  beforeAll(async () => {
    fake = await FakeDialpad.start();
    t = await startTestApp(dialpadEnv(fake, { EVENT_PROCESSOR_ENABLED: 'false' }));
    pool = new pg.Pool({ connectionString: t.db.url, max: 2 });
  });
  afterAll(async () => {
    await pool?.end();
    await t?.close();
    await fake?.close();
  });
  afterEach(() => fake.clearFailures());
  // the fake is a single Dialpad company, which only one app may hold: free it before each test
  beforeEach(() => pool.query(`UPDATE dialpad_connections SET dialpad_company_id = NULL WHERE dialpad_company_id = $1`, [fake.companyId]));

  it('redirects to Dialpad’s consent page with PKCE S256 and a signed single-use state', async () => {
    const app = await createApp(t, 'Connect redirect');
    const res = await request(t.baseUrl).get('/auth/dialpad/connect').query({ app_id: app.id }).set('Authorization', adminAuth(t));
    expect(res.status).toBe(302);
    expect(res.headers['cache-control']).toBe('no-store');
    const url = new URL(res.headers.location as string);
    expect(`${url.origin}${url.pathname}`).toBe(`${fake.url}/oauth2/authorize`);
    const q = Object.fromEntries(url.searchParams);
    expect(q).toEqual({
      response_type: 'code',
      client_id: fake.clientId,
      redirect_uri: TEST_REDIRECT_URI,
      scope: 'calls:list recordings_export message_content_export screen_pop offline_access',
      state: expect.stringMatching(/^[\w-]+\.[\w-]+\.[\w-]+$/),
      code_challenge: expect.stringMatching(/^[\w-]{43}$/),
      code_challenge_method: 'S256',
    });
    // two connects: two states, two challenges
    const again = new URL(await startConnect(t, app.id));
    expect(again.searchParams.get('state')).not.toBe(q.state);
    expect(again.searchParams.get('code_challenge')).not.toBe(q.code_challenge);
    expect((await status(app.id)).body.status).toBe('pending');
  });

  it('accepts the app’s own API key (and ?response=json); refuses other keys, no auth and bad app ids', async () => {
    const a = await createApp(t, 'Key A');
    const b = await createApp(t, 'Key B');
    const byKey = await request(t.baseUrl).get('/auth/dialpad/connect').query({ app_id: a.id }).set('x-app-api-key', a.api_key);
    expect(byKey.status).toBe(302);
    const json = await request(t.baseUrl).get('/auth/dialpad/connect').query({ app_id: a.id, response: 'json' }).set('x-app-api-key', a.api_key);
    expect(json.status).toBe(200);
    expect(json.body.authorize_url).toMatch(new RegExp(`^${fake.url}/oauth2/authorize\\?`));
    expect(new Date(json.body.state_expires_at).getTime() - Date.now()).toBeGreaterThan(9 * 60_000);

    expectErrorShape(await request(t.baseUrl).get('/auth/dialpad/connect').query({ app_id: b.id }).set('x-app-api-key', a.api_key), 404);
    expectErrorShape(await request(t.baseUrl).get('/auth/dialpad/connect').query({ app_id: a.id }), 401);
    expectErrorShape(await request(t.baseUrl).get('/auth/dialpad/connect').query({ app_id: a.id }).set('x-app-api-key', 'ctk_wrong'), 401);
    expectErrorShape(await request(t.baseUrl).get('/auth/dialpad/connect').query({ app_id: a.id }).set('Authorization', 'Bearer nope'), 401);
    const bad = await request(t.baseUrl).get('/auth/dialpad/connect').query({ app_id: 'nope' }).set('Authorization', adminAuth(t));
    expectErrorShape(bad, 400);
    expect(errorText(bad)).toContain('app_id');
    expectErrorShape(await request(t.baseUrl).get('/auth/dialpad/connect').query({ app_id: randomUUID() }).set('Authorization', adminAuth(t)), 404);
  });

  it('callback: exchanges the code with the PKCE verifier, stores the tokens encrypted, shows a success page', async () => {
    const app = await createApp(t, 'Connect <Acme>');
    const authorizeUrl = await startConnect(t, app.id);
    const res = await callback(t, fake.consent(authorizeUrl));
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.text).toContain('Dialpad connected');
    expect(res.text).toContain('Connect &lt;Acme&gt;'); // escaped
    expect(res.text).toContain(fake.companyId);

    // the exchange: form-encoded, with the verifier whose S256 is the challenge sent at authorize
    const exchange = fake.requestsTo('token').at(-1)!;
    expect(exchange.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(exchange.form).toMatchObject({ grant_type: 'authorization_code', client_id: fake.clientId, client_secret: fake.clientSecret, redirect_uri: TEST_REDIRECT_URI });
    expect(codeChallengeS256(exchange.form!.code_verifier!)).toBe(new URL(authorizeUrl).searchParams.get('code_challenge'));

    const row = (await connection(app.id))!;
    expect(row).toMatchObject({ status: 'connected', dialpad_company_id: fake.companyId, dialpad_user_id: fake.users[0]!.id, last_error: null });
    expect(Math.abs((row.token_expires_at as Date).getTime() - (Date.now() + 3600_000))).toBeLessThan(10_000);
    // no plaintext token anywhere in the row
    for (const token of fake.issuedTokens()) expect(row.whole).not.toContain(token);
    expect(row.access_token_enc).toMatch(/^v1\./);
    expect(row.refresh_token_enc).toMatch(/^v1\./);
    // …but it is the token Dialpad issued, bound to this app
    const box = t.app.get(SecretBox);
    const access = box.decrypt(row.access_token_enc as string, `app:${app.id}:dialpad:access`);
    expect(fake.issuedTokens()).toContain(access);
    expect(() => box.decrypt(row.access_token_enc as string, `app:${randomUUID()}:dialpad:access`)).toThrow();

    // the identity call was made with the new token
    expect(fake.requestsTo('user').at(-1)).toMatchObject({ path: '/api/v2/users/me', bearer: access });

    const st = await status(app.id);
    expect(st.status).toBe(200);
    expect(st.body).toMatchObject({
      app_id: app.id,
      status: 'connected',
      connected: true,
      needs_reconnect: false,
      dialpad_company_id: fake.companyId,
      dialpad_user_id: fake.users[0]!.id,
      scopes: ['calls:list', 'recordings_export', 'message_content_export', 'screen_pop', 'offline_access'],
      last_error: null,
    });
    for (const token of fake.issuedTokens()) expect(st.text).not.toContain(token);
    expect(st.text).not.toMatch(/token_enc|refresh_token|access_token/);

    // an API call through the client carries the stored token
    const company = await t.app.get(DialpadClient).getCompany(app.id);
    expect(company.id).toBe(fake.companyId);
    expect(fake.requestsTo('company').at(-1)!.bearer).toBe(access);
  });

  it('refuses a replayed, forged, tampered, expired or missing state with 400 and a message', async () => {
    const app = await createApp(t, 'States');
    const back = fake.consent(await startConnect(t, app.id));
    expect((await callback(t, back)).status).toBe(200);

    const replay = await callback(t, back);
    expectErrorShape(replay, 400);
    expect(errorText(replay)).toMatch(/already used/);

    const code = new URL(back).searchParams.get('code')!;
    const get = (query: Record<string, string>) => request(t.baseUrl).get('/auth/dialpad/callback').query(query);

    const forged = await signOAuthState(deriveStateKey('some-other-secret-of-at-least-32-chars!!'), app.id, 'n', Date.now());
    const f = await get({ code, state: forged });
    expectErrorShape(f, 400);
    expect(errorText(f)).toMatch(/signature/);

    const genuine = new URL(await startConnect(t, app.id)).searchParams.get('state')!;
    const [h, p, s] = genuine.split('.');
    const claims = JSON.parse(Buffer.from(p!, 'base64url').toString()) as Record<string, unknown>;
    const tampered = `${h}.${Buffer.from(JSON.stringify({ ...claims, app_id: randomUUID() })).toString('base64url')}.${s}`;
    expectErrorShape(await get({ code, state: tampered }), 400);

    const key = deriveStateKey(t.config.INTERNAL_JWT_SECRET);
    const expired = await signOAuthState(key, app.id, 'old', Date.now() - 11 * 60_000);
    const e = await get({ code, state: expired });
    expectErrorShape(e, 400);
    expect(errorText(e)).toMatch(/expired/);

    // correctly signed, never issued (no server-side record)
    const unknown = await signOAuthState(key, app.id, 'never-issued', Date.now());
    const u = await get({ code, state: unknown });
    expectErrorShape(u, 400);
    expect(errorText(u)).toMatch(/already used/);

    const missing = await get({ code });
    expectErrorShape(missing, 400);
    expect(errorText(missing)).toMatch(/state is missing/);
    expectErrorShape(await get({ code, state: 'garbage' }), 400);
    expectErrorShape(await get({ code, state: genuine, extra: '1' }), 400);
    // none of these reached Dialpad's token endpoint
    expect(fake.requestsTo('token').filter((r) => r.form?.code === code)).toHaveLength(1);
  });

  it('consent denied at Dialpad: 400 naming the reason, and the state is spent', async () => {
    const app = await createApp(t, 'Denied');
    const state = new URL(await startConnect(t, app.id)).searchParams.get('state')!;
    const denied = await request(t.baseUrl).get('/auth/dialpad/callback').query({ state, error: 'access_denied', error_description: 'The user denied access' });
    expectErrorShape(denied, 400);
    expect(errorText(denied)).toContain('access_denied');
    const retry = await request(t.baseUrl).get('/auth/dialpad/callback').query({ state, code: 'whatever' });
    expect(errorText(retry)).toMatch(/already used/);
  });

  describe('Dialpad failing the code exchange', () => {
    const attempt = async (name: string) => {
      const app = await createApp(t, name);
      return { app, res: await connectDialpad(t, fake, app.id) };
    };

    it('invalid_grant (code refused) → 400; nothing stored', async () => {
      fake.setFailure('token', 'invalid_grant', { times: 1, message: 'code expired' });
      const { app, res } = await attempt('Grant refused');
      expectErrorShape(res, 400);
      expect(errorText(res)).toMatch(/invalid_grant: code expired.*start again/);
      expect((await connection(app.id))?.status).toBe('pending');
    });

    it('401 invalid_client (our credentials) → 502 naming the configuration', async () => {
      fake.setFailure('token', 'unauthorized', { times: 1 });
      const { res } = await attempt('Bad client');
      expectErrorShape(res, 502);
      expect(errorText(res)).toMatch(/DIALPAD_CLIENT_ID/);
    });

    it('429 with a short Retry-After is retried and the connect succeeds', async () => {
      fake.setFailure('token', 'rate_limited', { times: 1, retryAfterSeconds: 0 });
      const before = fake.requestsTo('token').length;
      const { app, res } = await attempt('Retry 429');
      expect(res.status).toBe(200);
      expect(fake.requestsTo('token').length - before).toBe(2);
      expect((await connection(app.id))?.status).toBe('connected');
    });

    it('429 with a long Retry-After → 429 with Retry-After, no retry', async () => {
      fake.setFailure('token', 'rate_limited', { times: 1, retryAfterSeconds: 60 });
      const before = fake.requestsTo('token').length;
      const { res } = await attempt('Long 429');
      expectErrorShape(res, 429);
      expect(res.headers['retry-after']).toBe('60');
      expect(fake.requestsTo('token').length - before).toBe(1);
    });

    it('500 → 503, not repeated (a code may be spent by an answer we lost)', async () => {
      fake.setFailure('token', 'server_error', { times: 5 });
      const before = fake.requestsTo('token').length;
      const { res } = await attempt('Server error');
      expectErrorShape(res, 503);
      expect(errorText(res)).toMatch(/500/);
      expect(fake.requestsTo('token').length - before).toBe(1);
    });

    it('no answer → 503 after the timeout', async () => {
      fake.setFailure('token', 'hang', { times: 1 });
      const started = Date.now();
      const { res } = await attempt('Hang');
      expectErrorShape(res, 503);
      expect(errorText(res)).toMatch(/did not answer within 1000 ms/);
      expect(Date.now() - started).toBeLessThan(5000);
    });

    it('identity lookup failing after the exchange → 503, nothing stored', async () => {
      fake.setFailure('user', 'server_error', { times: 10 });
      const { app, res } = await attempt('Identity fails');
      expectErrorShape(res, 503);
      expect((await connection(app.id))?.status).toBe('pending');
    });
  });

  it('a Dialpad company connected to one app cannot be connected to another (409)', async () => {
    const first = await createApp(t, 'Company owner');
    const second = await createApp(t, 'Company thief');
    expect((await connectDialpad(t, fake, first.id)).status).toBe(200);
    const res = await connectDialpad(t, fake, second.id);
    expectErrorShape(res, 409);
    expect(errorText(res)).toMatch(/already connected to another app/);
  });

  it('status: not_connected for a new app, 404 for an unknown app, admin only', async () => {
    const app = await createApp(t, 'Status');
    const st = await status(app.id);
    expect(st.status).toBe(200);
    expect(st.body).toMatchObject({ status: 'not_connected', connected: false, needs_reconnect: false, scopes: [], dialpad_company_id: null });
    expectErrorShape(await status(randomUUID()), 404);
    expectErrorShape(await request(t.baseUrl).get(`/internal/apps/${app.id}/dialpad/status`).set('x-app-api-key', app.api_key), 401);
  });

  it('DELETE deauthorizes at Dialpad (best effort), wipes the tokens and frees the company', async () => {
    const app = await connectFresh('Disconnect');
    const token = t.app.get(SecretBox).decrypt((await connection(app.id))!.access_token_enc as string, `app:${app.id}:dialpad:access`);
    const res = await request(t.baseUrl).delete(`/internal/apps/${app.id}/dialpad`).set('Authorization', adminAuth(t));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'disconnected', deauthorized: true, connected: false, dialpad_company_id: null });
    expect(fake.requestsTo('deauthorize').at(-1)!.bearer).toBe(token);
    expect(await connection(app.id)).toMatchObject({ status: 'disconnected', access_token_enc: null, refresh_token_enc: null, token_expires_at: null, dialpad_company_id: null });
    // the client now refuses: connect again
    await expect(t.app.get(DialpadClient).getCompany(app.id)).rejects.toMatchObject({ code: 'DIALPAD_RECONNECT_REQUIRED' });
    const sync = await request(t.baseUrl).post(`/internal/apps/${app.id}/dialpad/sync-users`).set('Authorization', adminAuth(t));
    expectErrorShape(sync, 409);
    expect(errorText(sync)).toMatch(/no Dialpad connection.*\/auth\/dialpad\/connect/);
    expectErrorShape(await request(t.baseUrl).delete(`/internal/apps/${(await createApp(t, 'Never')).id}/dialpad`).set('Authorization', adminAuth(t)), 404);
  });

  it('DELETE still wipes the tokens when Dialpad fails the deauthorize', async () => {
    const app = await connectFresh('Disconnect failing');
    fake.setFailure('deauthorize', 'server_error');
    const res = await request(t.baseUrl).delete(`/internal/apps/${app.id}/dialpad`).set('Authorization', adminAuth(t));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'disconnected', deauthorized: false });
    expect((await connection(app.id))?.access_token_enc).toBeNull();
  });

  it('routes webhooks sent with x-dialpad-org-id to the app as soon as it connects, and no longer once disconnected', async () => {
    const app = await createApp(t, 'Org routing');
    const json = fixtureWith('inbound-ringing.json', { call_id: '7300000000000001' });
    const post = async () =>
      request(t.baseUrl).post('/webhooks/dialpad').set('x-dialpad-org-id', fake.companyId).set('content-type', 'application/jwt').send(signDialpadJwt(json, app.webhook_secret));
    expect((await post()).status).toBe(404); // caches "no app for this company" on the way
    expect((await connectDialpad(t, fake, app.id)).status).toBe(200);
    const routed = await post();
    expect(routed.status).toBe(200);
    expect(routed.body).toMatchObject({ received: true, duplicate: false });
    expect((await request(t.baseUrl).delete(`/internal/apps/${app.id}/dialpad`).set('Authorization', adminAuth(t))).status).toBe(200);
    expect((await post()).status).toBe(404);
  });

  it('answers 503 naming the missing variables when Dialpad OAuth is not configured', async () => {
    const bare = await startTestApp({ EVENT_PROCESSOR_ENABLED: 'false', DIALPAD_BASE_URL: fake.url });
    try {
      const app = await createApp(bare, 'Unconfigured');
      const res = await request(bare.baseUrl).get('/auth/dialpad/connect').query({ app_id: app.id }).set('Authorization', `Bearer ${bare.adminToken}`);
      expectErrorShape(res, 503);
      expect(errorText(res)).toContain('DIALPAD_CLIENT_ID and DIALPAD_CLIENT_SECRET');
    } finally {
      await bare.close();
    }
  });

  async function connectFresh(name: string): Promise<CreatedApp> {
    const app = await createApp(t, name);
    const res = await connectDialpad(t, fake, app.id);
    if (res.status !== 200) throw new Error(`connect failed: ${res.status} ${res.text}`);
    return app;
  }

  it('keeps secrets and the webhook secret out of the connect link', async () => {
    const app = await createApp(t, `Link ${randomBytes(2).toString('hex')}`);
    const url = await startConnect(t, app.id);
    expect(url).not.toContain(fake.clientSecret);
    expect(url).not.toContain(app.webhook_secret);
    expect(url).not.toContain(app.api_key);
  });
});
