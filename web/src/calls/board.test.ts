import { describe, expect, it } from 'vitest';
import { type BoardEvent, type BoardState, boardTransition, ENDED_LINGER_MS, initialBoard, TOAST_MS } from './board';

const T0 = Date.parse('2026-03-02T15:00:00.000Z');
const iso = (ms: number) => new Date(ms).toISOString();

/** An event message as src/events/event-message.ts builds it. */
function msg(event: string, status: string | null, over: Record<string, unknown> = {}) {
  return {
    seq: 1,
    event_id: 'e1',
    event,
    call_id: '6400000000000001',
    direction: 'inbound',
    from_number: '+15551230001',
    to_number: '+15559990000',
    status,
    user_id: '5550001',
    timestamp: iso(T0),
    target_crm_user: 'crm-7',
    ...over,
  };
}

const run = (events: BoardEvent[], from: BoardState = initialBoard()) => events.reduce(boardTransition, from);

describe('calls board', () => {
  it('an inbound ring: a row keyed by call_id, and a screen-pop toast', () => {
    const s = run([{ type: 'MESSAGE', message: msg('call.ring', 'ringing', { contact_name: 'Jane Doe' }), now: T0 + 50 }]);
    expect(s.order).toEqual(['6400000000000001']);
    expect(s.calls['6400000000000001']).toMatchObject({
      status: 'ringing',
      direction: 'inbound',
      externalNumber: '+15551230001',
      internalNumber: '+15559990000',
      dialpadUserId: '5550001',
      crmUser: 'crm-7',
      contactName: 'Jane Doe',
      startedAtMs: T0,
    });
    expect(s.toasts).toEqual([{ id: `6400000000000001:${T0 + 50}`, callId: '6400000000000001', number: '+15551230001', name: 'Jane Doe', atMs: T0 + 50 }]);
  });

  it('one toast per call, none for outbound calls nor for stale replayed rings', () => {
    let s = run([
      { type: 'MESSAGE', message: msg('call.started', 'initiated'), now: T0 },
      { type: 'MESSAGE', message: msg('call.ring', 'ringing'), now: T0 + 10 },
    ]);
    expect(s.toasts).toHaveLength(1);
    s = boardTransition(s, { type: 'MESSAGE', message: msg('call.ring', 'ringing', { call_id: '2', direction: 'outbound' }), now: T0 });
    s = boardTransition(s, { type: 'MESSAGE', message: msg('call.ring', 'ringing', { call_id: '3', timestamp: iso(T0 - 120_000) }), now: T0 });
    expect(s.toasts.map((t) => t.callId)).toEqual(['6400000000000001']);
    expect(s.calls['2']?.externalNumber).toBe('+15559990000');
  });

  it('status never goes backwards; connected starts the talk timer', () => {
    const s = run([
      { type: 'MESSAGE', message: msg('call.ring', 'ringing'), now: T0 },
      { type: 'MESSAGE', message: msg('call.connected', 'connected', { timestamp: iso(T0 + 4000) }), now: T0 + 4100 },
      { type: 'MESSAGE', message: msg('call.ring', 'ringing', { timestamp: iso(T0 + 1000) }), now: T0 + 4200 },
    ]);
    expect(s.calls['6400000000000001']).toMatchObject({ status: 'connected', connectedAtMs: T0 + 4000 });
  });

  it('the status is derived from the event name when absent (call.ringing, call.hangup too)', () => {
    const s = run([
      { type: 'MESSAGE', message: { type: 'call.ringing', call_id: '9', data: { direction: 'inbound', from_number: '+15550000009' } }, now: T0 },
    ]);
    expect(s.calls['9']).toMatchObject({ status: 'ringing', externalNumber: '+15550000009' });
    expect(run([{ type: 'MESSAGE', message: { type: 'call.hangup', call_id: '9' }, now: T0 + 1 }], s).calls['9']?.status).toBe('ended');
  });

  it('an ended call leaves the board a few seconds later and does not come back', () => {
    let s = run([
      { type: 'MESSAGE', message: msg('call.ring', 'ringing'), now: T0 },
      { type: 'MESSAGE', message: msg('call.ended', 'missed'), now: T0 + 9000 },
    ]);
    expect(s.calls['6400000000000001']?.status).toBe('missed');
    s = boardTransition(s, { type: 'TICK', now: T0 + 9000 + ENDED_LINGER_MS - 1 });
    expect(s.order).toHaveLength(1);
    s = boardTransition(s, { type: 'TICK', now: T0 + 9000 + ENDED_LINGER_MS });
    expect(s.order).toHaveLength(0);
    s = boardTransition(s, { type: 'MESSAGE', message: msg('call.ring', 'ringing'), now: T0 + 20_000 });
    expect(s.order).toHaveLength(0);
  });

  it('toasts disappear after 8 s, or when dismissed', () => {
    let s = run([{ type: 'MESSAGE', message: msg('call.ring', 'ringing'), now: T0 }]);
    s = boardTransition(s, { type: 'TICK', now: T0 + TOAST_MS - 1 });
    expect(s.toasts).toHaveLength(1);
    s = boardTransition(s, { type: 'TICK', now: T0 + TOAST_MS });
    expect(s.toasts).toHaveLength(0);
    s = run([{ type: 'MESSAGE', message: msg('call.ring', 'ringing', { call_id: 'x' }), now: T0 }]);
    s = boardTransition(s, { type: 'DISMISS', id: s.toasts[0]!.id });
    expect(s.toasts).toHaveLength(0);
  });

  it('nothing is shown of a call first seen already over, nor of control frames or agent messages', () => {
    const s = run([
      { type: 'MESSAGE', message: msg('call.recording.completed', 'ended'), now: T0 },
      { type: 'MESSAGE', message: { type: 'welcome', app_id: 'a' }, now: T0 },
      { type: 'MESSAGE', message: { event: 'SHOW_DISPO', attempt_id: 'a' }, now: T0 },
    ]);
    expect(s.order).toEqual([]);
  });

  it('seeded from GET /api/calls/active; rows the server no longer lists end', () => {
    let s = run([{ type: 'MESSAGE', message: msg('call.ring', 'ringing', { call_id: 'old' }), now: T0 }]);
    s = boardTransition(s, {
      type: 'SEED',
      items: [
        { id: 'u1', dialpad_call_id: '77', status: 'connected', direction: 'outbound', from_number: '+15559990000', to_number: '+15551112222', dialpad_user_id: '5', crm_user_id: 'crm-1', started_at: iso(T0 - 60_000), connected_at: iso(T0 - 30_000) },
      ],
      requestedAtMs: T0 + 1000,
      now: T0 + 1100,
    });
    expect(s.calls['77']).toMatchObject({ status: 'connected', externalNumber: '+15551112222', crmUser: 'crm-1', connectedAtMs: T0 - 30_000 });
    expect(s.calls.old?.status).toBe('ended');
    expect(s.toasts.filter((t) => t.callId === '77')).toHaveLength(0);
  });

  it('401 → expired', () => {
    expect(boardTransition(initialBoard(), { type: 'UNAUTHORIZED' }).phase).toBe('expired');
  });
});
