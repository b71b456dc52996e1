import { DomainError, DomainErrorCode } from '../../common/errors/domain-error.js';

/**
 * What a Dialpad call can fail with. Each is a DomainError, so a controller
 * that lets one through answers the right status (the global filter maps the
 * code; `retry_after_ms` becomes a `Retry-After` header).
 */
export abstract class DialpadError extends DomainError {
  constructor(code: DomainErrorCode, message: string, details?: Record<string, unknown>) {
    super(code, message, details);
    this.name = new.target.name;
  }
}

export type RateLimitScope = 'user_call_initiations' | 'company_requests' | 'dialpad';

/** Too many requests: ours (client-side limiter) or Dialpad's 429. The caller should wait `retryAfterMs`. → 429 */
export class DialpadRateLimitedError extends DialpadError {
  constructor(
    readonly retryAfterMs: number,
    readonly scope: RateLimitScope,
    message?: string,
  ) {
    super('RATE_LIMITED', message ?? defaultRateLimitMessage(scope, retryAfterMs), { retry_after_ms: retryAfterMs, scope });
  }
}

function defaultRateLimitMessage(scope: RateLimitScope, retryAfterMs: number): string {
  const wait = `retry in ${Math.max(1, Math.ceil(retryAfterMs / 1000))} s`;
  switch (scope) {
    case 'user_call_initiations':
      return `Dialpad allows 5 call initiations per minute per user: ${wait}`;
    case 'company_requests':
      return `Dialpad allows 20 requests per second per company: ${wait}`;
    case 'dialpad':
      return `Dialpad is rate limiting this app: ${wait}`;
  }
}

export type DialpadAuthReason = 'not_connected' | 'needs_reconnect' | 'invalid_grant' | 'unauthorized';

/** The app has no usable Dialpad grant (never connected, disconnected, refresh token rejected, 401): connect again. → 409 */
export class DialpadAuthError extends DialpadError {
  constructor(
    readonly reason: DialpadAuthReason,
    message: string,
  ) {
    super('DIALPAD_RECONNECT_REQUIRED', message, { reason });
  }
}

/** Dialpad could not be reached or kept failing (5xx after retries, timeout, open circuit). → 503 */
export class DialpadUnavailableError extends DialpadError {
  constructor(
    message: string,
    readonly retryAfterMs?: number,
  ) {
    super('UNAVAILABLE', message, retryAfterMs === undefined ? undefined : { retry_after_ms: retryAfterMs });
  }
}

/** Dialpad refused the request (a 4xx other than 401/429), with Dialpad's own message. → 502 */
export class DialpadRequestError extends DialpadError {
  constructor(
    readonly status: number,
    readonly dialpadMessage: string,
    readonly oauthError?: string,
  ) {
    super('BAD_GATEWAY', `Dialpad refused the request (${status}): ${dialpadMessage}`, { dialpad_status: status });
  }
}

/** Dialpad answered 2xx with something we cannot read (no id, not JSON). → 502 */
export class DialpadBadResponseError extends DialpadError {
  constructor(operation: string, what: string) {
    super('BAD_GATEWAY', `Unexpected answer from Dialpad to ${operation}: ${what}`);
  }
}
