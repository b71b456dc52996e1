import { jwtVerify, SignJWT } from 'jose';
import { type AppId, asAppId } from '../common/app-id.js';
import { UUID_PATTERN } from '../common/ids.js';

export interface AgentClaims {
  /** the agent's e-mail */
  sub: string;
  app_id: AppId;
}

const AUDIENCE = 'turbo-cti:agent';

/** Short-lived agent JWT (HS256): `sub` = agent e-mail, `app_id`, `exp`. */
export async function mintAgentToken(secret: string, appId: string, email: string, ttlSeconds: number): Promise<{ token: string; expiresAt: Date }> {
  // whole seconds, as the token's exp: the expires_at we answer is exactly when the token stops working
  const expiresAt = new Date((Math.floor(Date.now() / 1000) + ttlSeconds) * 1000);
  const token = await new SignJWT({ app_id: appId, role: 'agent' })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(email)
    .setAudience(AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(Math.floor(expiresAt.getTime() / 1000))
    .sign(new TextEncoder().encode(secret));
  return { token, expiresAt };
}

/** Verifies an agent JWT; null when it is invalid, expired or not an agent token. */
export async function verifyAgentToken(secret: string, token: string): Promise<AgentClaims | null> {
  try {
    const { payload } = await jwtVerify(token, new TextEncoder().encode(secret), { algorithms: ['HS256'], audience: AUDIENCE });
    if (payload.role !== 'agent' || typeof payload.sub !== 'string' || typeof payload.app_id !== 'string') return null;
    // app_id goes to a uuid column: anything else would fail the query (a 500), not the token
    if (!UUID_PATTERN.test(payload.app_id)) return null;
    return { sub: payload.sub, app_id: asAppId(payload.app_id) };
  } catch {
    return null;
  }
}
