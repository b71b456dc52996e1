import { WebSocket } from 'ws';

/** A `ws` client that records every message, for assertions. */
export class TestWsClient {
  readonly messages: Record<string, unknown>[] = [];
  closeCode: number | null = null;
  private constructor(readonly socket: WebSocket) {
    // ws hands text frames over as a Buffer (binaryType 'nodebuffer', the default)
    socket.on('message', (data) => this.messages.push(JSON.parse((data as Buffer).toString('utf8')) as Record<string, unknown>));
    socket.on('close', (code) => (this.closeCode = code));
  }

  /** Connects; resolves when open, rejects with the HTTP status when the upgrade is refused. */
  static connect(url: string, headers: Record<string, string> = {}): Promise<TestWsClient> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(url, { headers });
      const client = new TestWsClient(socket);
      socket.once('open', () => resolve(client));
      socket.once('unexpected-response', (_req, res) => reject(Object.assign(new Error(`HTTP ${res.statusCode}`), { status: res.statusCode })));
      socket.once('error', (err) => reject(err));
    });
  }

  /** Event messages only (control messages carry `type`). */
  events(): Record<string, unknown>[] {
    return this.messages.filter((m) => m.type === undefined);
  }

  async waitForEvents(n: number, timeoutMs = 5000): Promise<Record<string, unknown>[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.events().length < n) {
      if (Date.now() > deadline) throw new Error(`expected ${n} events, got ${this.events().length}`);
      await new Promise((r) => setTimeout(r, 10));
    }
    return this.events();
  }

  async waitFor(predicate: (m: Record<string, unknown>) => boolean, timeoutMs = 5000): Promise<Record<string, unknown>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.messages.find(predicate);
      if (found) return found;
      if (Date.now() > deadline) throw new Error('message not received in time');
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  async waitClosed(timeoutMs = 5000): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    while (this.closeCode === null) {
      if (Date.now() > deadline) throw new Error('socket not closed in time');
      await new Promise((r) => setTimeout(r, 10));
    }
    return this.closeCode;
  }

  send(data: string): void {
    this.socket.send(data);
  }

  close(): void {
    this.socket.close();
  }
}

export function wsUrl(baseUrl: string, query: Record<string, string> = {}): string {
  const url = new URL('/ws', baseUrl.replace(/^http/, 'ws'));
  for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
  return url.toString();
}
