import { SignJWT } from 'jose';

/** Signs an admin JWT (used by the admin CLI, the demo bootstrap and tests). */
export async function mintAdminToken(secret: string, sub = 'admin', ttl = '12h'): Promise<string> {
  return new SignJWT({ role: 'admin' })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(sub)
    .setIssuedAt()
    .setExpirationTime(ttl)
    .sign(new TextEncoder().encode(secret));
}
