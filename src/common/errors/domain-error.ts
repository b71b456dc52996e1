/** Every domain failure the service can answer with, mapped to HTTP in one place (all-exceptions.filter.ts). */
export type DomainErrorCode =
  | 'APP_NOT_FOUND'
  | 'APP_INACTIVE'
  | 'NOT_FOUND'
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'INVALID_INPUT'
  | 'CONFLICT'
  | 'PAYLOAD_TOO_LARGE'
  | 'RATE_LIMITED'
  | 'UNAVAILABLE'
  /** an upstream (Dialpad) refused or mangled a request we made */
  | 'BAD_GATEWAY'
  /** the app's Dialpad connection is missing or its grant was revoked: connect again */
  | 'DIALPAD_RECONNECT_REQUIRED';

export class DomainError extends Error {
  constructor(
    readonly code: DomainErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export function httpStatusOf(code: DomainErrorCode): number {
  switch (code) {
    case 'INVALID_INPUT':
      return 400;
    case 'UNAUTHENTICATED':
      return 401;
    case 'APP_INACTIVE':
    case 'FORBIDDEN':
      return 403;
    case 'APP_NOT_FOUND':
    case 'NOT_FOUND':
      return 404;
    case 'CONFLICT':
    case 'DIALPAD_RECONNECT_REQUIRED':
      return 409;
    case 'PAYLOAD_TOO_LARGE':
      return 413;
    case 'RATE_LIMITED':
      return 429;
    case 'BAD_GATEWAY':
      return 502;
    case 'UNAVAILABLE':
      return 503;
  }
}
