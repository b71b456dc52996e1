import { describe, expect, it, vi } from 'vitest';
import { ApiError, createDialerApi } from './api';

function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });
}

describe('dialer API client', () => {
  it('POSTs carry the Bearer token, JSON and a fresh Idempotency-Key each', async () => {
    const fetch = vi.fn(async () => json(200, { attempt_id: null, reason: 'none' }));
    let n = 0;
    const api = createDialerApi({ fetch, getToken: () => 'abc', newKey: () => `k${++n}` });
    await api.dial();
    await api.dial();
    const [url, init] = fetch.mock.calls[0] as unknown as [string, RequestInit];
    expect(url).toBe('/dial?include=lead');
    expect(init.method).toBe('POST');
    expect(init.headers).toMatchObject({ authorization: 'Bearer abc', 'idempotency-key': 'k1', 'content-type': 'application/json' });
    expect((fetch.mock.calls[1] as unknown as [string, RequestInit])[1].headers).toMatchObject({ 'idempotency-key': 'k2' });
  });

  it('a given key is sent as is; the body is the JSON of the input', async () => {
    const fetch = vi.fn(async () => json(200, { attempt_id: 'a', code: 'WRONG', sheet: 'written', next: null }));
    const api = createDialerApi({ fetch, getToken: () => 't' });
    await api.disposition({ attempt_id: 'a', code: 'WRONG', notes: 'x' }, 'mine');
    const init = (fetch.mock.calls[0] as unknown as [string, RequestInit])[1];
    expect(init.headers).toMatchObject({ 'idempotency-key': 'mine' });
    expect(JSON.parse(init.body as string)).toEqual({ attempt_id: 'a', code: 'WRONG', notes: 'x' });
  });

  it('the token is read at every request (a refreshed one is used at once)', async () => {
    const fetch = vi.fn(async () => json(200, { state: 'PLAY' }));
    let token = 'old';
    const api = createDialerApi({ fetch, getToken: () => token });
    await api.current();
    token = 'new';
    await api.current();
    const auth = fetch.mock.calls.map((c) => ((c as unknown as [string, RequestInit])[1].headers as Record<string, string>).authorization);
    expect(auth).toEqual(['Bearer old', 'Bearer new']);
  });

  it('GET /session/current: 404 → null; GETs carry no Idempotency-Key', async () => {
    const fetch = vi.fn(async () => json(404, { statusCode: 404, message: 'No live dialer session' }));
    const api = createDialerApi({ fetch, getToken: () => 't' });
    await expect(api.current()).resolves.toBeNull();
    expect((fetch.mock.calls[0] as unknown as [string, RequestInit])[1].headers).not.toHaveProperty('idempotency-key');
  });

  it('errors become ApiError with the backend’s message, code and request id', async () => {
    const fetch = vi.fn(async () => json(409, { statusCode: 409, error: 'Conflict', message: 'Attempt x is waiting', code: 'CONFLICT', request_id: 'r1' }));
    const api = createDialerApi({ fetch, getToken: () => 't' });
    const err = await api.dial().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ status: 409, message: 'Attempt x is waiting', code: 'CONFLICT', requestId: 'r1' });
  });

  it('validation messages (arrays) are joined; Retry-After becomes retryAfterMs', async () => {
    const fetch = vi
      .fn()
      .mockResolvedValueOnce(json(400, { statusCode: 400, message: ['code must be 1-6', 'attempt_id must be a UUID'] }))
      .mockResolvedValueOnce(json(429, { statusCode: 429, message: 'rate limited' }, { 'retry-after': '30' }));
    const api = createDialerApi({ fetch, getToken: () => 't' });
    await expect(api.dial()).rejects.toMatchObject({ status: 400, message: 'code must be 1-6; attempt_id must be a UUID' });
    await expect(api.dial()).rejects.toMatchObject({ status: 429, retryAfterMs: 30_000 });
  });

  it('401 calls onUnauthorized; a network failure is status 0', async () => {
    const onUnauthorized = vi.fn();
    const fetch = vi.fn().mockResolvedValueOnce(json(401, { statusCode: 401, message: 'expired' })).mockRejectedValueOnce(new TypeError('Failed to fetch'));
    const api = createDialerApi({ fetch, getToken: () => 't', onUnauthorized });
    await expect(api.pause()).rejects.toMatchObject({ status: 401 });
    expect(onUnauthorized).toHaveBeenCalledTimes(1);
    await expect(api.pause()).rejects.toMatchObject({ status: 0, message: /Network error/ });
    expect(onUnauthorized).toHaveBeenCalledTimes(1);
  });

  it('routes: start, pause, resume, stop, hangup, skip, token refresh', async () => {
    const fetch = vi.fn(async () => json(200, {}));
    const api = createDialerApi({ fetch, getToken: () => 't' });
    await api.start();
    await api.pause();
    await api.resume();
    await api.stop();
    await api.hangup('a1');
    await api.skip('a1');
    await api.refreshToken();
    const calls = fetch.mock.calls.map((c) => {
      const [url, init] = c as unknown as [string, RequestInit];
      return `${init.method} ${url} ${init.body as string}`;
    });
    expect(calls).toEqual([
      'POST /session/start {}',
      'POST /session/pause {}',
      'POST /session/resume {}',
      'POST /session/stop {}',
      'POST /hangup {"attempt_id":"a1"}',
      'POST /skip?include=lead {"attempt_id":"a1"}',
      'POST /api/agents/token/refresh {}',
    ]);
  });
});
