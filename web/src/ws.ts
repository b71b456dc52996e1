/**
 * A WebSocket to `/ws` that reconnects by itself: exponential backoff from
 * 250 ms to 10 s with jitter, `&since=<last seq>` once app messages with a
 * numeric `seq` were seen, an app-level ping to notice a dead link, and an
 * `onOpen` on every (re)connect so the caller can re-read its state.
 */

export type SocketStatus = 'connecting' | 'open' | 'closed';

export interface WebSocketLike {
  readyState: number;
  onopen: ((ev: Event) => void) | null;
  onclose: ((ev: CloseEvent) => void) | null;
  onerror: ((ev: Event) => void) | null;
  onmessage: ((ev: MessageEvent) => void) | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

export type WebSocketFactory = (url: string) => WebSocketLike;

export interface ReconnectingSocketOptions {
  /** the URL without `since` (read at every connect: a refreshed credential is used) */
  url: () => string;
  onMessage: (message: unknown) => void;
  onOpen?: () => void;
  onStatus?: (status: SocketStatus) => void;
  /** called after `failures` consecutive attempts that never opened (the credential may be bad) */
  onTrouble?: (failures: number) => void;
  create?: WebSocketFactory;
  random?: () => number;
  /** app-level ping period; a socket silent for 2.5 periods is dropped */
  pingMs?: number;
  timers?: { setTimeout: (fn: () => void, ms: number) => unknown; clearTimeout: (id: unknown) => void };
}

export const MIN_BACKOFF_MS = 250;
export const MAX_BACKOFF_MS = 10_000;

/** Delay before reconnect attempt `attempt` (0-based): 250 ms · 2^attempt, capped at 10 s, with jitter in [50 %, 100 %]. */
export function backoffDelay(attempt: number, random: () => number = Math.random): number {
  const ceiling = Math.min(MAX_BACKOFF_MS, MIN_BACKOFF_MS * 2 ** Math.max(0, attempt));
  return Math.round(ceiling / 2 + (ceiling / 2) * random());
}

/** `ws://` or `wss://` on this page's origin. */
export function socketUrl(location: { protocol: string; host: string }, params: Record<string, string | number | null | undefined>): string {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  const query = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== null && v !== undefined && v !== '') query.set(k, String(v));
  const qs = query.toString();
  return `${scheme}//${location.host}/ws${qs ? `?${qs}` : ''}`;
}

export function withSince(url: string, since: number | null): string {
  if (since === null) return url;
  return `${url}${url.includes('?') ? '&' : '?'}since=${since}`;
}

export class ReconnectingSocket {
  private socket: WebSocketLike | null = null;
  private attempt = 0;
  private failures = 0;
  private retryTimer: unknown = null;
  private pingTimer: unknown = null;
  private lastInboundAt = 0;
  private stopped = true;
  private openedThisTry = false;
  /** the highest `seq` of an app message seen (resume point) */
  lastSeq: number | null = null;

  private readonly create: WebSocketFactory;
  private readonly random: () => number;
  private readonly pingMs: number;
  private readonly timers: NonNullable<ReconnectingSocketOptions['timers']>;

  constructor(private readonly options: ReconnectingSocketOptions) {
    this.create = options.create ?? ((url) => new WebSocket(url) as unknown as WebSocketLike);
    this.random = options.random ?? Math.random;
    this.pingMs = options.pingMs ?? 20_000;
    this.timers = options.timers ?? {
      setTimeout: (fn, ms) => globalThis.setTimeout(fn, ms),
      clearTimeout: (id) => globalThis.clearTimeout(id as ReturnType<typeof setTimeout>),
    };
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.connect();
  }

  stop(): void {
    this.stopped = true;
    this.clearTimers();
    const s = this.socket;
    this.socket = null;
    if (s) {
      s.onopen = s.onclose = s.onerror = s.onmessage = null;
      try {
        s.close(1000, 'bye');
      } catch {
        // already closed
      }
    }
    this.options.onStatus?.('closed');
  }

  /** Reconnect now (network back, tab visible again) unless a socket is open or opening. */
  nudge(): void {
    if (this.stopped || this.socket) return;
    this.attempt = 0;
    if (this.retryTimer !== null) this.timers.clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.connect();
  }

  private connect(): void {
    this.retryTimer = null;
    if (this.stopped) return;
    this.options.onStatus?.('connecting');
    this.openedThisTry = false;
    let socket: WebSocketLike;
    try {
      socket = this.create(withSince(this.options.url(), this.lastSeq));
    } catch {
      this.scheduleReconnect();
      return;
    }
    this.socket = socket;
    socket.onopen = () => {
      this.openedThisTry = true;
      this.attempt = 0;
      this.failures = 0;
      this.lastInboundAt = Date.now();
      this.options.onStatus?.('open');
      this.schedulePing();
      this.options.onOpen?.();
    };
    socket.onmessage = (ev: MessageEvent) => {
      this.lastInboundAt = Date.now();
      if (typeof ev.data !== 'string') return;
      let message: unknown;
      try {
        message = JSON.parse(ev.data);
      } catch {
        return;
      }
      if (message && typeof message === 'object') {
        const seq = (message as { seq?: unknown }).seq;
        if (typeof seq === 'number' && Number.isSafeInteger(seq) && (this.lastSeq === null || seq > this.lastSeq)) this.lastSeq = seq;
      }
      this.options.onMessage(message);
    };
    socket.onerror = () => {
      // a close follows
    };
    socket.onclose = () => this.handleClose(socket);
  }

  private handleClose(socket: WebSocketLike): void {
    if (this.socket !== socket) return;
    this.socket = null;
    if (this.pingTimer !== null) this.timers.clearTimeout(this.pingTimer);
    this.pingTimer = null;
    if (this.stopped) return;
    if (!this.openedThisTry) {
      this.failures++;
      this.options.onTrouble?.(this.failures);
    }
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.stopped) return;
    this.options.onStatus?.('closed');
    const delay = backoffDelay(this.attempt, this.random);
    this.attempt++;
    this.retryTimer = this.timers.setTimeout(() => this.connect(), delay);
  }

  private schedulePing(): void {
    this.pingTimer = this.timers.setTimeout(() => {
      this.pingTimer = null;
      const s = this.socket;
      if (!s || this.stopped) return;
      if (Date.now() - this.lastInboundAt > this.pingMs * 2.5) {
        // silent too long: a dead link the browser has not noticed
        s.close(4000, 'no answer to ping');
        this.handleClose(s);
        return;
      }
      try {
        s.send(JSON.stringify({ type: 'ping' }));
      } catch {
        // closing
      }
      this.schedulePing();
    }, this.pingMs);
  }

  private clearTimers(): void {
    if (this.retryTimer !== null) this.timers.clearTimeout(this.retryTimer);
    if (this.pingTimer !== null) this.timers.clearTimeout(this.pingTimer);
    this.retryTimer = this.pingTimer = null;
  }
}
