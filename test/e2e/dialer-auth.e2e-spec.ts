import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { mintAgentToken } from '../../src/auth/agent-token.js';
import {
  AGENT_BOOK,
  AgentClient,
  agentTab,
  agentToken,
  type DialerWorld,
  getDialerConfig,
  lead,
  LEADS_GID,
  LEADS_TAB,
  mintToken,
  phone,
  putDialerConfig,
  ROUTER_BOOK,
  routerRows,
  startDialerWorld,
} from '../support/dialer-harness.js';
import { errorText, expectErrorShape } from '../support/http-expect.js';
import { AGENT_HEADER } from '../support/sheets-fixtures.js';
import { createApp } from '../support/webhooks.js';
import { TestWsClient, wsUrl } from '../support/ws-client.js';

const ENV_ROUTER = 'env-router-book-01';
const ROUTES: ['get' | 'post', string][] = [
  ['post', '/session/start'],
  ['get', '/session/current'],
  ['post', '/session/pause'],
  ['post', '/session/resume'],
  ['post', '/session/stop'],
  ['post', '/dial'],
  ['post', '/disposition'],
];

/** Agent tokens, the dialer's auth, its per-app configuration and the router checks of POST /session/start. */
describe('Dialer auth, configuration and router checks (e2e)', () => {
  let w: DialerWorld;

  beforeAll(async () => {
    w = await startDialerWorld({ env: { ROUTER_SPREADSHEET_ID: ENV_ROUTER } });
    const user = w.dialpad.users[0]!.id;
    w.sheets.setSheet(
      ROUTER_BOOK,
      'Router',
      routerRows([
        { email: 'ok@example.com', dialpadUserId: user },
        { email: 'off@example.com', dialpadUserId: user, active: 'FALSE' },
        { email: 'broken@example.com', dialpadUserId: user, tabId: 'Broken' },
      ]),
    );
    w.sheets.setSheet(ENV_ROUTER, 'Router', routerRows([{ email: 'env@example.com', dialpadUserId: user }]));
    w.sheets.setSheet(AGENT_BOOK, LEADS_TAB, agentTab([lead('L1', 'Ada', [phone(1)])]), { sheetId: LEADS_GID });
    w.sheets.setSheet(AGENT_BOOK, 'Broken', agentTab([lead('B1', 'Bea', [phone(2)])], AGENT_HEADER.filter((h) => h !== 'Num1')));
  });
  afterAll(async () => {
    await w?.close();
  });

  const call = (method: 'get' | 'post', path: string, auth?: string) => {
    const req = request(w.t.baseUrl)[method](path);
    if (auth !== undefined) req.set('Authorization', auth);
    return method === 'post' && path === '/disposition' ? req.send({ attempt_id: randomUUID(), code: 1 }) : req;
  };

  it('POST /api/agents/token: the app key mints a short-lived agent JWT; no key 401, bad e-mail 400', async () => {
    const res = await mintToken(w.t, w.app, '  Ok@Example.com ');
    expect(res.status).toBe(201);
    const { token, expires_at } = res.body as { token: string; expires_at: string };
    const claims = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8')) as Record<string, unknown>;
    expect(claims).toMatchObject({ sub: 'ok@example.com', app_id: w.app.id, role: 'agent' });
    expect((claims.exp as number) * 1000).toBe(Date.parse(expires_at));
    expect(Date.parse(expires_at) - Date.now()).toBeGreaterThan(3500_000);
    expect(Date.parse(expires_at) - Date.now()).toBeLessThanOrEqual(3600_000);

    expectErrorShape(await request(w.t.baseUrl).post('/api/agents/token').send({ agent_email: 'ok@example.com' }), 401);
    expectErrorShape(await request(w.t.baseUrl).post('/api/agents/token').set('x-app-api-key', `ctk_${'x'.repeat(40)}`).send({ agent_email: 'ok@example.com' }), 401);
    for (const body of [{ agent_email: 'not-an-email' }, {}, { agent_email: 'ok@example.com', role: 'admin' }]) {
      const bad = await request(w.t.baseUrl).post('/api/agents/token').set('x-app-api-key', w.app.api_key).send(body);
      expectErrorShape(bad, 400);
    }
    const bad = await mintToken(w.t, w.app, 'not-an-email');
    expect(errorText(bad)).toContain('agent_email');
  });

  it('every dialer route refuses a missing, forged, expired, unknown-app or non-agent token (401)', async () => {
    const secret = w.t.config.INTERNAL_JWT_SECRET;
    const expired = (await mintAgentToken(secret, w.app.id, 'ok@example.com', -120)).token;
    const forged = (await mintAgentToken('f'.repeat(48), w.app.id, 'ok@example.com', 600)).token;
    const unknownApp = (await mintAgentToken(secret, randomUUID(), 'ok@example.com', 600)).token;
    const auths = [undefined, 'Bearer', 'Bearer not.a.jwt', `Basic ${expired}`, `Bearer ${expired}`, `Bearer ${forged}`, `Bearer ${unknownApp}`, `Bearer ${w.t.adminToken}`];
    for (const [method, path] of ROUTES) {
      for (const auth of auths) {
        const res = await call(method, path, auth);
        expect({ route: `${method} ${path}`, auth: auth?.slice(0, 12), status: res.status }).toEqual({ route: `${method} ${path}`, auth: auth?.slice(0, 12), status: 401 });
        expectErrorShape(res, 401);
      }
    }
    // the same token on the agent's socket
    await expect(TestWsClient.connect(wsUrl(w.t.baseUrl, { token: expired }))).rejects.toMatchObject({ status: 401 });
  });

  it("an inactive app's agents are refused (403) on every dialer route and on the socket; active again, they are let in", async () => {
    const token = await agentToken(w.t, w.app, 'ok@example.com');
    const patch = (is_active: boolean) => request(w.t.baseUrl).patch(`/internal/apps/${w.app.id}`).set('Authorization', `Bearer ${w.t.adminToken}`).send({ is_active });
    expect((await patch(false)).status).toBe(200);
    try {
      for (const [method, path] of ROUTES) expectErrorShape(await call(method, path, `Bearer ${token}`), 403);
      await expect(TestWsClient.connect(wsUrl(w.t.baseUrl, { token }))).rejects.toMatchObject({ status: 403 });
    } finally {
      expect((await patch(true)).status).toBe(200);
    }
    const agent = new AgentClient(w.t.baseUrl, token);
    expectErrorShape(await agent.current(), 404); // in, but no session yet
  });

  it('dialer-config: PUT validates the policy against its schema (400 naming the field), GET answers what is in effect, 404 without any', async () => {
    const put = (body: object) => putDialerConfig(w.t, w.app.id, body);
    const refused: [object, string][] = [
      [{ router_spreadsheet_id: ROUTER_BOOK, policy: { maxAttempts: 0 } }, 'maxAttempts'],
      [{ router_spreadsheet_id: ROUTER_BOOK, policy: { callingWindow: { start: '9am' } } }, 'callingWindow.start'],
      [{ router_spreadsheet_id: ROUTER_BOOK, policy: { callingWindow: { start: '21:00', end: '08:00' } } }, 'callingWindow.start'],
      [{ router_spreadsheet_id: ROUTER_BOOK, policy: { retry: { delayMinutes: { NO_ANSWER: -1 } } } }, 'retry.delayMinutes.NO_ANSWER'],
      [{ router_spreadsheet_id: ROUTER_BOOK, policy: { defaultTimezone: 'Mars/Olympus' } }, 'defaultTimezone'],
      [{ router_spreadsheet_id: ROUTER_BOOK, policy: { bogus: true } }, 'bogus'],
      [{ router_spreadsheet_id: ROUTER_BOOK, policy: 'lenient' }, 'policy'],
      [{ router_spreadsheet_id: 'bad id!', policy: {} }, 'router_spreadsheet_id'],
      [{ router_spreadsheet_id: ROUTER_BOOK, surprise: 1 }, 'surprise'],
    ];
    for (const [body, field] of refused) {
      const res = await put(body);
      expectErrorShape(res, 400);
      expect(errorText(res)).toContain(field);
    }
    expectErrorShape(await request(w.t.baseUrl).put(`/internal/apps/${w.app.id}/dialer-config`).send({ router_spreadsheet_id: ROUTER_BOOK }), 401);
    expectErrorShape(await putDialerConfig(w.t, randomUUID(), { router_spreadsheet_id: ROUTER_BOOK }), 404);

    const policy = { callingWindow: { start: '00:00', end: '24:00' }, maxAttempts: 4, retry: { delayMinutes: { NO_ANSWER: 30 } } };
    const ok = await put({ router_spreadsheet_id: ROUTER_BOOK, router_tab: 'Router', policy });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ router_spreadsheet_id: ROUTER_BOOK, router_tab: 'Router', policy, source: 'app' });
    expect(ok.body.effective_policy).toEqual({
      callingWindow: { enabled: true, start: '00:00', end: '24:00' },
      retry: { enabled: true, delayMinutes: { VM_SAME_NAME: 180, VM_OR_NA_UNKNOWN: 180, NO_ANSWER: 30 } },
      maxAttempts: 4,
      maxAttemptsPerNumberPer24h: null,
      maxAttemptsPerNumberPer7d: null,
      maxAttemptsPerLeadPer24h: null,
      maxAttemptsPerLeadPer7d: null,
      defaultRegion: 'US',
      defaultTimezone: 'America/New_York',
    });
    const got = await getDialerConfig(w.t, w.app.id);
    expect(got.status).toBe(200);
    expect(got.body).toMatchObject({ router_spreadsheet_id: ROUTER_BOOK, policy, effective_policy: ok.body.effective_policy });

    // an app without its own configuration: ROUTER_SPREADSHEET_ID, else nothing (404)
    const bare = await createApp(w.t, 'Bare');
    const fromEnv = await getDialerConfig(w.t, bare.id);
    expect(fromEnv.status).toBe(200);
    expect(fromEnv.body).toMatchObject({ router_spreadsheet_id: ENV_ROUTER, router_tab: 'Router', policy: {}, source: 'env' });
    const env = w.t.config.ROUTER_SPREADSHEET_ID;
    w.t.config.ROUTER_SPREADSHEET_ID = undefined;
    try {
      expectErrorShape(await getDialerConfig(w.t, bare.id), 404);
      // and its agents cannot start: the dialer is not configured
      const noConfig = await new AgentClient(w.t.baseUrl, await agentToken(w.t, bare, 'env@example.com'), w.flushed).start();
      expectErrorShape(noConfig, 409);
      expect(errorText(noConfig)).toContain('dialer-config');
    } finally {
      w.t.config.ROUTER_SPREADSHEET_ID = env;
    }
  });

  it('ROUTER_SPREADSHEET_ID is the router of an app without a dialer-config', async () => {
    const other = await createApp(w.t, 'Env router');
    const started = await new AgentClient(w.t.baseUrl, await agentToken(w.t, other, 'env@example.com'), w.flushed).start();
    expect(started.status).toBe(200);
    expect(started.body).toMatchObject({ recovered: false, session: { agent_email: 'env@example.com', spreadsheet_id: AGENT_BOOK, tab_id: String(LEADS_GID), state: 'PLAY' } });
  });

  it('session start: not in the router or not Active → 403; an agent tab without Num1 → 400 naming it; a live session is given back', async () => {
    const start = async (email: string) => new AgentClient(w.t.baseUrl, await agentToken(w.t, w.app, email), w.flushed).start();
    const stranger = await start('nobody@example.com');
    expectErrorShape(stranger, 403);
    expect(errorText(stranger)).toMatch(/nobody@example.com is not in the router/);
    const off = await start('off@example.com');
    expectErrorShape(off, 403);
    expect(errorText(off)).toMatch(/not Active/);
    const broken = await start('broken@example.com');
    expectErrorShape(broken, 400);
    expect(errorText(broken)).toMatch(/missing column Num1\b/);

    const first = await start('ok@example.com');
    expect(first.status).toBe(200);
    const again = await start('OK@example.com');
    expect(again.body).toMatchObject({ recovered: true, session: { id: first.body.session.id } });
  });
});
