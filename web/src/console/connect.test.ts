import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { WebSocketLike } from '../ws';
import { startConsole } from './connect';
import { backend, settle } from './test-backend';
import { view } from './test-fixtures';

class FakeSocket implements WebSocketLike {
  readyState = 0;
  onopen: ((ev: Event) => void) | null = null;
  onclose: ((ev: CloseEvent) => void) | null = null;
  onerror: ((ev: Event) => void) | null = null;
  onmessage: ((ev: MessageEvent) => void) | null = null;
  closed = false;
  constructor(readonly url: string) {}
  send() {}
  close() {
    this.closed = true;
  }
}

function track(list: FakeSocket[], url: string): FakeSocket {
  const socket = new FakeSocket(url);
  list.push(socket);
  return socket;
}

const jwt = (exp: number) => `h.${btoa(JSON.stringify({ sub: 'ada@example.com', exp })).replace(/=+$/, '')}.s`;

function storage() {
  const m = new Map<string, string>();
  return { map: m, getItem: (k: string) => m.get(k) ?? null, setItem: (k: string, v: string) => void m.set(k, v), removeItem: (k: string) => void m.delete(k) };
}

describe('startConsole (wiring)', () => {
  beforeEach(() => vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] }));
  afterEach(() => vi.useRealTimers());

  it('connects /ws?token=…, re-reads the session on open, applies socket messages', async () => {
    const sockets: FakeSocket[] = [];
    const b = backend({ 'GET /session/current': () => ({ status: 200, body: view() }) });
    const token = jwt(Math.floor(Date.now() / 1000) + 3600);
    const rt = startConsole({ token, storage: storage(), location: { protocol: 'https:', host: 'cti.example.com' }, fetch: b.fetch, createSocket: (u) => track(sockets, u) });
    expect(sockets[0]!.url).toBe(`wss://cti.example.com/ws?token=${encodeURIComponent(token)}`);
    await settle();
    expect(rt.store.getState().phase).toBe('ready');
    sockets[0]!.onopen?.({} as Event);
    await settle();
    expect(b.routes().filter((r) => r === 'GET /session/current')).toHaveLength(2);
    sockets[0]!.onmessage?.({ data: JSON.stringify({ event: 'STATS', session_id: 's1', state: 'PLAY', stats: { dials: 7, connects: 2, dispositions: {}, talk_time_ms: 0, dials_per_hour: 7 } }) } as MessageEvent);
    expect(rt.store.getState().stats.dials).toBe(7);
    rt.close();
  });

  it('refreshes the token before it expires and uses the new one', async () => {
    const fresh = jwt(Math.floor(Date.now() / 1000) + 7200);
    const b = backend({
      'GET /session/current': () => ({ status: 200, body: view() }),
      'POST /api/agents/token/refresh': () => ({ status: 200, body: { token: fresh, expires_at: new Date(Date.now() + 7_200_000).toISOString() } }),
    });
    const st = storage();
    const rt = startConsole({ token: jwt(Math.floor(Date.now() / 1000) + 100), storage: st, location: { protocol: 'http:', host: 'h' }, fetch: b.fetch, createSocket: (u) => new FakeSocket(u) });
    await settle();
    await vi.advanceTimersByTimeAsync(79_000);
    expect(b.routes()).not.toContain('POST /api/agents/token/refresh');
    await vi.advanceTimersByTimeAsync(1_000);
    await settle();
    expect(b.routes()).toContain('POST /api/agents/token/refresh');
    expect(st.map.get('turbo-cti.agent-token')).toBe(fresh);
    rt.store.getState().restore();
    await settle();
    expect(b.log.at(-1)!.headers.authorization).toBe(`Bearer ${fresh}`);
    rt.close();
  });

  it('a 401 → expired: the token is forgotten and the socket closed', async () => {
    const sockets: FakeSocket[] = [];
    const b = backend({ 'GET /session/current': () => ({ status: 401, body: { statusCode: 401, message: 'expired' } }) });
    const st = storage();
    st.setItem('turbo-cti.agent-token', 'x');
    const rt = startConsole({ token: 'x', storage: st, location: { protocol: 'http:', host: 'h' }, fetch: b.fetch, createSocket: (u) => track(sockets, u) });
    await settle();
    expect(rt.store.getState().phase).toBe('expired');
    expect(st.map.has('turbo-cti.agent-token')).toBe(false);
    expect(sockets[0]!.closed).toBe(true);
  });

  it('no token at all → expired at once, nothing sent', () => {
    const b = backend({});
    const rt = startConsole({ token: null, storage: storage(), location: { protocol: 'http:', host: 'h' }, fetch: b.fetch, createSocket: (u) => new FakeSocket(u) });
    expect(rt.store.getState().phase).toBe('expired');
    expect(b.fetch).not.toHaveBeenCalled();
  });
});
