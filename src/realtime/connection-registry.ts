import { Injectable } from '@nestjs/common';
import { WebSocket } from 'ws';
import type { ClientContext } from './ws-auth.service.js';

/** One event ready to send: framed once, sent as is to every matching socket. */
export interface OutgoingEvent {
  seq: string;
  frame: string;
  dialpadUserId: string | null;
  crmUserId: string | null;
}

const RECENT_SEQS = 4096;

export class Connection {
  alive = true;
  /** while a resume replays from PostgreSQL, live events wait here */
  replaying: boolean;
  private pending: OutgoingEvent[] = [];
  private readonly recent = new Set<string>();

  constructor(
    readonly socket: WebSocket,
    readonly context: ClientContext,
  ) {
    this.replaying = context.since !== undefined;
  }

  wants(e: Pick<OutgoingEvent, 'dialpadUserId' | 'crmUserId'>): boolean {
    const f = this.context.filter;
    if (f.dialpadUserId !== undefined && f.dialpadUserId !== e.dialpadUserId) return false;
    if (f.crmUserId !== undefined && f.crmUserId !== e.crmUserId) return false;
    return true;
  }

  /** Sends an event once: a seq this socket already got (replay seam, redelivery) is skipped. */
  send(e: OutgoingEvent): boolean {
    if (this.replaying) {
      this.pending.push(e);
      return false;
    }
    if (this.recent.has(e.seq) || this.socket.readyState !== WebSocket.OPEN) return false;
    this.remember(e.seq);
    this.socket.send(e.frame);
    return true;
  }

  /** Ends the replay: live events that arrived meanwhile follow, minus those the replay already sent. */
  finishReplay(): number {
    this.replaying = false;
    const waiting = this.pending.sort((a, b) => compareSeq(a.seq, b.seq));
    this.pending = [];
    let sent = 0;
    for (const e of waiting) if (this.send(e)) sent++;
    return sent;
  }

  sendControl(message: object): void {
    if (this.socket.readyState === WebSocket.OPEN) this.socket.send(JSON.stringify(message));
  }

  private remember(seq: string): void {
    this.recent.add(seq);
    if (this.recent.size > RECENT_SEQS) {
      const oldest = this.recent.values().next().value;
      if (oldest !== undefined) this.recent.delete(oldest);
    }
  }
}

/** This node's sockets, in per-app rooms. */
@Injectable()
export class ConnectionRegistry {
  private readonly rooms = new Map<string, Set<Connection>>();

  add(socket: WebSocket, context: ClientContext): Connection {
    const conn = new Connection(socket, context);
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

  room(appId: string): ReadonlySet<Connection> {
    return this.rooms.get(appId) ?? new Set();
  }

  all(): Connection[] {
    return [...this.rooms.values()].flatMap((room) => [...room]);
  }

  /** Delivers events (in seq order) to every matching socket of the app. Returns the number of frames sent. */
  deliver(appId: string, events: OutgoingEvent[]): number {
    const room = this.rooms.get(appId);
    if (!room) return 0;
    let sent = 0;
    for (const conn of room) for (const e of events) if (conn.wants(e) && conn.send(e)) sent++;
    return sent;
  }

  countsByApp(): Map<string, number> {
    return new Map([...this.rooms].map(([appId, room]) => [appId, room.size]));
  }
}

export function compareSeq(a: string, b: string): number {
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
}
