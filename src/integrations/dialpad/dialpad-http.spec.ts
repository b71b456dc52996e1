import { buildUrl, describeErrorBody, DialpadHttpFailure } from './dialpad-http.js';

describe('Dialpad error bodies', () => {
  it('reads the REST, OAuth and plain formats', () => {
    expect(describeErrorBody({ error: { code: 400, message: 'Invalid phone number' } }, 400)).toEqual({ message: 'Invalid phone number', oauthError: null });
    expect(describeErrorBody({ error: 'invalid_grant', error_description: 'expired' }, 400)).toEqual({ message: 'invalid_grant: expired', oauthError: 'invalid_grant' });
    expect(describeErrorBody({ error: 'invalid_client' }, 401)).toEqual({ message: 'invalid_client', oauthError: 'invalid_client' });
    expect(describeErrorBody({ message: 'nope' }, 403)).toEqual({ message: 'nope', oauthError: null });
    expect(describeErrorBody(null, 502, '')).toEqual({ message: 'HTTP 502', oauthError: null });
    expect(describeErrorBody('<html>bad gateway</html>', 502, '<html>bad gateway</html>').message).toBe('HTTP 502');
    expect(describeErrorBody({ error: { message: 'x'.repeat(1000) } }, 400).message).toHaveLength(300);
  });
});

describe('DialpadHttpFailure classification', () => {
  const http = (status: number) => new DialpadHttpFailure('http', 'x', status);

  it('retries 429, 5xx and transport errors, never other 4xx', () => {
    expect(http(429).transient).toBe(true);
    expect(http(500).transient).toBe(true);
    expect(http(503).transient).toBe(true);
    for (const s of [400, 401, 403, 404, 409, 422]) expect(http(s).transient).toBe(false);
    expect(new DialpadHttpFailure('timeout', 'x').transient).toBe(true);
    expect(new DialpadHttpFailure('network', 'x').transient).toBe(true);
  });

  it('knows when Dialpad surely did nothing (safe to repeat a call placement)', () => {
    expect(http(429).surelyNotProcessed).toBe(true);
    expect(new DialpadHttpFailure('connect', 'x').surelyNotProcessed).toBe(true);
    expect(http(500).surelyNotProcessed).toBe(false);
    expect(new DialpadHttpFailure('timeout', 'x').surelyNotProcessed).toBe(false);
  });

  it('counts only upstream faults against the circuit breaker', () => {
    expect(http(500).upstreamFault).toBe(true);
    expect(new DialpadHttpFailure('timeout', 'x').upstreamFault).toBe(true);
    expect(http(429).upstreamFault).toBe(false);
    expect(http(400).upstreamFault).toBe(false);
  });
});

describe('buildUrl', () => {
  it('joins base, path and defined query values', () => {
    expect(buildUrl('https://dialpad.com', '/api/v2/users', { limit: 100, cursor: undefined, email: 'a+b@x.com' })).toBe(
      'https://dialpad.com/api/v2/users?limit=100&email=a%2Bb%40x.com',
    );
    expect(buildUrl('http://127.0.0.1:9/', '/oauth2/token')).toBe('http://127.0.0.1:9/oauth2/token');
  });
});
