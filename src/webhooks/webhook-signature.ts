import { createHmac, timingSafeEqual } from 'node:crypto';
import { JsonTooDeepError, parseJsonLossless } from '../common/lossless-json.js';
import { MAX_JSON_DEPTH } from '../common/json-depth.js';

/**
 * Signature checks for `POST /webhooks/dialpad` (docs/wire-protocol.md, "Body formats"). Pure: the caller passes
 * the raw body, the app's secret, the two signature headers and the current time.
 */

export interface WebhookSignatureHeaders {
  /** `x-dialpad-signature`: hex HMAC-SHA256 (an optional `sha256=` prefix is tolerated). */
  signature?: string;
  /** `x-dialpad-timestamp`: seconds or milliseconds since the epoch. */
  timestamp?: string;
}

export type WebhookFormat = 'jwt' | 'hmac' | 'unsigned';

export type DecodeErrorCode =
  | 'secret_not_configured'
  | 'missing_signature'
  | 'malformed_signature'
  | 'invalid_signature'
  | 'invalid_timestamp'
  | 'timestamp_out_of_window'
  | 'invalid_jwt'
  | 'jwt_expired'
  | 'invalid_json'
  | 'too_deep'
  | 'not_an_object';

export type DecodeResult =
  | { ok: true; payload: Record<string, unknown>; format: WebhookFormat; /** the payload's exact JSON text, for storage */ json: string }
  | { ok: false; status: 400 | 401; code: DecodeErrorCode; message: string };

/** How far `x-dialpad-timestamp` may be from our clock, either way. */
export const REPLAY_WINDOW_MS = 5 * 60 * 1000;

/** Below this a timestamp is read as seconds: 1e11 s is the year 5138, 1e11 ms is 1973. */
const SECONDS_CUTOFF = 1e11;

const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;
const HEX_SHA256 = /^[0-9a-fA-F]{64}$/;
const DIGITS = /^\d{1,16}$/;

type Failure = Extract<DecodeResult, { ok: false }>;

function fail(status: 400 | 401, code: DecodeErrorCode, message: string): Failure {
  return { ok: false, status, code, message };
}

export function decodeWebhookBody(raw: Buffer, secret: string | null, headers: WebhookSignatureHeaders, nowMs: number): DecodeResult {
  if (secret !== null && secret.length === 0) {
    // An empty key would let anyone sign: treat it as a broken configuration, not as "unsigned".
    return fail(401, 'secret_not_configured', 'the webhook secret of this app is empty; nothing can be verified');
  }
  const text = raw.toString('utf8');
  const trimmed = text.trim();
  if (COMPACT_JWS.test(trimmed)) return decodeJwt(trimmed, secret, nowMs);

  if (headers.signature !== undefined) {
    if (secret === null) {
      const message = 'x-dialpad-signature was sent but this app has no webhook secret to check it';
      return fail(401, 'secret_not_configured', message);
    }
    const verdict = checkHmac(raw, secret, headers, nowMs);
    if (verdict) return verdict;
    return parseObject(text, 'hmac');
  }

  if (secret !== null) {
    return fail(
      401,
      'missing_signature',
      'missing signature: send the event as an HS256 JWT body or with an x-dialpad-signature header',
    );
  }
  return parseObject(text, 'unsigned');
}

/**
 * HS256 compact JWS, verified with node:crypto: on the webhook hot path jose's
 * WebCrypto HMAC (an async job per call) was the largest cost in the CPU
 * profile. Only HS256 is accepted (never `none`, never another algorithm), the
 * signature is compared in constant time, and `exp` / `nbf` are enforced. The
 * claims are parsed losslessly (Dialpad's ids are near 2^53).
 */
function decodeJwt(token: string, secret: string | null, nowMs: number): DecodeResult {
  if (secret === null) {
    return fail(401, 'secret_not_configured', 'the body is a JWT but this app has no webhook secret to verify it');
  }
  const [headerB64 = '', payloadB64 = '', signatureB64 = ''] = token.split('.');
  let header: unknown;
  try {
    header = JSON.parse(Buffer.from(headerB64, 'base64url').toString('utf8'));
  } catch {
    return fail(401, 'invalid_jwt', 'the body looks like a JWT but is not a valid HS256 JWS');
  }
  const alg = (header as { alg?: unknown } | null)?.alg;
  if (alg !== 'HS256') return fail(401, 'invalid_jwt', 'the JWT must be signed with HS256');
  const expected = createHmac('sha256', secret).update(`${headerB64}.${payloadB64}`).digest();
  const given = Buffer.from(signatureB64, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return fail(401, 'invalid_jwt', 'the JWT signature does not match the webhook secret');
  }
  const claimsJson = Buffer.from(payloadB64, 'base64url').toString('utf8');
  const decoded = parseObject(claimsJson, 'jwt');
  if (!decoded.ok) return decoded.code === 'too_deep' ? decoded : fail(400, 'invalid_json', 'the JWT is correctly signed but its payload is not a JSON object');
  const { exp, nbf } = decoded.payload as { exp?: unknown; nbf?: unknown };
  if (exp !== undefined && (typeof exp !== 'number' || !Number.isFinite(exp))) return fail(401, 'invalid_jwt', 'the JWT claims were rejected: exp must be a number');
  if (typeof exp === 'number' && exp * 1000 <= nowMs) return fail(401, 'jwt_expired', 'the JWT has expired (exp is in the past)');
  if (typeof nbf === 'number' && nbf * 1000 > nowMs) return fail(401, 'invalid_jwt', 'the JWT claims were rejected: nbf is in the future');
  return decoded;
}

/** Returns a failure, or null when the signature (and timestamp, if any) are good. */
function checkHmac(raw: Buffer, secret: string, headers: WebhookSignatureHeaders, nowMs: number): Failure | null {
  const provided = (headers.signature ?? '').trim().replace(/^sha256=/i, '');
  if (!HEX_SHA256.test(provided)) {
    return fail(401, 'malformed_signature', 'x-dialpad-signature must be the 64-character hex HMAC-SHA256 of the body');
  }
  const timestamp = headers.timestamp?.trim();
  if (timestamp !== undefined) {
    if (!DIGITS.test(timestamp)) {
      return fail(401, 'invalid_timestamp', 'x-dialpad-timestamp must be seconds or milliseconds since the epoch');
    }
    const value = Number(timestamp);
    const ms = value < SECONDS_CUTOFF ? value * 1000 : value;
    if (Math.abs(nowMs - ms) > REPLAY_WINDOW_MS) {
      return fail(
        401,
        'timestamp_out_of_window',
        'x-dialpad-timestamp is outside the 5-minute replay window; a fresh delivery needs a fresh timestamp',
      );
    }
  }
  const expected = Buffer.from(signHmac(raw, secret, timestamp), 'hex');
  if (!timingSafeEqual(expected, Buffer.from(provided, 'hex'))) {
    return fail(401, 'invalid_signature', 'x-dialpad-signature does not match the body and the webhook secret');
  }
  return null;
}

function parseObject(text: string, format: WebhookFormat): DecodeResult {
  let parsed: unknown;
  try {
    // Dialpad's events nest a few levels; thousands would overflow the stack of any recursive reader (a 500):
    // the parse checks the depth in the walk it makes anyway (no second pass over the text on the hot path)
    parsed = parseJsonLossless(text, MAX_JSON_DEPTH);
  } catch (err) {
    if (err instanceof JsonTooDeepError) return fail(400, 'too_deep', `the event is nested deeper than ${MAX_JSON_DEPTH} levels`);
    return fail(400, 'invalid_json', 'the body is neither valid JSON nor a JWT');
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    return fail(400, 'not_an_object', 'the event must be a JSON object');
  }
  return { ok: true, payload: parsed as Record<string, unknown>, format, json: text };
}

/**
 * Hex HMAC-SHA256 of the body, or of `"<timestamp>.<body>"` when a timestamp is
 * given: what a sender puts in `x-dialpad-signature`.
 */
export function signHmac(raw: string | Buffer, secret: string, timestamp?: string): string {
  const hmac = createHmac('sha256', secret);
  if (timestamp !== undefined) hmac.update(`${timestamp}.`);
  return hmac.update(raw).digest('hex');
}
