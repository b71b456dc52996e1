import { Injectable } from '@nestjs/common';
import type { AppId } from '../common/app-id.js';
import { WebSocket } from 'ws';
import { AppConfig } from '../infra/config/app-config.js';
import type { ClientContext } from './ws-auth.service.js';

/** One event ready to send: framed once, sent as is to every matching socket. */
export interface OutgoingEvent {
  /** the app's stream position: dense and commit-ordered per app */
  seq: number;
  frame: string;
  dialpadUserId: string | null;
  crmUserId: string | null;
}

/** Close code of a socket that fell too far behind (docs/wire-protocol.md, "Close codes"). */
export const SLOW_CONSUMER_CLOSE = 4408;

export class Connection {
  alive = true;
  /** closed for falling behind: nothing more is queued for it */
  dropped = false;
  /** while a resume replays from PostgreSQL, live events wait here */
  replaying: boolean;
  /** the last stream position this socket has been offered (sent, or filtered out) */
  lastSeq: number | null;
  private pending: OutgoingEvent[] = [];

  constructor(
    readonly socket: WebSocket,
    readonly context: ClientContext,
    /** bytes of unsent frames beyond which the socket is closed (SLOW_CONSUMER_CLOSE) */
    private readonly maxBufferedBytes = Number.POSITIVE_INFINITY,
  ) {
    this.replaying = context.since !== undefined;
    this.lastSeq = context.since ?? null;
  }

  wants(e: Pick<OutgoingEvent, 'dialpadUserId' | 'crmUserId'>): boolean {
    const f = this.context.filter;
    if (f.dialpadUserId !== undefined && f.dialpadUserId !== e.dialpadUserId) return false;
    if (f.crmUserId !== undefined && f.crmUserId !== e.crmUserId) return false;
    return true;
  }

  /**
   * Offers the app's next event (events come in stream order). Each position is
   * offered once: one this socket already had (replay seam, redelivery) is
   * skipped. Returns true when a frame was sent.
   */
  offer(e: OutgoingEvent): boolean {
    if (this.replaying) {
      this.pending.push(e);
      return false;
    }
    if (this.dropped || (this.lastSeq !== null && e.seq <= this.lastSeq)) return false;
    if (!this.wants(e)) {
      this.lastSeq = e.seq;
      return false;
    }
    if (this.socket.readyState !== WebSocket.OPEN) return false;
    if (this.socket.bufferedAmount + e.frame.length > this.maxBufferedBytes) {
      // a bounded buffer, then a close the client acts on: it resumes after its last seq, so nothing is lost
      this.dropped = true;
      this.socket.close(SLOW_CONSUMER_CLOSE, `too slow: reconnect with ?since=${this.lastSeq ?? 0}`);
      return false;
    }
    this.lastSeq = e.seq;
    this.socket.send(e.frame);
    return true;
  }

  /** Ends the replay: live events that arrived meanwhile follow, minus those the replay already covered. */
  finishReplay(): number {
    this.replaying = false;
    const waiting = this.pending.sort((a, b) => a.seq - b.seq);
    this.pending = [];
    let sent = 0;
    for (const e of waiting) if (this.offer(e)) sent++;
    return sent;
  }

  sendControl(message: object): void {
    if (this.socket.readyState === WebSocket.OPEN) this.socket.send(JSON.stringify(message));
  }
}

/** This node's sockets, in per-app rooms. */
@Injectable()
export class ConnectionRegistry {
  private readonly rooms = new Map<string, Set<Connection>>();
  private readonly maxBufferedBytes: number;

  constructor(config: AppConfig) {
    this.maxBufferedBytes = config.WS_MAX_BUFFERED_BYTES;
  }

  add(socket: WebSocket, context: ClientContext): Connection {
    const conn = new Connection(socket, context, this.maxBufferedBytes);
    let room = this.rooms.get(context.appId);
    if (!room) this.rooms.set(context.appId, (room = new Set()));
    room.add(conn);
    return conn;
  }

  remove(conn: Connection): void {
    const room = this.rooms.get(conn.context.appId);
    room?.delete(conn);
    if (room?.size === 0) this.rooms.delete(conn.context.appId);
  }

  room(appId: AppId): ReadonlySet<Connection> {
    return this.rooms.get(appId) ?? new Set();
  }

  all(): Connection[] {
    return [...this.rooms.values()].flatMap((room) => [...room]);
  }

  /** Offers events (in stream order) to every socket of the app. Returns the number of frames sent. */
  deliver(appId: AppId, events: OutgoingEvent[]): number {
    const room = this.rooms.get(appId);
    if (!room) return 0;
    let sent = 0;
    for (const conn of room) for (const e of events) if (conn.offer(e)) sent++;
    return sent;
  }

  countsByApp(): Map<string, number> {
    return new Map([...this.rooms].map(([appId, room]) => [appId, room.size]));
  }
}
