import type { OutgoingEvent } from './connection-registry.js';

/** How long a node waits for a missing stream position before fetching it from PostgreSQL. */
export const GAP_WAIT_MS = 150;

type Fetch = (appId: string, from: number, to: number) => Promise<OutgoingEvent[]>;
type Deliver = (appId: string, events: OutgoingEvent[]) => void;

interface AppStream {
  next: number | null;
  pending: Map<number, OutgoingEvent>;
  timer: NodeJS.Timeout | null;
}

/**
 * Puts each app's events back in stream order on this node. Positions are dense
 * and commit-ordered per app, but two nodes' publishes can cross on the way
 * through Redis (and a node delivering locally while Redis is down skips others'
 * events). A position that arrives early waits; if the gap is not filled within
 * GAP_WAIT_MS the missing positions are read from PostgreSQL (they are committed:
 * a later one could not be otherwise). The first events a node sees of an app
 * wait GAP_WAIT_MS as well (where the stream starts here is unknown until then).
 * So every socket sees the stream in order, and a client's last seq is always a
 * safe `?since=`.
 */
export class StreamOrderer {
  private readonly streams = new Map<string, AppStream>();

  constructor(
    private readonly deliver: Deliver,
    private readonly fetch: Fetch,
    private readonly hasListeners: (appId: string) => boolean,
    private readonly onError: (err: unknown) => void,
  ) {}

  receive(appId: string, events: OutgoingEvent[]): void {
    let stream = this.streams.get(appId);
    if (!stream) this.streams.set(appId, (stream = { next: null, pending: new Map(), timer: null }));
    for (const e of events) if (stream.next === null || e.seq >= stream.next) stream.pending.set(e.seq, e);
    this.drain(appId, stream);
  }

  /** Stops the gap timers (shutdown). */
  close(): void {
    for (const stream of this.streams.values()) if (stream.timer) clearTimeout(stream.timer);
  }

  private drain(appId: string, stream: AppStream): void {
    if (stream.pending.size === 0) return;
    // the first events this node sees of the app (next === null) wait GAP_WAIT_MS too:
    // an earlier position may have crossed them on the way, and could not follow them
    const ready: OutgoingEvent[] = [];
    if (stream.next !== null) {
      for (let e = stream.pending.get(stream.next); e; e = stream.pending.get(stream.next)) {
        ready.push(e);
        stream.pending.delete(stream.next);
        stream.next++;
      }
    }
    if (ready.length > 0) this.deliver(appId, ready);
    if (stream.pending.size > 0 && !stream.timer) {
      stream.timer = setTimeout(() => void this.fillGap(appId, stream), GAP_WAIT_MS);
      stream.timer.unref();
    }
  }

  private async fillGap(appId: string, stream: AppStream): Promise<void> {
    if (stream.pending.size === 0 || stream.next === null) {
      // the first events seen of the app: the stream starts here on this node
      stream.timer = null;
      if (stream.pending.size > 0) stream.next = Math.min(...stream.pending.keys());
      this.drain(appId, stream);
      return;
    }
    const from = stream.next;
    const to = Math.min(...stream.pending.keys()) - 1;
    // stream.timer stays set while fetching: no second fill starts meanwhile
    try {
      if (this.hasListeners(appId)) {
        for (const e of await this.fetch(appId, from, to)) if (e.seq >= stream.next) stream.pending.set(e.seq, e);
      }
    } catch (err) {
      this.onError(err);
    }
    stream.timer = null;
    // what is still missing of this gap cannot be recovered here: move on (clients resume with
    // ?since). Live events may have filled it during the fetch: then there is nothing to skip.
    if (stream.next <= to && !stream.pending.has(stream.next)) stream.next = Math.min(...stream.pending.keys());
    this.drain(appId, stream);
  }
}
