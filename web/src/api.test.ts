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
    const fetch = vi.fn(async () => json(200, { attempt_id: 'a', code: 'WRONG', sheet: 'queued', next: null }));
    const api = createDialerApi({ fetch, getToken: () => 't' });
    await api.disposition({ attempt_id: 'a', code: 'WRONG', notes: 'x' }, 'mine');
    const init = (fetch.mock.calls[0] as unknown as [string, RequestInit])[1];
    expect(init.headers).toMatchObject({ 'idempotency-key': 'mine' });
    expect(JSON.parse(init.body as string)).toEqual({ attempt_id: 'a', code: 'WRONG', notes: 'x' });
  });

  it('moving a callback PATCHes its new lead-local time, cancelling DELETEs it (no Idempotency-Key: both are idempotent)', async () => {
    const fetch = vi.fn(async () => json(200, { id: 'cb 1' }));
    const api = createDialerApi({ fetch, getToken: () => 't' });
    await api.moveCallback('cb 1', '2026-03-10T15:00');
    await api.cancelCallback('cb 1');
    const [moveUrl, move] = fetch.mock.calls[0] as unknown as [string, RequestInit];
    const [cancelUrl, cancel] = fetch.mock.calls[1] as unknown as [string, RequestInit];
    expect({ moveUrl, method: move.method, body: JSON.parse(move.body as string) as unknown }).toEqual({
      moveUrl: '/api/callbacks/cb%201',
      method: 'PATCH',
      body: { due_at: '2026-03-10T15:00' },
    });
    expect(move.headers).toMatchObject({ authorization: 'Bearer t', 'content-type': 'application/json' });
    expect((move.headers as Record<string, string>)['idempotency-key']).toBeUndefined();
    expect({ cancelUrl, method: cancel.method, body: cancel.body }).toEqual({ cancelUrl: '/api/callbacks/cb%201', method: 'DELETE', body: undefined });
  });

  it('a refused move rejects with the server\'s message', async () => {
    const fetch = vi.fn(async () => json(400, { statusCode: 400, message: ['due_at must be a date and time such as 2026-03-10T15:00'] }));
    const api = createDialerApi({ fetch, getToken: () => 't' });
    await expect(api.moveCallback('cb1', 'soon')).rejects.toThrow(/due_at must be a date and time/);
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

  it('pause with a reason; the callbacks list (invalid items dropped, by due time); a disposition with a callback', async () => {
    const fetch = vi
      .fn()
      .mockResolvedValueOnce(json(200, {}))
      .mockResolvedValueOnce(
        json(200, [
          { id: 'c2', due_at: '2026-03-05T21:00:00Z', due_local: '2026-03-05T15:00:00-06:00', time_zone: 'America/Chicago', lead_name: 'B', only_me: true, missed: false },
          { id: 'c1', due_at: '2026-03-04T21:00:00Z', lead_name: 'A' },
          { id: 'bad', due_at: 'soon' },
          'nonsense',
        ]),
      )
      .mockResolvedValueOnce(json(200, {}));
    const api = createDialerApi({ fetch, getToken: () => 't' });
    await api.pause('key-1', 'Lunch');
    const list = await api.callbacks();
    await api.disposition({ attempt_id: 'a1', code: 'CORRECT', callback_at: '2026-03-05T15:00:00-06:00', callback_only_me: true }, 'key-2');
    const calls = fetch.mock.calls.map((c) => {
      const [url, init] = c as unknown as [string, RequestInit];
      return `${init.method} ${url} ${(init.body as string | undefined) ?? ''}`.trim();
    });
    expect(calls).toEqual([
      'POST /session/pause {"reason":"Lunch"}',
      'GET /api/callbacks',
      'POST /disposition?include=lead {"attempt_id":"a1","code":"CORRECT","callback_at":"2026-03-05T15:00:00-06:00","callback_only_me":true}',
    ]);
    expect(list.map((c) => c.id)).toEqual(['c1', 'c2']);
    expect(list[1]).toMatchObject({ only_me: true, time_zone: 'America/Chicago', due_local: '2026-03-05T15:00:00-06:00', status: 'pending' });
    expect(list[0]).toMatchObject({ only_me: false, time_zone: null, due_local: '2026-03-04T21:00:00Z' });
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
