import { createHmac, randomUUID } from 'node:crypto';
import pg from 'pg';
import request from 'supertest';
import { signDialpadJwt } from '../../demo/fakes/dialpad-jwt.js';
import { signHmac } from '../../src/webhooks/webhook-signature.js';
import { errorText, expectErrorShape } from '../support/http-expect.js';
import { startTestApp, TestApp } from '../support/test-app.js';
import { CreatedApp, createApp, fixtureWith, postHmac, postJwt, waitFor } from '../support/webhooks.js';

/**
 * Every answer of the webhook endpoints (docs/wire-protocol.md, "Answers"), with the input that should produce it.
 * A refused request must leave no trace: no webhook_events row, no calls row.
 */
describe('webhook answers (e2e)', () => {
  let t: TestApp;
  let app: CreatedApp;
  let other: CreatedApp;
  let db: pg.Pool;
  let nextCallId = 7_000_000_000_000_001n;

  /** A fresh call id for each event, so no two tests share an idempotency key by accident. */
  const freshCallId = () => String(nextCallId++);
  const ringing = (callId = freshCallId()) => fixtureWith('inbound-ringing.json', { call_id: callId });

  beforeAll(async () => {
    t = await startTestApp();
    app = await createApp(t, 'answers A');
    other = await createApp(t, 'answers B');
    db = new pg.Pool({ connectionString: t.db.url, max: 2 });
  });
  afterAll(async () => {
    await db.end();
    await t.close();
  });

  const hook = (path = `/webhooks/dialpad/${app.id}`) => request(t.baseUrl).post(path);

  async function counts(): Promise<{ events: number; calls: number; voicemails: number }> {
    const { rows } = await db.query<{ events: number; calls: number; voicemails: number }>(
      `SELECT (SELECT count(*)::int FROM webhook_events) AS events,
              (SELECT count(*)::int FROM calls) AS calls,
              (SELECT count(*)::int FROM voicemails) AS voicemails`,
    );
    return rows[0]!;
  }

  /**
   * Counts once the processor has nothing left to do (earlier tests' events are processed). Events of an
   * inactive app are held until it is reactivated, so they are not waited for.
   */
  async function settledCounts() {
    await waitFor(async () => {
      const { rows } = await db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM webhook_events e JOIN apps a ON a.id = e.app_id AND a.is_active
          WHERE e.processed_at IS NULL AND e.dead_at IS NULL`,
      );
      return rows[0]!.n === 0;
    });
    return counts();
  }

  /** Sends a request that must be refused with `status`, and checks it stored nothing. */
  async function expectRefused(send: () => PromiseLike<request.Response>, status: number, messagePart?: RegExp) {
    const before = await settledCounts();
    const res = await send();
    expectErrorShape(res, status);
    if (messagePart) expect(errorText(res)).toMatch(messagePart);
    // give a wrongly stored event the chance to be processed into a calls row before counting
    await new Promise((r) => setTimeout(r, 30));
    expect(await settledCounts()).toEqual(before);
    return res;
  }

  async function expectStored(res: request.Response, owner: CreatedApp, dialpadEventId: string) {
    expect({ status: res.status, body: res.body as unknown }).toEqual({
      status: 200,
      body: { received: true, event_id: expect.stringMatching(/^\d+$/), dialpad_event_id: dialpadEventId, duplicate: false },
    });
    const { rows } = await db.query(`SELECT app_id, dialpad_event_id, event_type FROM webhook_events WHERE id = $1`, [
      (res.body as { event_id: string }).event_id,
    ]);
    expect(rows).toEqual([{ app_id: owner.id, dialpad_event_id: dialpadEventId, event_type: 'call.ring' }]);
  }

  // ---------------------------------------------------------------- 200

  describe('200', () => {
    it.each([
      ['application/jwt'],
      ['text/plain'],
      ['application/json'],
      ['application/json; charset=utf-8'],
      ['application/octet-stream'],
      ['application/x-www-form-urlencoded'],
    ])(
      'accepts a JWT body sent as %s',
      async (contentType) => {
        const callId = freshCallId();
        const jwt = signDialpadJwt(ringing(callId), app.webhook_secret);
        const res = await hook().set('content-type', contentType).send(jwt);
        await expectStored(res, app, `${callId}:ringing:1731700001300`);
      },
    );

    it('accepts a JWT body sent without any Content-Type', async () => {
      const callId = freshCallId();
      const jwt = signDialpadJwt(ringing(callId), app.webhook_secret);
      // fetch sets no Content-Type for a byte body
      const res = await fetch(`${t.baseUrl}/webhooks/dialpad/${app.id}`, { method: 'POST', body: new TextEncoder().encode(jwt) });
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({
        received: true,
        event_id: expect.stringMatching(/^\d+$/),
        dialpad_event_id: `${callId}:ringing:1731700001300`,
        duplicate: false,
      });
    });

    it('accepts a JWT body with surrounding whitespace and a future exp', async () => {
      const callId = freshCallId();
      const json = ringing(callId).replace(/^\{/, `{"exp": ${Math.floor(Date.now() / 1000) + 600},`);
      const jwt = signDialpadJwt(json, app.webhook_secret);
      const res = await hook().set('content-type', 'application/jwt').send(`\n${jwt}\n`);
      await expectStored(res, app, `${callId}:ringing:1731700001300`);
    });

    it('accepts a JSON body with x-dialpad-signature (HMAC of the raw body)', async () => {
      const callId = freshCallId();
      await expectStored(await postHmac(t, app, ringing(callId)), app, `${callId}:ringing:1731700001300`);
    });

    it('accepts x-dialpad-signature with a sha256= prefix', async () => {
      const callId = freshCallId();
      const json = ringing(callId);
      const res = await hook()
        .set('content-type', 'application/json')
        .set('x-dialpad-signature', `sha256=${signHmac(json, app.webhook_secret)}`)
        .send(json);
      await expectStored(res, app, `${callId}:ringing:1731700001300`);
    });

    it('accepts an HMAC with x-dialpad-timestamp in seconds', async () => {
      const callId = freshCallId();
      const res = await postHmac(t, app, ringing(callId), String(Math.floor(Date.now() / 1000)));
      await expectStored(res, app, `${callId}:ringing:1731700001300`);
    });

    it('accepts an HMAC with x-dialpad-timestamp in milliseconds', async () => {
      const callId = freshCallId();
      const res = await postHmac(t, app, ringing(callId), String(Date.now() - 60_000));
      await expectStored(res, app, `${callId}:ringing:1731700001300`);
    });

    it('uses the payload event_id as the idempotency key when present', async () => {
      const json = ringing().replace(/^\{/, '{"event_id": "evt-answers-explicit-1",');
      await expectStored(await postJwt(t, app, json), app, 'evt-answers-explicit-1');
    });

    it('answers a second delivery with duplicate: true, the same ids, and stores nothing new', async () => {
      const callId = freshCallId();
      const json = ringing(callId);
      const first = await postJwt(t, app, json);
      expect(first.status).toBe(200);
      const before = await counts();
      const again = await postJwt(t, app, json);
      const viaHmac = await postHmac(t, app, json);
      for (const res of [again, viaHmac]) {
        expect({ status: res.status, body: res.body as unknown }).toEqual({ status: 200, body: { ...first.body, duplicate: true } });
      }
      expect((await counts()).events).toBe(before.events);
      const { rows } = await db.query(`SELECT count(*)::int AS n FROM webhook_events WHERE app_id = $1 AND dialpad_call_id = $2`, [
        app.id,
        callId,
      ]);
      expect(rows[0].n).toBe(1);
    });

    it('answers duplicates sent concurrently with exactly one stored event', async () => {
      const json = ringing();
      const answers = await Promise.all(Array.from({ length: 8 }, () => postJwt(t, app, json)));
      expect(answers.map((r) => r.status)).toEqual(Array(8).fill(200));
      const ids = new Set(answers.map((r) => (r.body as { event_id: string }).event_id));
      expect(ids.size).toBe(1);
      expect(answers.filter((r) => (r.body as { duplicate: boolean }).duplicate === false)).toHaveLength(1);
    });

    it('stores the same Dialpad event for each app it is sent to (the idempotency key is per app)', async () => {
      const callId = freshCallId();
      const json = ringing(callId);
      const a = await postJwt(t, app, json);
      const b = await postJwt(t, other, json);
      await expectStored(a, app, `${callId}:ringing:1731700001300`);
      await expectStored(b, other, `${callId}:ringing:1731700001300`);
      expect((b.body as { event_id: string }).event_id).not.toBe((a.body as { event_id: string }).event_id);
      const { rows } = await db.query(`SELECT app_id FROM webhook_events WHERE dialpad_call_id = $1 ORDER BY id`, [callId]);
      expect(rows.map((r) => r.app_id)).toEqual([app.id, other.id]);
      // and a repeat to the second app is now its duplicate
      const again = await postHmac(t, other, json);
      expect(again.body).toEqual({ ...b.body, duplicate: true });
    });

    it('accepts POST /webhooks/dialpad with x-app-api-key (tenant from the key)', async () => {
      const callId = freshCallId();
      const jwt = signDialpadJwt(ringing(callId), other.webhook_secret);
      const res = await hook('/webhooks/dialpad').set('x-app-api-key', other.api_key).set('content-type', 'application/jwt').send(jwt);
      await expectStored(res, other, `${callId}:ringing:1731700001300`);
    });

    it('accepts POST /webhooks/dialpad with x-dialpad-org-id of a connected Dialpad company', async () => {
      await db.query(`INSERT INTO dialpad_connections (app_id, dialpad_company_id, status) VALUES ($1, $2, 'connected')`, [
        other.id,
        '5100000000000001',
      ]);
      const callId = freshCallId();
      const json = ringing(callId);
      const res = await hook('/webhooks/dialpad')
        .set('x-dialpad-org-id', '5100000000000001')
        .set('content-type', 'application/json')
        .set('x-dialpad-signature', signHmac(json, other.webhook_secret))
        .send(json);
      await expectStored(res, other, `${callId}:ringing:1731700001300`);
      // signed with the wrong app's secret: the org id decides whose secret is checked
      await expectRefused(
        async () =>
          hook('/webhooks/dialpad')
            .set('x-dialpad-org-id', '5100000000000001')
            .set('content-type', 'application/jwt')
            .send(signDialpadJwt(ringing(), app.webhook_secret)),
        401,
      );
    });
  });

  // ---------------------------------------------------------------- 400

  describe('400', () => {
    const hmacSigned = (body: string, contentType = 'application/json') =>
      hook().set('content-type', contentType).set('x-dialpad-signature', signHmac(body, app.webhook_secret)).send(body);

    it('refuses a correctly signed body that is neither JSON nor a JWT', async () => {
      await expectRefused(() => hmacSigned('call_id=1&state=ringing', 'text/plain'), 400, /neither valid JSON nor a JWT/);
      await expectRefused(() => hmacSigned('{"call_id": 1, "state": "ringing"'), 400, /JSON/);
    });

    it('refuses a JSON array', async () => {
      await expectRefused(() => hmacSigned(`[${ringing()}]`), 400, /JSON object/);
    });

    it.each([['application/json'], ['application/jwt'], ['text/plain']])('refuses an empty body (%s)', async (contentType) => {
      await expectRefused(() => hook().set('content-type', contentType).send(''), 400);
    });

    it('refuses an empty body without Content-Type', async () => {
      const before = await settledCounts();
      const res = await fetch(`${t.baseUrl}/webhooks/dialpad/${app.id}`, { method: 'POST' });
      expect(res.status).toBe(400);
      const body = (await res.json()) as Record<string, unknown>;
      expect(body).toMatchObject({ statusCode: 400, error: 'Bad Request', message: expect.stringMatching(/empty body/i) });
      expect(await settledCounts()).toEqual(before);
    });

    it('refuses JSON without call_id (message says so)', async () => {
      const json = JSON.stringify({ state: 'ringing', event_timestamp: 1731700001300, direction: 'inbound' });
      await expectRefused(() => hmacSigned(json), 400, /call_id/);
      await expectRefused(async () => hook().set('content-type', 'application/jwt').send(signDialpadJwt(json, app.webhook_secret)), 400, /call_id/);
    });

    it('refuses a call_id that is not an id', async () => {
      await expectRefused(() => hmacSigned(fixtureWith('inbound-ringing.json', { call_id: 'abc' })), 400, /call_id/);
      await expectRefused(() => hmacSigned(fixtureWith('inbound-ringing.json', { call_id: -5 })), 400, /call_id/);
    });

    it('refuses JSON without state or event_type (message says so)', async () => {
      const json = JSON.stringify({ call_id: 7123456789, event_timestamp: 1731700001300 });
      await expectRefused(() => hmacSigned(json), 400, /state.*event_type|event_type.*state/);
      await expectRefused(() => hmacSigned(fixtureWith('inbound-ringing.json', { call_id: freshCallId(), state: null })), 400, /state/);
    });

    it('refuses a state that is not a word', async () => {
      await expectRefused(() => hmacSigned(fixtureWith('inbound-ringing.json', { state: 'ring ing!' })), 400, /state/);
    });

    it.each([
      ['a JSON array', '[1, 2, 3]'],
      ['a JSON number', '42'],
      ['a JSON string', '"hello"'],
      ['not JSON at all', 'hello world'],
    ])('refuses a correctly signed JWT whose payload is %s', async (_label, payload) => {
      const jwt = signDialpadJwt(payload, app.webhook_secret);
      await expectRefused(() => hook().set('content-type', 'application/jwt').send(jwt), 400, /not a JSON object/);
    });

    it('refuses a payload with a \\u0000 escape (jsonb cannot store it) with 400, not 500', async () => {
      const json = fixtureWith('leg-with-master.json', { call_id: freshCallId(), custom_data: 'crm\u0000lead' });
      expect(json).toContain('"crm\\u0000lead"');
      await expectRefused(() => postJwt(t, app, json), 400, /\\u0000/);
      await expectRefused(() => postHmac(t, app, json), 400);
    });

    it('refuses a payload with a lone surrogate escape with 400, not 500', async () => {
      const json = fixtureWith('leg-with-master.json', { call_id: freshCallId() }).replace('"crm-lead-4711"', '"crm\\ud800lead"');
      expect(json).toContain('\\ud800');
      await expectRefused(() => postHmac(t, app, json), 400);
    });

    it('a bad payload does not fail the good events stored alongside it', async () => {
      const goodId = freshCallId();
      const bad = fixtureWith('leg-with-master.json', { call_id: freshCallId(), custom_data: 'x\u0000y' });
      const answers = await Promise.all([postJwt(t, app, ringing(goodId)), postJwt(t, app, bad), postHmac(t, app, ringing())]);
      expect(answers.map((r) => r.status)).toEqual([200, 400, 200]);
      expectErrorShape(answers[1], 400);
      await expectStored(answers[0], app, `${goodId}:ringing:1731700001300`);
    });
  });

  // ---------------------------------------------------------------- 401

  describe('401', () => {
    const b64 = (value: object | string) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

    it('refuses a JSON body without any signature', async () => {
      await expectRefused(() => hook().set('content-type', 'application/json').send(ringing()), 401, /signature/);
    });

    it('refuses an HMAC made with another secret', async () => {
      const json = ringing();
      await expectRefused(
        () => hook().set('content-type', 'application/json').set('x-dialpad-signature', signHmac(json, other.webhook_secret)).send(json),
        401,
        /does not match/,
      );
    });

    it('refuses an HMAC of other bytes (body changed after signing)', async () => {
      const json = ringing();
      const signature = signHmac(json, app.webhook_secret);
      await expectRefused(
        () => hook().set('content-type', 'application/json').set('x-dialpad-signature', signature).send(json.replace('ringing', 'hangup')),
        401,
      );
    });

    it.each([['not-hex'], ['abc123'], ['z'.repeat(64)], ['a'.repeat(63)], ['a'.repeat(66)], ['']])(
      'refuses a malformed signature %j',
      async (signature) => {
        await expectRefused(
          () => hook().set('content-type', 'application/json').set('x-dialpad-signature', signature).send(ringing()),
          401,
        );
      },
    );

    it('refuses a JWT signed with another secret', async () => {
      const jwt = signDialpadJwt(ringing(), other.webhook_secret);
      await expectRefused(() => hook().set('content-type', 'application/jwt').send(jwt), 401, /signature/);
    });

    it('refuses a JWT with a tampered payload', async () => {
      const [header, , signature] = (signDialpadJwt(ringing(), app.webhook_secret)).split('.');
      const forged = `${header}.${b64(ringing())}x.${signature}`;
      await expectRefused(() => hook().set('content-type', 'application/jwt').send(forged), 401);
    });

    it('refuses an unsigned JWT (alg none)', async () => {
      const token = `${b64({ alg: 'none', typ: 'JWT' })}.${b64(ringing())}.`;
      await expectRefused(() => hook().set('content-type', 'application/jwt').send(token), 401);
    });

    it('refuses a JWT signed with HS512, even with the right secret', async () => {
      const head = `${b64({ alg: 'HS512', typ: 'JWT' })}.${b64(ringing())}`;
      const token = `${head}.${createHmac('sha512', app.webhook_secret).update(head).digest('base64url')}`;
      await expectRefused(() => hook().set('content-type', 'application/jwt').send(token), 401, /HS256/);
    });

    it('refuses an expired JWT (exp in the past)', async () => {
      const json = ringing().replace(/^\{/, `{"exp": ${Math.floor(Date.now() / 1000) - 3600},`);
      await expectRefused(async () => postJwt(t, app, json), 401, /expired/);
    });

    it('refuses a timestamp older than 5 minutes, even correctly signed', async () => {
      const json = ringing();
      const old = String(Math.floor(Date.now() / 1000) - 6 * 60);
      await expectRefused(() => postHmac(t, app, json, old), 401, /replay window/);
      await expectRefused(() => postHmac(t, app, json, String(Date.now() - 6 * 60 * 1000)), 401, /replay window/);
    });

    it('refuses a timestamp more than 5 minutes in the future', async () => {
      await expectRefused(() => postHmac(t, app, ringing(), String(Math.floor(Date.now() / 1000) + 6 * 60)), 401);
    });

    it('refuses a timestamp that is not a number', async () => {
      await expectRefused(() => postHmac(t, app, ringing(), '2024-11-15T10:00:00Z'), 401, /timestamp/);
    });

    it('refuses a body-only HMAC when a timestamp header is sent (the HMAC must cover it)', async () => {
      const json = ringing();
      await expectRefused(
        () =>
          hook()
            .set('content-type', 'application/json')
            .set('x-dialpad-signature', signHmac(json, app.webhook_secret))
            .set('x-dialpad-timestamp', String(Math.floor(Date.now() / 1000)))
            .send(json),
        401,
      );
    });

    it('refuses a valid x-app-api-key with a body signed by another app', async () => {
      const jwt = signDialpadJwt(ringing(), other.webhook_secret);
      await expectRefused(() => hook('/webhooks/dialpad').set('x-app-api-key', app.api_key).set('content-type', 'application/jwt').send(jwt), 401);
    });

    it('refuses an invalid x-app-api-key on /webhooks/dialpad', async () => {
      const jwt = signDialpadJwt(ringing(), app.webhook_secret);
      for (const key of [`ctk_${'A'.repeat(40)}`, 'nonsense']) {
        await expectRefused(
          () => hook('/webhooks/dialpad').set('x-app-api-key', key).set('content-type', 'application/jwt').send(jwt),
          401,
          /API key/,
        );
      }
    });
  });

  // ---------------------------------------------------------------- 403

  describe('403', () => {
    it('refuses events for an inactive app, on both routes', async () => {
      const inactive = await createApp(t, 'answers inactive');
      await request(t.baseUrl)
        .patch(`/internal/apps/${inactive.id}`)
        .set('Authorization', `Bearer ${t.adminToken}`)
        .send({ is_active: false })
        .expect(200);
      await expectRefused(() => postJwt(t, inactive, ringing()), 403, /inactive/);
      await expectRefused(() => postHmac(t, inactive, ringing()), 403);
      const jwt = signDialpadJwt(ringing(), inactive.webhook_secret);
      await expectRefused(
        () => hook('/webhooks/dialpad').set('x-app-api-key', inactive.api_key).set('content-type', 'application/jwt').send(jwt),
        403,
      );
    });

    it('refuses an inactive app that was just used (the tenant cache is dropped on deactivation)', async () => {
      const app2 = await createApp(t, 'answers deactivated');
      expect((await postJwt(t, app2, ringing())).status).toBe(200);
      await settledCounts(); // processed before the deactivation (a loaded machine could otherwise hold it)
      await request(t.baseUrl).patch(`/internal/apps/${app2.id}`).set('Authorization', `Bearer ${t.adminToken}`).send({ is_active: false }).expect(200);
      await expectRefused(() => postJwt(t, app2, ringing()), 403);
    });
  });

  // ---------------------------------------------------------------- 404

  describe('404', () => {
    it('refuses an unknown app uuid', async () => {
      await expectRefused(
        async () => request(t.baseUrl).post(`/webhooks/dialpad/${randomUUID()}`).set('content-type', 'application/jwt').send(signDialpadJwt(ringing(), app.webhook_secret)),
        404,
        /Unknown app/,
      );
    });

    it.each([['not-a-uuid'], ['12345'], [`${'x'.repeat(100)}`]])('refuses a non-uuid app id %#', async (id) => {
      await expectRefused(() => request(t.baseUrl).post(`/webhooks/dialpad/${id}`).set('content-type', 'application/json').send(ringing()), 404);
    });

    it('refuses /webhooks/dialpad without any tenant header', async () => {
      const jwt = signDialpadJwt(ringing(), app.webhook_secret);
      await expectRefused(() => hook('/webhooks/dialpad').set('content-type', 'application/jwt').send(jwt), 404, /x-app-api-key|x-dialpad-org-id/);
    });

    it('refuses an x-dialpad-org-id no app is connected to', async () => {
      const jwt = signDialpadJwt(ringing(), app.webhook_secret);
      for (const org of ['5199999999999999', 'not-digits']) {
        await expectRefused(() => hook('/webhooks/dialpad').set('x-dialpad-org-id', org).set('content-type', 'application/jwt').send(jwt), 404);
      }
    });
  });

  // ---------------------------------------------------------------- 413

  describe('413', () => {
    it('refuses a body over 1 MiB (JWT)', async () => {
      const json = ringing().replace(/^\{/, `{"padding": "${'p'.repeat(1024 * 1024)}",`);
      const jwt = signDialpadJwt(json, app.webhook_secret);
      expect(jwt.length).toBeGreaterThan(1024 * 1024);
      await expectRefused(() => hook().set('content-type', 'application/jwt').send(jwt), 413, /too large|1 MiB/);
    });

    it.each([['application/json'], ['text/plain'], ['application/octet-stream']])('refuses a signed JSON body over 1 MiB (%s)', async (contentType) => {
      const json = ringing().replace(/^\{/, `{"padding": "${'p'.repeat(1024 * 1024)}",`);
      await expectRefused(
        () => hook().set('content-type', contentType).set('x-dialpad-signature', signHmac(json, app.webhook_secret)).send(json),
        413,
      );
    });

    it('refuses a chunked body over 1 MiB (no Content-Length)', async () => {
      const before = await settledCounts();
      const json = ringing().replace(/^\{/, `{"padding": "${'p'.repeat(1024 * 1024)}",`);
      const jwt = new TextEncoder().encode(signDialpadJwt(json, app.webhook_secret));
      const body = new ReadableStream<Uint8Array>({
        start(controller) {
          for (let i = 0; i < jwt.length; i += 64 * 1024) controller.enqueue(jwt.subarray(i, i + 64 * 1024));
          controller.close();
        },
      });
      const res = await fetch(`${t.baseUrl}/webhooks/dialpad/${app.id}`, {
        method: 'POST',
        headers: { 'content-type': 'application/jwt' },
        body,
        duplex: 'half',
      });
      expect(res.status).toBe(413);
      expect(await res.json()).toMatchObject({ statusCode: 413, error: 'Payload Too Large' });
      expect(await settledCounts()).toEqual(before);
    });

    it('accepts a body just under 1 MiB', async () => {
      const callId = freshCallId();
      const base = ringing(callId);
      const padding = 1024 * 1024 - base.length - '"padding": "",'.length - 1;
      const json = base.replace(/^\{/, `{"padding": "${'p'.repeat(padding)}",`);
      expect(Buffer.byteLength(json)).toBeLessThanOrEqual(1024 * 1024);
      await expectStored(await postHmac(t, app, json), app, `${callId}:ringing:1731700001300`);
    });
  });
});
