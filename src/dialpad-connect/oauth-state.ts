import { createHmac } from 'node:crypto';
import { errors, jwtVerify, SignJWT } from 'jose';

/**
 * The OAuth `state`: an HS256 JWT bound to the app, with a random id (`jti`)
 * that is also the key of the server-side record (PKCE verifier) consumed
 * once at the callback. Signed with a key derived from INTERNAL_JWT_SECRET
 * for this purpose only, so a state is never an admin or agent token.
 */

const AUDIENCE = 'turbo-cti:dialpad-oauth-state';
export const STATE_TTL_SECONDS = 600;

export interface OAuthStateClaims {
  appId: string;
  /** the state's single-use id */
  nonce: string;
  expiresAt: Date;
}

export type StateVerdict =
  | ({ ok: true } & OAuthStateClaims)
  | { ok: false; reason: 'malformed' | 'bad_signature' | 'expired' | 'claims'; message: string };

/** The signing key for states, derived from the service's JWT secret. */
export function deriveStateKey(internalJwtSecret: string): Uint8Array {
  return new Uint8Array(createHmac('sha256', internalJwtSecret).update('turbo-cti/dialpad-oauth-state/v1').digest());
}

export async function signOAuthState(key: Uint8Array, appId: string, nonce: string, nowMs: number, ttlSeconds = STATE_TTL_SECONDS): Promise<string> {
  const iat = Math.floor(nowMs / 1000);
  return new SignJWT({ app_id: appId })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setAudience(AUDIENCE)
    .setJti(nonce)
    .setIssuedAt(iat)
    .setExpirationTime(iat + ttlSeconds)
    .sign(key);
}

export async function verifyOAuthState(key: Uint8Array, state: string, nowMs: number): Promise<StateVerdict> {
  if (!/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(state) || state.length > 2048) {
    return { ok: false, reason: 'malformed', message: 'state is not one this service issued (malformed)' };
  }
  try {
    const { payload } = await jwtVerify(state, key, { algorithms: ['HS256'], audience: AUDIENCE, currentDate: new Date(nowMs) });
    if (typeof payload.app_id !== 'string' || typeof payload.jti !== 'string' || typeof payload.exp !== 'number') {
      return { ok: false, reason: 'claims', message: 'state is missing its app or id' };
    }
    return { ok: true, appId: payload.app_id, nonce: payload.jti, expiresAt: new Date(payload.exp * 1000) };
  } catch (err) {
    if (err instanceof errors.JWTExpired) {
      return { ok: false, reason: 'expired', message: 'state has expired (10 minutes): start again at /auth/dialpad/connect' };
    }
    if (err instanceof errors.JWTClaimValidationFailed) {
      return { ok: false, reason: 'claims', message: 'state is not an OAuth state of this service' };
    }
    return { ok: false, reason: 'bad_signature', message: 'state signature is invalid: it was not issued by this service' };
  }
}
