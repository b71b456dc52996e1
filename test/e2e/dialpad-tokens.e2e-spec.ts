import { randomBytes } from 'node:crypto';
import pg from 'pg';
import request from 'supertest';
import { DialpadTokenService } from '../../src/integrations/dialpad/dialpad-token.service.js';
import { DialpadAuthError, DialpadUnavailableError } from '../../src/integrations/dialpad/dialpad-errors.js';
import { DialpadClient } from '../../src/integrations/dialpad/dialpad.client.js';
import { adminAuth, callback, connectDialpad, dialpadEnv, startConnect } from '../support/dialpad.js';
import { FakeDialpad } from '../../demo/fakes/fake-dialpad.js';
import { errorText, expectErrorShape } from '../support/http-expect.js';
import { startTestApp, TestApp } from '../support/test-app.js';
import { CreatedApp, createApp } from '../support/webhooks.js';

describe('Dialpad access tokens: refresh once, on one node or two (e2e)', () => {
  let fake: FakeDialpad;
  let nodeA: TestApp;
  let nodeB: TestApp;
  let pool: pg.Pool;

  const tokensOn = (node: TestApp) => node.app.get(DialpadTokenService);
  const row = async (appId: string) =>
    (await pool.query('SELECT *, row_to_json(c)::text AS whole FROM dialpad_connections c WHERE app_id = $1', [appId])).rows[0] as Record<string, unknown>;
  const expireStoredToken = (appId: string, inSeconds = -60) =>
    pool.query(`UPDATE dialpad_connections SET token_expires_at = now() + make_interval(secs => $2) WHERE app_id = $1`, [appId, inSeconds]);

  /** Connects a new app (the fake is one company: it is taken from whichever app held it). */
  async function connected(name: string): Promise<CreatedApp> {
    await pool.query(`UPDATE dialpad_connections SET dialpad_company_id = NULL WHERE dialpad_company_id = $1`, [fake.companyId]);
    const app = await createApp(nodeA, name);
    const res = await connectDialpad(nodeA, fake, app.id);
    if (res.status !== 200) throw new Error(`connect failed: ${res.status} ${res.text}`);
    return app;
  }

  beforeAll(async () => {
    fake = await FakeDialpad.start();
    const shared = dialpadEnv(fake, {
      REDIS_KEY_PREFIX: `tdp${randomBytes(4).toString('hex')}:`,
      INTERNAL_JWT_SECRET: randomBytes(32).toString('base64url'),
      ENCRYPTION_KEY: randomBytes(32).toString('hex'),
      EVENT_PROCESSOR_ENABLED: 'false',
    });
    nodeA = await startTestApp(shared);
    nodeB = await startTestApp(shared, nodeA.db);
    pool = new pg.Pool({ connectionString: nodeA.db.url, max: 2 });
  });
  afterAll(async () => {
    await pool?.end();
    await nodeB?.close(); // shares A's database: A drops it
    await nodeA?.close();
    await fake?.close();
  });
  afterEach(() => fake.clearFailures());

  it('a fresh token is handed out as stored, without asking Dialpad', async () => {
    const app = await connected('Fresh');
    const before = fake.requestsTo('token').length;
    const token = await tokensOn(nodeA).getValidAccessToken(app.id);
    expect(fake.issuedTokens()).toContain(token);
    expect(await tokensOn(nodeB).getValidAccessToken(app.id)).toBe(token);
    expect(fake.requestsTo('token').length).toBe(before);
  });

  it('expiry forces ONE refresh for 20 concurrent callers on one node, and API calls use the new token', async () => {
    const app = await connected('One node');
    const old = await tokensOn(nodeA).getValidAccessToken(app.id);
    await expireStoredToken(app.id);
    const refreshes = fake.refreshCount;
    const tokens = await Promise.all(Array.from({ length: 20 }, () => tokensOn(nodeA).getValidAccessToken(app.id)));
    expect(fake.refreshCount - refreshes).toBe(1);
    expect(new Set(tokens).size).toBe(1);
    expect(tokens[0]).not.toBe(old);
    const r = await row(app.id);
    expect((r.token_expires_at as Date).getTime()).toBeGreaterThan(Date.now() + 3500_000);
    expect(r.last_refreshed_at).toBeInstanceOf(Date);
    for (const t of fake.issuedTokens()) expect(r.whole).not.toContain(t);
    // the refresh used the stored refresh token, form-encoded with our client credentials
    expect(fake.requestsTo('token').at(-1)!.form).toMatchObject({ grant_type: 'refresh_token', client_id: fake.clientId, client_secret: fake.clientSecret });

    await nodeA.app.get(DialpadClient).getCompany(app.id);
    expect(fake.requestsTo('company').at(-1)!.bearer).toBe(tokens[0]);
  });

  it('expiry forces ONE refresh for 20 concurrent callers spread over two nodes sharing PostgreSQL and Redis', async () => {
    const app = await connected('Two nodes');
    for (let round = 0; round < 3; round++) {
      await expireStoredToken(app.id);
      const refreshes = fake.refreshCount;
      const tokens = await Promise.all(Array.from({ length: 20 }, (_, i) => tokensOn(i % 2 ? nodeB : nodeA).getValidAccessToken(app.id)));
      expect(fake.refreshCount - refreshes).toBe(1);
      expect(new Set(tokens).size).toBe(1);
    }
    // the rotated-out refresh tokens were never reused (the fake answers invalid_grant to a reuse)
    expect((await row(app.id)).status).toBe('connected');
  });

  it('the OAuth state lives in Redis: connect on node A, callback on node B', async () => {
    await pool.query(`UPDATE dialpad_connections SET dialpad_company_id = NULL WHERE dialpad_company_id = $1`, [fake.companyId]);
    const app = await createApp(nodeA, 'Cross node');
    const res = await callback(nodeB, fake.consent(await startConnect(nodeA, app.id)));
    expect(res.status).toBe(200);
    expect((await row(app.id)).status).toBe('connected');
  });

  it('a refresh token Dialpad refuses (invalid_grant) → needs_reconnect, said in status and in every answer', async () => {
    const app = await connected('Revoked');
    fake.revokeAll();
    await expireStoredToken(app.id);
    const results = await Promise.allSettled(Array.from({ length: 5 }, () => tokensOn(nodeA).getValidAccessToken(app.id)));
    for (const r of results) {
      expect(r.status).toBe('rejected');
      const reason = (r as PromiseRejectedResult).reason as DialpadAuthError;
      expect(reason).toBeInstanceOf(DialpadAuthError);
      expect(reason.message).toMatch(/connected again/);
    }
    expect(await row(app.id)).toMatchObject({ status: 'needs_reconnect', last_error: expect.stringContaining('invalid_grant') });
    const st = await request(nodeB.baseUrl).get(`/internal/apps/${app.id}/dialpad/status`).set('Authorization', adminAuth(nodeB));
    expect(st.body).toMatchObject({ status: 'needs_reconnect', needs_reconnect: true, connected: false, last_error: expect.stringContaining('invalid_grant') });
    const sync = await request(nodeA.baseUrl).post(`/internal/apps/${app.id}/dialpad/sync-users`).set('Authorization', adminAuth(nodeA));
    expectErrorShape(sync, 409);
    expect(sync.body.code).toBe('DIALPAD_RECONNECT_REQUIRED');
    expect(errorText(sync)).toMatch(/connected again.*\/auth\/dialpad\/connect/);
    // no second refresh attempt once the grant is known dead
    const refreshes = fake.requestsTo('token').length;
    await expect(tokensOn(nodeB).getValidAccessToken(app.id)).rejects.toBeInstanceOf(DialpadAuthError);
    expect(fake.requestsTo('token').length).toBe(refreshes);

    // connecting again heals it
    expect((await connectDialpad(nodeA, fake, app.id)).status).toBe(200);
    expect(await row(app.id)).toMatchObject({ status: 'connected', last_error: null });
    const healed = await tokensOn(nodeA).getValidAccessToken(app.id);
    expect(fake.issuedTokens()).toContain(healed);
  });

  it('Dialpad rejecting a not-yet-expired token (401): one forced refresh, the requests are repeated and succeed', async () => {
    const app = await connected('Early 401');
    fake.expireAccessTokens();
    const refreshes = fake.refreshCount;
    const companies = await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? nodeB : nodeA).app.get(DialpadClient).getCompany(app.id)));
    expect(companies.map((c) => c.id)).toEqual(Array(10).fill(fake.companyId));
    expect(fake.refreshCount - refreshes).toBe(1);
  });

  it('a 401 even with a freshly refreshed token → needs_reconnect and DialpadAuthError (409)', async () => {
    const app = await connected('Always 401');
    fake.setFailure('company', 'unauthorized');
    await expect(nodeA.app.get(DialpadClient).getCompany(app.id)).rejects.toMatchObject({ code: 'DIALPAD_RECONNECT_REQUIRED', reason: 'unauthorized' });
    expect(await row(app.id)).toMatchObject({ status: 'needs_reconnect', last_error: expect.stringContaining('401') });
  });

  it('a transient refresh failure keeps handing out a token that still has life left, and records the error', async () => {
    const app = await connected('Transient');
    const current = await tokensOn(nodeA).getValidAccessToken(app.id);
    await expireStoredToken(app.id, 30); // inside the 60 s refresh window, not expired
    fake.setFailure('token', 'server_error', { times: 1 });
    expect(await tokensOn(nodeA).getValidAccessToken(app.id)).toBe(current);
    expect(await row(app.id)).toMatchObject({ status: 'connected', last_error: expect.stringMatching(/token refresh failed.*500/) });
    // next call refreshes (the failure was one-off) and clears the error
    const next = await tokensOn(nodeA).getValidAccessToken(app.id);
    expect(next).not.toBe(current);
    expect((await row(app.id)).last_error).toBeNull();
  });

  it('an expired token whose refresh fails (500, timeout) → DialpadUnavailableError, connection kept', async () => {
    const app = await connected('Refresh down');
    await expireStoredToken(app.id);
    fake.setFailure('token', 'server_error', { times: 1 });
    await expect(tokensOn(nodeA).getValidAccessToken(app.id)).rejects.toBeInstanceOf(DialpadUnavailableError);
    fake.setFailure('token', 'hang', { times: 1 });
    await expect(tokensOn(nodeA).getValidAccessToken(app.id)).rejects.toThrow(/did not answer within 1000 ms/);
    expect((await row(app.id)).status).toBe('connected');
    // over HTTP: a clear 503, not a 500
    fake.setFailure('token', 'server_error', { times: 1 });
    const sync = await request(nodeA.baseUrl).post(`/internal/apps/${app.id}/dialpad/sync-users`).set('Authorization', adminAuth(nodeA));
    expectErrorShape(sync, 503);
    // and once Dialpad is back, it recovers by itself
    const recovered = await tokensOn(nodeA).getValidAccessToken(app.id);
    expect(fake.issuedTokens()).toContain(recovered);
  });

  it('an app that never connected gets DialpadAuthError(not_connected)', async () => {
    const app = await createApp(nodeA, 'Never connected');
    await expect(tokensOn(nodeA).getValidAccessToken(app.id)).rejects.toMatchObject({ reason: 'not_connected', code: 'DIALPAD_RECONNECT_REQUIRED' });
  });
});
