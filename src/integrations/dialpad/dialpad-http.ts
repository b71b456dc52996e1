import { parseJsonLossless } from '../../common/lossless-json.js';
import { parseRetryAfter } from './retry-timing.js';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** One request to Dialpad (OAuth endpoints or REST), before resilience is applied. */
export interface DialpadRequest {
  method: HttpMethod;
  /** `/api/v2/...` or `/oauth2/...`, appended to DIALPAD_BASE_URL */
  path: string;
  query?: Record<string, string | number | undefined>;
  /** a JSON body */
  json?: unknown;
  /** an application/x-www-form-urlencoded body (the OAuth token endpoint) */
  form?: Record<string, string>;
  bearer?: string;
  /**
   * Safe to send again after a timeout or a 5xx (reads, hang-up). Placing a
   * call or exchanging a code is not: those are retried only when Dialpad
   * surely did not act (429, connection refused).
   */
  idempotent: boolean;
  /** short name for metrics and logs, e.g. `initiate_call` */
  operation: string;
}

export type FailureKind = 'http' | 'timeout' | 'connect' | 'network';

/** A failed attempt, as seen on the wire. Classified into the public errors by DialpadTransport. */
export class DialpadHttpFailure extends Error {
  constructor(
    readonly kind: FailureKind,
    message: string,
    readonly status: number | null = null,
    readonly retryAfterMs: number | null = null,
    /** OAuth `error` code (`invalid_grant`, `invalid_client`, …) when the body had one */
    readonly oauthError: string | null = null,
  ) {
    super(message);
    this.name = 'DialpadHttpFailure';
  }

  /** Dialpad may not have acted: repeating is safe for any request. */
  get surelyNotProcessed(): boolean {
    return this.kind === 'connect' || this.status === 429;
  }

  /** Worth another attempt (for an idempotent request). */
  get transient(): boolean {
    return this.kind !== 'http' || this.status === 429 || (this.status !== null && this.status >= 500);
  }

  /** Counts against the circuit breaker: Dialpad is failing, not refusing. */
  get upstreamFault(): boolean {
    return this.kind !== 'http' || (this.status !== null && this.status >= 500);
  }
}

const CONNECT_ERRORS = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT']);

export function buildUrl(baseUrl: string, path: string, query?: DialpadRequest['query']): string {
  const url = new URL(path, baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`);
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value !== undefined) url.searchParams.set(key, String(value));
  }
  return url.toString();
}

/**
 * Sends one request with global fetch and returns the parsed body (ids that
 * exceed 2^53 stay exact text). Throws DialpadHttpFailure for a non-2xx answer
 * or a transport error; an abort of `signal` surfaces as whatever the caller's
 * timeout policy throws.
 */
export async function sendDialpadRequest(baseUrl: string, req: DialpadRequest, signal: AbortSignal): Promise<unknown> {
  const headers: Record<string, string> = { accept: 'application/json' };
  let body: string | undefined;
  if (req.bearer) headers.authorization = `Bearer ${req.bearer}`;
  if (req.form) {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    body = new URLSearchParams(req.form).toString();
  } else if (req.json !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(req.json);
  }
  let res: Response;
  try {
    res = await fetch(buildUrl(baseUrl, req.path, req.query), { method: req.method, headers, body, signal, redirect: 'manual' });
  } catch (err) {
    if (signal.aborted) throw err;
    const code = (err as { cause?: { code?: string } }).cause?.code;
    const kind: FailureKind = code && CONNECT_ERRORS.has(code) ? 'connect' : 'network';
    throw new DialpadHttpFailure(kind, `could not reach Dialpad (${code ?? (err as Error).message})`);
  }
  const text = await res.text();
  const parsed = parseBody(text);
  if (res.ok) return parsed;
  const { message, oauthError } = describeErrorBody(parsed, res.status, text);
  throw new DialpadHttpFailure('http', message, res.status, parseRetryAfter(res.headers.get('retry-after'), Date.now()), oauthError);
}

function parseBody(text: string): unknown {
  if (text.trim() === '') return null;
  try {
    return parseJsonLossless(text);
  } catch {
    return text;
  }
}

/**
 * Dialpad's message out of an error body: the REST format
 * `{"error": {"code", "message"}}`, the OAuth format `{"error", "error_description"}`,
 * or a plain `{"message"}`. Truncated: it ends up in answers and logs.
 */
export function describeErrorBody(body: unknown, status: number, raw = ''): { message: string; oauthError: string | null } {
  let message: string | null = null;
  let oauthError: string | null = null;
  if (body !== null && typeof body === 'object' && !Array.isArray(body)) {
    const b = body as Record<string, unknown>;
    const error = b.error;
    if (error !== null && typeof error === 'object') {
      const m = (error as Record<string, unknown>).message;
      if (typeof m === 'string') message = m;
    } else if (typeof error === 'string') {
      oauthError = error;
      message = typeof b.error_description === 'string' ? `${error}: ${b.error_description}` : error;
    }
    if (message === null && typeof b.message === 'string') message = b.message;
  }
  if (message === null) message = raw.trim() && raw.length < 200 && !raw.includes('<') ? raw.trim() : `HTTP ${status}`;
  return { message: message.slice(0, 300), oauthError };
}
