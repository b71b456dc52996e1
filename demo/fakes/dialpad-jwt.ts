import { createHmac } from 'node:crypto';

/**
 * An HS256 JWT as Dialpad sends a webhook body when the webhook has a secret
 * (the sender's side: the fakes and the tests; the service only verifies).
 * Built by hand rather than with jose so that a payload given as JSON text keeps
 * bare big-integer ids digit for digit.
 */
export function signDialpadJwt(payload: object | string, secret: string): string {
  const json = typeof payload === 'string' ? payload : JSON.stringify(payload);
  const header = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })).toString('base64url');
  const body = Buffer.from(json, 'utf8').toString('base64url');
  const signature = createHmac('sha256', secret).update(`${header}.${body}`).digest('base64url');
  return `${header}.${body}.${signature}`;
}
