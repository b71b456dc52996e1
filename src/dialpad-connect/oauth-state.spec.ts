import { SignJWT } from 'jose';
import { deriveStateKey, signOAuthState, STATE_TTL_SECONDS, verifyOAuthState } from './oauth-state.js';

const SECRET = 'a-test-secret-that-is-long-enough-for-hs256';
const APP = '0b7f3a62-2d4e-4c4b-9c55-0d8a3f2e1a10';
const NOW = Date.UTC(2025, 0, 15, 12, 0, 0);

describe('OAuth state', () => {
  const key = deriveStateKey(SECRET);

  it('round-trips the app and nonce, expiring after 10 minutes', async () => {
    const state = await signOAuthState(key, APP, 'nonce-1', NOW);
    const verdict = await verifyOAuthState(key, state, NOW + 60_000);
    expect(verdict).toEqual({ ok: true, appId: APP, nonce: 'nonce-1', expiresAt: new Date(NOW + STATE_TTL_SECONDS * 1000) });
    expect(STATE_TTL_SECONDS).toBe(600);
  });

  it('refuses an expired state with a message saying so', async () => {
    const state = await signOAuthState(key, APP, 'nonce-2', NOW);
    const verdict = await verifyOAuthState(key, state, NOW + STATE_TTL_SECONDS * 1000 + 1000);
    expect(verdict).toMatchObject({ ok: false, reason: 'expired' });
    expect(verdict.ok ? '' : verdict.message).toMatch(/expired/);
  });

  it('refuses a state signed with another secret, or tampered with', async () => {
    const foreign = await signOAuthState(deriveStateKey('another-secret-that-is-also-long-enough'), APP, 'n', NOW);
    expect(await verifyOAuthState(key, foreign, NOW)).toMatchObject({ ok: false, reason: 'bad_signature' });
    const genuine = await signOAuthState(key, APP, 'n', NOW);
    const [h, p, s] = genuine.split('.');
    const payload = JSON.parse(Buffer.from(p!, 'base64url').toString('utf8')) as Record<string, unknown>;
    const swapped = Buffer.from(JSON.stringify({ ...payload, app_id: '11111111-1111-4111-8111-111111111111' })).toString('base64url');
    expect(await verifyOAuthState(key, `${h}.${swapped}.${s}`, NOW)).toMatchObject({ ok: false, reason: 'bad_signature' });
  });

  it('is not an admin token: the key is derived, and the audience is checked', async () => {
    // an admin-style JWT signed with the raw INTERNAL_JWT_SECRET is not a state
    const admin = await new SignJWT({ role: 'admin', app_id: APP }).setProtectedHeader({ alg: 'HS256' }).setJti('x').setExpirationTime('1h').sign(new TextEncoder().encode(SECRET));
    expect(await verifyOAuthState(key, admin, Date.now())).toMatchObject({ ok: false, reason: 'bad_signature' });
    // right key, wrong audience
    const other = await new SignJWT({ app_id: APP }).setProtectedHeader({ alg: 'HS256' }).setAudience('turbo-cti:agent').setJti('x').setExpirationTime('1h').sign(key);
    expect(await verifyOAuthState(key, other, Date.now())).toMatchObject({ ok: false, reason: 'claims' });
  });

  it('refuses garbage without calling it a signature problem', async () => {
    for (const junk of ['', 'abc', 'a.b', '<script>', 'x'.repeat(5000)]) {
      expect(await verifyOAuthState(key, junk, NOW)).toMatchObject({ ok: false, reason: 'malformed' });
    }
  });

  it('gives every app and nonce its own state', async () => {
    const a = await signOAuthState(key, APP, 'n1', NOW);
    const b = await signOAuthState(key, APP, 'n2', NOW);
    expect(a).not.toBe(b);
  });
});
