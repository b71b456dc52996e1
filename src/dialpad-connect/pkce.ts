import { createHash, randomBytes } from 'node:crypto';

/** RFC 7636 PKCE with the S256 method. */

const VERIFIER = /^[A-Za-z0-9._~-]{43,128}$/;

/** A fresh code verifier: 32 random bytes, base64url (43 characters, the RFC's minimum length, 256 bits). */
export function createCodeVerifier(): string {
  return randomBytes(32).toString('base64url');
}

/** `BASE64URL(SHA256(verifier))`, what goes in `code_challenge`. */
export function codeChallengeS256(verifier: string): string {
  if (!VERIFIER.test(verifier)) throw new Error('a PKCE code verifier is 43–128 characters of [A-Za-z0-9._~-]');
  return createHash('sha256').update(verifier, 'ascii').digest('base64url');
}
