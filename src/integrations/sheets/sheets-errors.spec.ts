import { DomainError } from '../../common/errors/domain-error.js';
import { isRetryable, isTransient, SheetsApiError, toDomainError, toSheetsApiError } from './sheets-errors.js';

const httpError = (status: number, message = 'boom') => Object.assign(new Error(`Request failed with status code ${status}`), { status, response: { status, data: { error: { code: status, message } } } });

describe('Sheets error classification', () => {
  it.each([
    [429, true],
    [500, true],
    [502, true],
    [503, true],
    [408, true],
    [400, false],
    [401, false],
    [403, false],
    [404, false],
  ])('HTTP %i retryable: %p', (status, retryable) => {
    const e = toSheetsApiError(httpError(status, 'Quota exceeded'));
    expect(e).toMatchObject({ status, retryable, message: `Google Sheets answered ${status}: Quota exceeded` });
    expect(isRetryable(e)).toBe(retryable);
  });

  it('no HTTP status (refused, reset, timeout) is retryable', () => {
    const e = toSheetsApiError(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }));
    expect(e).toMatchObject({ status: null, retryable: true });
    expect(isRetryable(new Error('x'))).toBe(false);
  });

  it('becomes the caller\'s answer: 503 when it may pass, 404 not found or not shared, 400 refused', () => {
    expect(toDomainError(new SheetsApiError('x', 429, true), 'sheet S')).toMatchObject({ code: 'UNAVAILABLE', message: expect.stringMatching(/^Google Sheets is unavailable for sheet S/) });
    expect(toDomainError(new SheetsApiError('x', 404, false), 'sheet S')).toMatchObject({ code: 'NOT_FOUND', message: expect.stringContaining('not shared with the service account') });
    expect(toDomainError(new SheetsApiError('x', 403, false), 'sheet S')).toMatchObject({ code: 'NOT_FOUND' });
    expect(toDomainError(new SheetsApiError('Unable to parse range', 400, false), 'sheet S')).toMatchObject({ code: 'INVALID_INPUT' });
    const domain = new DomainError('CONFLICT', 'twice');
    expect(toDomainError(domain, 'x')).toBe(domain);
    expect(isTransient(new DomainError('UNAVAILABLE', 'x'))).toBe(true);
    expect(isTransient(domain)).toBe(false);
  });
});
