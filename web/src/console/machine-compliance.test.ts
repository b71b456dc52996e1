import { describe, expect, it } from 'vitest';
import { type ConsoleState, pauseTimeNow, transition } from './machine';
import { dispoAnswer, inCall, placed, ready, run, T0, view } from './test-fixtures';
import type { CallbackView } from './types';

const REASONS = ['Break', 'Lunch', 'Training'];

function callback(over: Partial<CallbackView> = {}): CallbackView {
  return {
    id: 'cb1',
    row_id: 'L1',
    lead_name: 'Jane Doe',
    number_index: 2,
    phone: '+15550000002',
    campaign_name: 'Spring',
    agent_email: 'ada@example.com',
    only_me: true,
    // Thu 5 March 2026, 3:00 PM in Chicago
    due_at: '2026-03-05T21:00:00.000Z',
    due_local: '2026-03-05T15:00:00-06:00',
    time_zone: 'America/Chicago',
    notes: null,
    status: 'pending',
    missed: false,
    ...over,
  };
}

const withReasons = (): ConsoleState => run([{ type: 'RESTORED', view: view({ pause_reasons: REASONS, pause_time_ms: {} }), epoch: 0, now: T0 }]);

describe('pause reasons (machine)', () => {
  it('a session answer brings the app\'s reasons, the pause in progress (server time) and the time paused by reason', () => {
    const s = run([
      {
        type: 'RESTORED',
        view: view({ state: 'PAUSE', pause_reasons: REASONS, pause: { reason: 'Lunch', since: new Date(T0 - 60_000).toISOString() }, pause_time_ms: { Break: 120_000, Lunch: 60_000 } }),
        epoch: 0,
        now: T0,
      },
    ]);
    expect(s).toMatchObject({ phase: 'paused', pauseReasons: REASONS, pausedFor: { reason: 'Lunch', sinceMs: T0 - 60_000 }, pauseTime: { byReason: { Break: 120_000, Lunch: 60_000 }, atMs: T0 } });
    // the open pause runs on from the answer; the others stay
    expect(pauseTimeNow(s, T0 + 5000)).toEqual({ Break: 120_000, Lunch: 65_000 });
  });

  it('an answer without reasons keeps those known (the pause and resume answers carry none)', () => {
    const s = run([{ type: 'SESSION_REQUESTED', op: 'pause' }, { type: 'SESSION_UPDATED', view: view({ state: 'PAUSE', pause: { reason: 'Break', since: new Date(T0).toISOString() } }), now: T0 }], withReasons());
    expect(s.pauseReasons).toEqual(REASONS);
    expect(s).toMatchObject({ phase: 'paused', pausedFor: { reason: 'Break' }, announcement: { text: 'Paused for Break' } });
  });

  it('the menu opens only while playing with reasons and no session request in flight; pausing closes it', () => {
    expect(transition(ready(), { type: 'PAUSE_MENU', open: true }).pauseMenu).toBe(false); // no reasons known
    let s = transition(withReasons(), { type: 'PAUSE_MENU', open: true });
    expect(s.pauseMenu).toBe(true);
    expect(transition(s, { type: 'PAUSE_MENU', open: false }).pauseMenu).toBe(false);
    s = transition(s, { type: 'SESSION_REQUESTED', op: 'pause' });
    expect(s.pauseMenu).toBe(false);
    expect(transition(s, { type: 'PAUSE_MENU', open: true }).pauseMenu).toBe(false); // pause in flight
    const paused = run([{ type: 'RESTORED', view: view({ state: 'PAUSE', pause_reasons: REASONS }), epoch: 0, now: T0 }]);
    expect(transition(paused, { type: 'PAUSE_MENU', open: true }).pauseMenu).toBe(false);
  });

  it('the menu gives way to the disposition dialog when the call ends', () => {
    let s: ConsoleState = { ...inCall('connected'), pauseReasons: REASONS };
    s = transition(s, { type: 'PAUSE_MENU', open: true });
    expect(s.pauseMenu).toBe(true);
    s = transition(s, { type: 'MESSAGE', message: { event: 'SHOW_DISPO', attempt_id: 'a1', row_id: 'L1', connected: true, talk_time_ms: 1000 }, now: T0 + 40_000 });
    expect(s).toMatchObject({ phase: 'wrap-up', dialog: { open: true }, pauseMenu: false });
  });

  it('paused mid-call with a reason: said so; resumed: no pause, the time by reason as answered', () => {
    let s: ConsoleState = { ...inCall('connected'), pauseReasons: REASONS };
    s = run([{ type: 'SESSION_REQUESTED', op: 'pause' }, { type: 'SESSION_UPDATED', view: view({ state: 'PAUSE', pause: { reason: 'Lunch', since: new Date(T0).toISOString() }, pause_time_ms: { Lunch: 0 } }), now: T0 }], s);
    expect(s).toMatchObject({ phase: 'connected', pausedFor: { reason: 'Lunch' }, announcement: { text: 'Paused for Lunch: no next dial after this call' } });
    s = run([{ type: 'SESSION_REQUESTED', op: 'resume' }, { type: 'SESSION_UPDATED', view: view({ state: 'PLAY', pause: null, pause_time_ms: { Lunch: 95_000 } }), now: T0 + 95_000 }], s);
    expect(s.pausedFor).toBeNull();
    expect(pauseTimeNow(s, T0 + 200_000)).toEqual({ Lunch: 95_000 });
  });

  it('a STATS message saying PLAY (another tab resumed) ends the pause shown here', () => {
    const paused = run([{ type: 'RESTORED', view: view({ state: 'PAUSE', pause: { reason: 'Break', since: new Date(T0).toISOString() } }), epoch: 0, now: T0 }]);
    const s = transition(paused, { type: 'MESSAGE', message: { event: 'STATS', session_id: 's1', state: 'PLAY', stats: paused.stats }, now: T0 + 1000 });
    expect(s).toMatchObject({ phase: 'ready', pausedFor: null });
  });

  it('an open pause the last answer predates counts from its own start', () => {
    expect(pauseTimeNow({ pausedFor: { reason: 'Break', sinceMs: T0 }, pauseTime: { byReason: { Break: 10_000 }, atMs: T0 - 1000 } }, T0 + 3000)).toEqual({ Break: 13_000 });
  });
});

describe('do not call and callbacks in the dialog (machine)', () => {
  it('7 then a first confirm arms the confirmation; Esc backs out of it (the dialog stays), a second Esc closes the dialog', () => {
    let s = run([{ type: 'DIALOG_SELECT', code: 'DNC' }, { type: 'DIALOG_DNC_CONFIRM' }], inCall('ended'));
    expect(s.dialog).toMatchObject({ open: true, code: 'DNC', dncConfirm: true });
    s = transition(s, { type: 'DIALOG_CLOSE' });
    expect(s.dialog).toMatchObject({ open: true, code: 'DNC', dncConfirm: false });
    s = transition(s, { type: 'DIALOG_CLOSE' });
    expect(s.dialog.open).toBe(false);
  });

  it('picking another outcome disarms it; arming needs Do not call picked', () => {
    let s = run([{ type: 'DIALOG_SELECT', code: 'DNC' }, { type: 'DIALOG_DNC_CONFIRM' }, { type: 'DIALOG_SELECT', code: 'NO_ANSWER' }], inCall('ended'));
    expect(s.dialog).toMatchObject({ code: 'NO_ANSWER', dncConfirm: false });
    s = transition(s, { type: 'DIALOG_DNC_CONFIRM' });
    expect(s.dialog.dncConfirm).toBe(false);
  });

  it('the callback draft is kept with the dialog, and gone after the disposition', () => {
    const draft = { choice: { kind: 'quick' as const, id: 'tomorrow-9' as const }, onlyMe: true };
    let s = run([{ type: 'DIALOG_SELECT', code: 'CORRECT' }, { type: 'DIALOG_CALLBACK', callback: draft }, { type: 'DIALOG_CLOSE' }, { type: 'DIALOG_OPEN' }], inCall('ended'));
    expect(s.dialog).toMatchObject({ open: true, code: 'CORRECT', callback: draft });
    s = run([{ type: 'DISPOSITION_REQUESTED', attemptId: 'a1', code: 'CORRECT' }, { type: 'DISPOSITION_ANSWERED', answer: dispoAnswer('a1', 'CORRECT', null), now: T0 + 50_000 }], s);
    expect(s.dialog).toMatchObject({ open: false, callback: null, dncConfirm: false });
  });

  it('a disposition that scheduled a callback: it joins the list (by due time) and is said in the lead\'s time', () => {
    const earlier = callback({ id: 'cb0', due_at: '2026-03-03T15:00:00.000Z', lead_name: 'Bob Roe' });
    let s: ConsoleState = { ...inCall('ended'), callbacks: [callback({ id: 'cb9', due_at: '2026-03-20T15:00:00.000Z' }), earlier] };
    s = transition(s, { type: 'DISPOSITION_ANSWERED', answer: dispoAnswer('a1', 'CORRECT', null, { callback: callback() }), now: T0 + 50_000 });
    expect(s.callbacks?.map((c) => c.id)).toEqual(['cb0', 'cb1', 'cb9']);
    expect(s.announcement.text).toBe('Disposition saved: Correct. Callback Thu 3:00 PM lead time (America/Chicago)');
  });

  it('a dial that honours a callback: the call says so, and the callback leaves the list', () => {
    let s: ConsoleState = { ...ready(), callbacks: [callback()] };
    s = run([{ type: 'DIAL_REQUESTED', now: T0 }, { type: 'DIAL_ANSWERED', result: { ...placed('a7'), callback_id: 'cb1' }, now: T0 + 100 }], s);
    expect(s.call?.callbackId).toBe('cb1');
    expect(s.callbacks).toEqual([]);
  });

  it('CALLBACKS_LOADED replaces the list', () => {
    expect(transition(ready(), { type: 'CALLBACKS_LOADED', items: [callback()] }).callbacks).toHaveLength(1);
  });
});
