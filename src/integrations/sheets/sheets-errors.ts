import { DomainError } from '../../common/errors/domain-error.js';

/** A failed Sheets API call, classified once: `retryable` for 429, 5xx, timeouts and network errors. */
export class SheetsApiError extends Error {
  constructor(
    message: string,
    readonly status: number | null,
    readonly retryable: boolean,
  ) {
    super(message);
    this.name = 'SheetsApiError';
  }
}

interface GaxiosLike {
  status?: number;
  code?: string | number;
  message?: string;
  response?: { status?: number; data?: unknown };
}

/** Any error the client throws → SheetsApiError (Google's own message kept, e.g. "Unable to parse range"). */
export function toSheetsApiError(err: unknown): SheetsApiError {
  if (err instanceof SheetsApiError) return err;
  const e = (err ?? {}) as GaxiosLike;
  const status = e.status ?? e.response?.status ?? (typeof e.code === 'number' ? e.code : undefined);
  const googleMessage = (e.response?.data as { error?: { message?: string } } | undefined)?.error?.message;
  if (typeof status === 'number' && status >= 100) {
    const retryable = status === 429 || status === 408 || status >= 500;
    return new SheetsApiError(`Google Sheets answered ${status}: ${googleMessage ?? e.message ?? 'error'}`, status, retryable);
  }
  // no HTTP status: refused, reset, timed out, DNS: worth another try
  return new SheetsApiError(`Google Sheets unreachable: ${e.message ?? String(err)}`, null, true);
}

export function isRetryable(err: unknown): boolean {
  return err instanceof SheetsApiError && err.retryable;
}

/** Worth trying again later: a retryable API error, or what it became for the caller (503). */
export function isTransient(err: unknown): boolean {
  return isRetryable(err) || (err instanceof DomainError && err.code === 'UNAVAILABLE');
}

/** How a Sheets failure answers the caller: 503 when it may pass, 404 when the sheet is not ours to read, 400 otherwise. */
export function toDomainError(err: unknown, what: string): DomainError | Error {
  if (err instanceof DomainError) return err;
  if (!(err instanceof SheetsApiError)) return err as Error;
  if (err.retryable) return new DomainError('UNAVAILABLE', `Google Sheets is unavailable for ${what}; try again shortly (${err.message})`);
  if (err.status === 404 || err.status === 403) {
    return new DomainError('NOT_FOUND', `${what} was not found or is not shared with the service account (${err.message})`);
  }
  return new DomainError('INVALID_INPUT', `Google Sheets refused ${what}: ${err.message}`);
}
