import { describe, expect, it, jest } from '@jest/globals';
import { WebSocket } from 'ws';
import { asAppId } from '../common/app-id.js';
import { Connection, type OutgoingEvent, SLOW_CONSUMER_CLOSE } from './connection-registry.js';

const APP = asAppId('00000000-0000-4000-8000-000000000001');
const ev = (seq: number, frame = `{"seq":${seq}}`): OutgoingEvent => ({ seq, frame, dialpadUserId: null, crmUserId: null });

/** A socket whose send buffer we set by hand: what `ws` reports while the client does not read. */
function fakeSocket() {
  const socket = {
    readyState: WebSocket.OPEN as number,
    bufferedAmount: 0,
    sent: [] as string[],
    send: jest.fn((frame: string) => {
      socket.sent.push(frame);
      socket.bufferedAmount += frame.length;
    }),
    close: jest.fn((_code?: number, _reason?: string) => {
      socket.readyState = WebSocket.CLOSING;
    }),
  };
  return socket;
}

describe('Connection: slow consumers', () => {
  it('sends while the buffer has room, then closes with 4408 and the last seq sent, never skipping silently', () => {
    const socket = fakeSocket();
    const conn = new Connection(socket as unknown as WebSocket, { appId: APP, auth: { kind: 'agent', email: 'a@b.c' }, filter: {} }, 100);
    const frame = 'x'.repeat(40);
    expect(conn.offer(ev(1, frame))).toBe(true);
    expect(conn.offer(ev(2, frame))).toBe(true);
    // 80 bytes waiting: a third 40-byte frame would pass the 100-byte bound
    expect(conn.offer(ev(3, frame))).toBe(false);
    expect(socket.close).toHaveBeenCalledWith(SLOW_CONSUMER_CLOSE, 'too slow: reconnect with ?since=2');
    expect(conn.lastSeq).toBe(2);
    // nothing more is queued for it, and it is closed once
    expect(conn.offer(ev(4, 'y'))).toBe(false);
    expect(socket.sent).toHaveLength(2);
    expect(socket.close).toHaveBeenCalledTimes(1);
  });

  it('a reader that keeps up is never closed', () => {
    const socket = fakeSocket();
    const conn = new Connection(socket as unknown as WebSocket, { appId: APP, auth: { kind: 'agent', email: 'a@b.c' }, filter: {} }, 100);
    for (let seq = 1; seq <= 50; seq++) {
      expect(conn.offer(ev(seq, 'z'.repeat(60)))).toBe(true);
      socket.bufferedAmount = 0; // the client read it
    }
    expect(socket.close).not.toHaveBeenCalled();
    expect(socket.sent).toHaveLength(50);
  });

  it('filtered-out events move the position without counting against the buffer', () => {
    const socket = fakeSocket();
    const conn = new Connection(socket as unknown as WebSocket, { appId: APP, auth: { kind: 'agent', email: 'a@b.c' }, filter: { dialpadUserId: '7' } }, 100);
    expect(conn.offer({ ...ev(1, 'q'.repeat(500)), dialpadUserId: '8' })).toBe(false);
    expect(conn.lastSeq).toBe(1);
    expect(socket.close).not.toHaveBeenCalled();
    expect(conn.offer({ ...ev(2), dialpadUserId: '7' })).toBe(true);
  });
});
