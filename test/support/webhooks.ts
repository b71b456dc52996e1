import type pg from 'pg';
import request from 'supertest';
import type { AppId } from '../../src/common/app-id.js';
import { signDialpadJwt } from '../../demo/fakes/dialpad-jwt.js';
import { signHmac } from '../../src/webhooks/webhook-signature.js';
import { loadFixture } from '../fixtures/dialpad/index.js';
import type { TestApp } from './test-app.js';

export interface CreatedApp {
  id: AppId;
  api_key: string;
  webhook_secret: string;
}

export async function createApp(t: TestApp, name = 'Test app'): Promise<CreatedApp> {
  const res = await request(t.baseUrl).post('/internal/apps').set('Authorization', `Bearer ${t.adminToken}`).send({ name });
  if (res.status !== 201) throw new Error(`create app failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as CreatedApp;
}

/** A fixture's JSON text with some top-level fields replaced (numbers stay bare, big ids keep every digit). */
export function fixtureWith(name: string, replace: Record<string, string | number | null> = {}): string {
  let text = loadFixture(name);
  for (const [key, value] of Object.entries(replace)) {
    const json = typeof value === 'string' && /^\d+$/.test(value) ? value : JSON.stringify(value);
    const pattern = new RegExp(`("${key}"\\s*:\\s*)(-?\\d+(?:\\.\\d+)?(?:[eE][+-]?\\d+)?|"(?:[^"\\\\]|\\\\.)*"|null|true|false)`);
    if (!pattern.test(text)) throw new Error(`fixture ${name} has no top-level ${key}`);
    text = text.replace(pattern, `$1${json}`);
  }
  return text;
}

/** Posts an event as Dialpad does: the JWT (HS256, the app's secret) is the whole body. */
export async function postJwt(t: TestApp, app: CreatedApp, json: string): Promise<request.Response> {
  return request(t.baseUrl).post(`/webhooks/dialpad/${app.id}`).set('content-type', 'application/jwt').send(signDialpadJwt(json, app.webhook_secret));
}

/** Posts an event the seed's way: JSON body with x-dialpad-signature. */
export function postHmac(t: TestApp, app: CreatedApp, json: string, timestamp?: string) {
  const req = request(t.baseUrl)
    .post(`/webhooks/dialpad/${app.id}`)
    .set('content-type', 'application/json')
    .set('x-dialpad-signature', signHmac(json, app.webhook_secret, timestamp));
  if (timestamp) req.set('x-dialpad-timestamp', timestamp);
  return req.send(json);
}

export async function waitFor<T>(fn: () => Promise<T | null | undefined | false>, timeoutMs = 5000, everyMs = 20): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** Resolves once the stored event is processed; throws at once if its processing failed (its last_error). */
export function processedEvent(db: { query: pg.Pool['query'] }, eventId: string, timeoutMs = 8000): Promise<true> {
  return waitFor(async () => {
    const { rows } = await db.query<{ p: Date | null; e: string | null }>(`SELECT processed_at AS p, last_error AS e FROM webhook_events WHERE id = $1`, [eventId]);
    if (rows[0]?.e) throw new Error(`event ${eventId} failed: ${rows[0].e}`);
    return rows[0]?.p != null;
  }, timeoutMs);
}
