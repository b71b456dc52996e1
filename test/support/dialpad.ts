import request from 'supertest';
import type { FakeDialpad } from '../../demo/fakes/fake-dialpad.js';
import type { TestApp } from './test-app.js';

/** The redirect URI registered with the fake; tests replay the callback against the app's real origin. */
export const TEST_REDIRECT_URI = 'https://cti.example.test/auth/dialpad/callback';

/** Environment for startTestApp pointing the service at a fake Dialpad, with short timeouts and retry delays. */
export function dialpadEnv(fake: FakeDialpad, extra: Record<string, string> = {}): Record<string, string> {
  return {
    DIALPAD_BASE_URL: fake.url,
    DIALPAD_CLIENT_ID: fake.clientId,
    DIALPAD_CLIENT_SECRET: fake.clientSecret,
    DIALPAD_REDIRECT_URI: TEST_REDIRECT_URI,
    DIALPAD_HTTP_TIMEOUT_MS: '1000', // short, yet above what a loaded CI machine takes to answer locally
    DIALPAD_RETRY_MAX_ATTEMPTS: '3',
    DIALPAD_RETRY_BASE_DELAY_MS: '5',
    DIALPAD_RETRY_MAX_DELAY_MS: '2000',
    DIALPAD_BREAKER_THRESHOLD: '5',
    DIALPAD_BREAKER_HALF_OPEN_MS: '30000',
    ...extra,
  };
}

export const adminAuth = (t: TestApp) => `Bearer ${t.adminToken}`;

/** GET /auth/dialpad/connect as admin; expects the 302 and returns Dialpad's authorize URL. */
export async function startConnect(t: TestApp, appId: string): Promise<string> {
  const res = await request(t.baseUrl).get('/auth/dialpad/connect').query({ app_id: appId }).set('Authorization', adminAuth(t));
  if (res.status !== 302) throw new Error(`connect answered ${res.status}: ${res.text}`);
  return res.headers.location as string;
}

/** The browser's return from Dialpad: GET /auth/dialpad/callback with the query Dialpad appended. */
export function callback(t: TestApp, redirectedTo: string) {
  return request(t.baseUrl).get('/auth/dialpad/callback').query(Object.fromEntries(new URL(redirectedTo).searchParams));
}

/** The whole flow: connect → consent at the fake → callback. Returns the callback's answer. */
export async function connectDialpad(t: TestApp, fake: FakeDialpad, appId: string, userId?: string) {
  return callback(t, fake.consent(await startConnect(t, appId), userId));
}
