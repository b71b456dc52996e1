import pg from 'pg';
import request from 'supertest';
import {
  DialpadRateLimitedError,
  DialpadRequestError,
  DialpadUnavailableError,
} from '../../src/integrations/dialpad/dialpad-errors.js';
import { DialpadClient } from '../../src/integrations/dialpad/dialpad.client.js';
import { adminAuth, connectDialpad, dialpadEnv } from '../support/dialpad.js';
import { FakeDialpad } from '../../demo/fakes/fake-dialpad.js';
import { errorText, expectErrorShape } from '../support/http-expect.js';
import { startTestApp, TestApp } from '../support/test-app.js';
import { CreatedApp, createApp } from '../support/webhooks.js';

const HALF_OPEN_MS = 600;

describe('Dialpad API client: limits, retries, timeouts, circuit breaker (e2e)', () => {
  let fake: FakeDialpad;
  let t: TestApp;
  let pool: pg.Pool;
  let client: DialpadClient;
  let app: CreatedApp;
  const user = () => fake.users[0]!.id;

  /** Each test gets its own connected app: circuit breakers and rate limits are per app. */
  async function connected(name: string): Promise<CreatedApp> {
    await pool.query(`UPDATE dialpad_connections SET dialpad_company_id = NULL WHERE dialpad_company_id = $1`, [fake.companyId]);
    const created = await createApp(t, name);
    const res = await connectDialpad(t, fake, created.id);
    if (res.status !== 200) throw new Error(`connect failed: ${res.status} ${res.text}`);
    return created;
  }
  const calls = () => fake.requestsTo('call').length;
  const userGets = () => fake.requestsTo('user').length;

  beforeAll(async () => {
    fake = await FakeDialpad.start();
    t = await startTestApp(dialpadEnv(fake, { EVENT_PROCESSOR_ENABLED: 'false', DIALPAD_BREAKER_HALF_OPEN_MS: String(HALF_OPEN_MS) }));
    pool = new pg.Pool({ connectionString: t.db.url, max: 2 });
    client = t.app.get(DialpadClient);
  });
  beforeEach(async () => {
    app = await connected((expect.getState().currentTestName ?? 'client').slice(-60));
  });
  afterEach(() => fake.clearFailures());
  afterAll(async () => {
    await pool?.end();
    await t?.close();
    await fake?.close();
  });

  it('initiateCall: POST /api/v2/call with the bearer token; the call id comes back exact (above 2^53)', async () => {
    const res = await client.initiateCall(app.id, { user_id: user(), phone_number: '+14155550177', custom_data: 'attempt-1', outbound_caller_id: '+15105550100' });
    const sent = fake.requestsTo('call').at(-1)!;
    expect(res).toEqual({ call_id: fake.calls.at(-1)!.call_id });
    expect(BigInt(res.call_id)).toBeGreaterThan(2n ** 53n);
    expect(sent.json).toEqual({ phone_number: '+14155550177', user_id: user(), custom_data: 'attempt-1', outbound_caller_id: '+15105550100' });
    expect(sent.headers['content-type']).toBe('application/json');
    expect(fake.issuedTokens()).toContain(sent.bearer);
  });

  it('refuses arguments Dialpad would refuse, without sending anything', async () => {
    const before = calls();
    await expect(client.initiateCall(app.id, { user_id: user(), phone_number: '4155550177' })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await expect(client.initiateCall(app.id, { user_id: 'abc', phone_number: '+14155550177' })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await expect(client.initiateCall(app.id, { user_id: user(), phone_number: '+14155550177', outbound_caller_id: 'me' })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await expect(client.listUsers(app.id, { limit: 101 })).rejects.toMatchObject({ code: 'INVALID_INPUT', message: expect.stringContaining('1–100') });
    await expect(client.hangup(app.id, '12x')).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    expect(calls()).toBe(before);
  });

  it('rate limiter: the 6th call initiation of one user within a minute → DialpadRateLimitedError with retryAfterMs; other users unaffected', async () => {
    const before = calls();
    for (let i = 0; i < 5; i++) await client.initiateCall(app.id, { user_id: user(), phone_number: '+14155550177', custom_data: `a${i}` });
    const sixth = await client.initiateCall(app.id, { user_id: user(), phone_number: '+14155550177' }).catch((e: unknown) => e);
    expect(sixth).toBeInstanceOf(DialpadRateLimitedError);
    const limited = sixth as DialpadRateLimitedError;
    expect(limited.scope).toBe('user_call_initiations');
    expect(limited.retryAfterMs).toBeGreaterThan(50_000);
    expect(limited.retryAfterMs).toBeLessThanOrEqual(60_000);
    expect(limited.code).toBe('RATE_LIMITED');
    expect(calls() - before).toBe(5); // the 6th never reached Dialpad
    await client.initiateCall(app.id, { user_id: fake.users[1]!.id, phone_number: '+14155550177' });
    expect(calls() - before).toBe(6);
  });

  it('hangup: PUT /api/v2/call/:id/actions/hangup', async () => {
    const { call_id } = await client.initiateCall(app.id, { user_id: fake.users[2]!.id, phone_number: '+14155550178' });
    await client.hangup(app.id, call_id);
    expect(fake.requestsTo('hangup').at(-1)).toMatchObject({ method: 'PUT', path: `/api/v2/call/${call_id}/actions/hangup`, status: 200 });
    await expect(client.hangup(app.id, '123')).rejects.toMatchObject({ status: 404, code: 'BAD_GATEWAY' });
  });

  it('retries 500 and 429 (idempotent reads) and succeeds', async () => {
    fake.setFailure('user', 'server_error', { times: 2 });
    let before = userGets();
    expect((await client.getUser(app.id, user())).id).toBe(user());
    expect(userGets() - before).toBe(3);

    fake.setFailure('user', 'rate_limited', { times: 2, retryAfterSeconds: 0 });
    before = userGets();
    expect((await client.getUser(app.id, user())).id).toBe(user());
    expect(userGets() - before).toBe(3);
  });

  it('honours Retry-After before retrying', async () => {
    fake.setFailure('user', 'rate_limited', { times: 1, retryAfterSeconds: 1 });
    const started = Date.now();
    await client.getUser(app.id, user());
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
  });

  it('never retries a 400 (or 404): one attempt, Dialpad’s message in a DialpadRequestError', async () => {
    fake.setFailure('user', 'bad_request', { message: 'Invalid user id' });
    const before = userGets();
    const err = await client.getUser(app.id, user()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DialpadRequestError);
    expect(err).toMatchObject({ status: 400, code: 'BAD_GATEWAY', message: expect.stringContaining('Invalid user id') });
    expect(userGets() - before).toBe(1);
    fake.clearFailures();
    await expect(client.getUser(app.id, '1')).rejects.toMatchObject({ status: 404 });
  });

  it('gives up after the attempts on a persistent 5xx: DialpadUnavailableError', async () => {
    fake.setFailure('user', 'server_error');
    const before = userGets();
    const err = await client.getUser(app.id, user()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DialpadUnavailableError);
    expect((err as Error).message).toMatch(/500.*after 3 attempts/);
    expect(userGets() - before).toBe(3);
  });

  it('placing a call is not repeated after a 500 (Dialpad may have placed it), but is after a 429', async () => {
    fake.setFailure('call', 'server_error', { times: 1 });
    let before = calls();
    await expect(client.initiateCall(app.id, { user_id: user(), phone_number: '+14155550179' })).rejects.toBeInstanceOf(DialpadUnavailableError);
    expect(calls() - before).toBe(1);

    fake.setFailure('call', 'rate_limited', { times: 1, retryAfterSeconds: 0 });
    before = calls();
    const { call_id } = await client.initiateCall(app.id, { user_id: user(), phone_number: '+14155550179' });
    expect(call_id).toMatch(/^\d+$/);
    expect(calls() - before).toBe(2);
  });

  it('a Retry-After longer than we wait is handed to the caller: DialpadRateLimitedError(dialpad)', async () => {
    fake.setFailure('user', 'rate_limited', { retryAfterSeconds: 30 });
    const before = userGets();
    await expect(client.getUser(app.id, user())).rejects.toMatchObject({ scope: 'dialpad', retryAfterMs: 30_000, code: 'RATE_LIMITED' });
    expect(userGets() - before).toBe(1);
  });

  it('times out a hanging answer, retries reads, and gives up with DialpadUnavailableError', async () => {
    fake.setFailure('user', 'hang', { times: 1 });
    expect((await client.getUser(app.id, user())).id).toBe(user());
    fake.setFailure('user', 'hang');
    const started = Date.now();
    await expect(client.getUser(app.id, user())).rejects.toThrow(/did not answer within 1000 ms/);
    expect(Date.now() - started).toBeLessThan(6000);
  });

  it('circuit breaker: opens after repeated failures, fails fast (no request sent), only for that app, and closes again', async () => {
    const other = await createApp(t, 'Breaker bystander');
    fake.setFailure('company', 'server_error');
    await expect(client.getCompany(app.id)).rejects.toBeInstanceOf(DialpadUnavailableError); // 3 failures
    await expect(client.getCompany(app.id)).rejects.toThrow(/circuit open/); // 2 more: the 5th opens it
    const sent = fake.requestsTo('company').length;
    const fast = await client.getCompany(app.id).catch((e: unknown) => e);
    expect(fast).toBeInstanceOf(DialpadUnavailableError);
    expect(fast).toMatchObject({ retryAfterMs: HALF_OPEN_MS, message: expect.stringMatching(/circuit open/) });
    expect(fake.requestsTo('company').length).toBe(sent);

    // over HTTP: 503 with Retry-After
    fake.clearFailures();
    const usersBefore = fake.requestsTo('users').length;
    const viaRoute = await request(t.baseUrl).post(`/internal/apps/${app.id}/dialpad/sync-users`).set('Authorization', adminAuth(t));
    expectErrorShape(viaRoute, 503);
    expect(viaRoute.headers['retry-after']).toBe('1');
    expect(fake.requestsTo('users').length).toBe(usersBefore);

    // another app is not affected (connect it: the identity lookup passes through its own breaker)
    await pool.query(`UPDATE dialpad_connections SET dialpad_company_id = NULL WHERE dialpad_company_id = $1`, [fake.companyId]);
    expect((await connectDialpad(t, fake, other.id)).status).toBe(200);
    expect((await client.getCompany(other.id)).id).toBe(fake.companyId);

    // after the break, one trial call goes through and closes the circuit
    await new Promise((r) => setTimeout(r, HALF_OPEN_MS + 50));
    expect((await client.getCompany(app.id)).id).toBe(fake.companyId);
    expect((await client.getCompany(app.id)).id).toBe(fake.companyId);
  });

  it('4xx answers and 429s do not open the circuit', async () => {
    fake.setFailure('user', 'bad_request');
    for (let i = 0; i < 8; i++) await expect(client.getUser(app.id, user())).rejects.toBeInstanceOf(DialpadRequestError);
    fake.clearFailures();
    expect((await client.getUser(app.id, user())).id).toBe(user());
  });

  it('company limit: at most 20 requests per second reach Dialpad; the rest queue briefly and succeed', async () => {
    // 20 connections opened first: opening them inside the burst can outlast the test's 1 s attempt timeout on a
    // busy machine, and a timed-out attempt is retried (a 46th request); then these requests, and the earlier
    // tests', leave the 1 s window, so the burst is the only traffic counted
    await Promise.all(Array.from({ length: 20 }, () => client.getCompany(app.id)));
    await new Promise((r) => setTimeout(r, 1100));
    const started = Date.now();
    // 40: two windows' worth, so the second 20 wait about 1 s, well inside the queue's 2 s (a third window's
    // requests would wait right at that edge, and a loaded machine pushes them past it)
    const results = await Promise.all(Array.from({ length: 40 }, () => client.getCompany(app.id)));
    expect(results).toHaveLength(40);
    const burst = fake.requestsTo('company').filter((r) => r.at >= started);
    expect(burst).toHaveLength(40);
    const times = burst.map((r) => r.at).sort((a, b) => a - b);
    // a sliding 1 s window of at most 20, counted when a request is sent: arrival here jitters by up to a few
    // hundred ms while 20 connections open at once, so the window is checked loosely and the total strictly
    for (let i = 20; i < times.length; i++) expect(times[i]! - times[i - 20]!).toBeGreaterThanOrEqual(700);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
  });

  it('HTTP answers for Dialpad failures on an API route: 429 + Retry-After, 502 with Dialpad’s message, 503', async () => {
    const sync = () => request(t.baseUrl).post(`/internal/apps/${app.id}/dialpad/sync-users`).set('Authorization', adminAuth(t));
    fake.setFailure('users', 'rate_limited', { times: 1, retryAfterSeconds: 30 });
    const limited = await sync();
    expectErrorShape(limited, 429);
    expect(limited.headers['retry-after']).toBe('30');

    fake.setFailure('users', 'bad_request', { times: 1, message: 'cursor is malformed' });
    const refused = await sync();
    expectErrorShape(refused, 502);
    expect(errorText(refused)).toContain('cursor is malformed');

    fake.setFailure('users', 'server_error', { times: 3 });
    expectErrorShape(await sync(), 503);
  });
});
