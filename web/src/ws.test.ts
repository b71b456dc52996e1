import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { backoffDelay, MAX_BACKOFF_MS, ReconnectingSocket, socketUrl, type WebSocketLike } from './ws';

class FakeSocket implements WebSocketLike {
  readyState = 0;
  onopen: ((ev: Event) => void) | null = null;
  onclose: ((ev: CloseEvent) => void) | null = null;
  onerror: ((ev: Event) => void) | null = null;
  onmessage: ((ev: MessageEvent) => void) | null = null;
  sent: string[] = [];
  closed = false;
  constructor(readonly url: string) {}
  send(data: string) {
    this.sent.push(data);
  }
  close() {
    this.closed = true;
  }
  open() {
    this.readyState = 1;
    this.onopen?.({} as Event);
  }
  drop() {
    this.readyState = 3;
    this.onclose?.({} as CloseEvent);
  }
  message(data: unknown) {
    this.onmessage?.({ data: JSON.stringify(data) } as MessageEvent);
  }
}

describe('backoff', () => {
  it('grows from 250 ms, doubles, is capped at 10 s, with jitter in [50 %, 100 %]', () => {
    expect(backoffDelay(0, () => 1)).toBe(250);
    expect(backoffDelay(0, () => 0)).toBe(125);
    expect(backoffDelay(1, () => 1)).toBe(500);
    expect(backoffDelay(3, () => 1)).toBe(2000);
    expect(backoffDelay(10, () => 1)).toBe(MAX_BACKOFF_MS);
    expect(backoffDelay(30, () => 0)).toBe(MAX_BACKOFF_MS / 2);
    for (let i = 0; i < 50; i++) {
      const d = backoffDelay(i % 8);
      expect(d).toBeGreaterThanOrEqual(125);
      expect(d).toBeLessThanOrEqual(MAX_BACKOFF_MS);
    }
  });
});

describe('socketUrl', () => {
  it('ws: or wss: by the page’s protocol, same host, parameters encoded', () => {
    expect(socketUrl({ protocol: 'https:', host: 'cti.example.com' }, { token: 'a.b+c' })).toBe('wss://cti.example.com/ws?token=a.b%2Bc');
    expect(socketUrl({ protocol: 'http:', host: 'localhost:3000' }, { api_key: 'ctk_1', since: null })).toBe('ws://localhost:3000/ws?api_key=ctk_1');
  });
});

describe('ReconnectingSocket', () => {
  let sockets: FakeSocket[];
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    sockets = [];
  });
  afterEach(() => vi.useRealTimers());

  function make(extra: Partial<ConstructorParameters<typeof ReconnectingSocket>[0]> = {}) {
    const onMessage = vi.fn();
    const onOpen = vi.fn();
    const onTrouble = vi.fn();
    const statuses: string[] = [];
    const s = new ReconnectingSocket({
      url: () => 'ws://h/ws?token=t',
      create: (url) => {
        const f = new FakeSocket(url);
        sockets.push(f);
        return f;
      },
      random: () => 1,
      onMessage,
      onOpen,
      onTrouble,
      onStatus: (st) => statuses.push(st),
      ...extra,
    });
    return { s, onMessage, onOpen, onTrouble, statuses };
  }

  it('reconnects with backoff, calls onOpen at every (re)connect, resumes with since=<last seq>', async () => {
    const { s, onOpen, onMessage } = make();
    s.start();
    sockets[0]!.open();
    expect(onOpen).toHaveBeenCalledTimes(1);
    sockets[0]!.message({ type: 'welcome' });
    sockets[0]!.message({ event: 'call.ring', call_id: '1', seq: 41 });
    sockets[0]!.message({ event: 'call.ring', call_id: '2', seq: 42 });
    sockets[0]!.message({ event: 'STATS', stats: {} });
    expect(onMessage).toHaveBeenCalledTimes(4);
    sockets[0]!.drop();
    expect(sockets).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(249);
    expect(sockets).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(sockets).toHaveLength(2);
    expect(sockets[1]!.url).toBe('ws://h/ws?token=t&since=42');
    sockets[1]!.open();
    expect(onOpen).toHaveBeenCalledTimes(2);
  });

  it('no since before any app message with a seq', async () => {
    const { s } = make();
    s.start();
    sockets[0]!.open();
    sockets[0]!.message({ event: 'SHOW_DISPO', attempt_id: 'a' });
    sockets[0]!.drop();
    await vi.advanceTimersByTimeAsync(250);
    expect(sockets[1]!.url).toBe('ws://h/ws?token=t');
  });

  it('attempts that never open back off further and report trouble; an open resets the backoff', async () => {
    const { s, onTrouble } = make();
    s.start();
    sockets[0]!.drop();
    await vi.advanceTimersByTimeAsync(250);
    sockets[1]!.drop();
    await vi.advanceTimersByTimeAsync(499);
    expect(sockets).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(sockets).toHaveLength(3);
    expect(onTrouble.mock.calls.map((c) => c[0])).toEqual([1, 2]);
    sockets[2]!.open();
    sockets[2]!.drop();
    await vi.advanceTimersByTimeAsync(250);
    expect(sockets).toHaveLength(4);
  });

  it('stop() closes and never reconnects', async () => {
    const { s } = make();
    s.start();
    sockets[0]!.open();
    s.stop();
    expect(sockets[0]!.closed).toBe(true);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(sockets).toHaveLength(1);
  });

  it('pings; a link silent for too long is dropped and reopened', async () => {
    const { s } = make({ pingMs: 1000 });
    s.start();
    sockets[0]!.open();
    await vi.advanceTimersByTimeAsync(1000);
    expect(sockets[0]!.sent).toEqual(['{"type":"ping"}']);
    await vi.advanceTimersByTimeAsync(2000);
    expect(sockets[0]!.closed).toBe(true);
    await vi.advanceTimersByTimeAsync(250);
    expect(sockets).toHaveLength(2);
  });
});
