import { describe, expect, it } from 'vitest';
import { type ConsoleState, initialState, transition } from './machine';
import { canDialNext, canHangUp, canSkip, canStop, needsDisposition, numberPosition, toggleAction } from './selectors';
import { attempt, dispoAnswer, inCall, lead, placed, ready, run, STATS, T0, view } from './test-fixtures';

const unauthorized = { status: 401, message: 'Invalid or expired agent token' };

describe('restore (GET /session/current)', () => {
  it('404 → idle: Play is offered', () => {
    const s = run([{ type: 'RESTORED', view: null, epoch: 0, now: T0 }]);
    expect(s.phase).toBe('idle');
    expect(s.readyState).toBeNull();
    expect(toggleAction(s)).toBe('play');
  });

  it('a PLAY session with nothing open → ready (Dial next), with its stats', () => {
    const s = ready();
    expect(s).toMatchObject({ phase: 'ready', readyState: 'PLAY', sessionId: 's1', campaign: 'Spring', agentEmail: 'ada@example.com', stats: STATS });
    expect(toggleAction(s)).toBe('pause');
    expect(canDialNext(s)).toBe(true);
  });

  it('a PAUSE session → paused', () => {
    const s = run([{ type: 'RESTORED', view: view({ state: 'PAUSE' }), epoch: 0, now: T0 }]);
    expect(s.phase).toBe('paused');
    expect(toggleAction(s)).toBe('play');
  });

  it('reload with an ended attempt → wrap-up with the dialog open', () => {
    const s = run([{ type: 'RESTORED', view: view({ current_attempt_id: 'a1', current_attempt: attempt('a1', 'ended') }), epoch: 0, now: T0 }]);
    expect(s.phase).toBe('wrap-up');
    expect(s.dialog).toEqual({ open: true, code: null, notes: '', error: null, dncConfirm: false, callback: null });
    expect(s.call).toMatchObject({ attemptId: 'a1', status: 'ended', name: 'Jane Doe', phone: '+15550000002', connected: true, talkTimeMs: 40_000 });
    expect(needsDisposition(s)).toBe(true);
  });

  it('reload during a connected call → connected, timer from the server time (never in the future)', () => {
    const s = run([{ type: 'RESTORED', view: view({ current_attempt: attempt('a1', 'connected', { connected_at: new Date(T0 + 60_000).toISOString() }) }), epoch: 0, now: T0 }]);
    expect(s.phase).toBe('connected');
    expect(s.call?.connectedAtMs).toBe(T0);
    expect(canHangUp(s)).toBe(true);
  });

  it('a dispositioned or failed current attempt is not reopened', () => {
    for (const status of ['dispositioned', 'failed'] as const) {
      const s = run([{ type: 'RESTORED', view: view({ current_attempt: attempt('a1', status) }), epoch: 0, now: T0 }]);
      expect(s.phase).toBe('ready');
      expect(s.call).toBeNull();
    }
  });

  it('an older backend (current_attempt_id without current_attempt) → follows it as dialing, Skip possible', () => {
    const s = run([{ type: 'RESTORED', view: view({ current_attempt_id: 'a9', current_attempt: undefined }), epoch: 0, now: T0 }]);
    expect(s.phase).toBe('dialing');
    expect(s.call?.attemptId).toBe('a9');
    expect(canSkip(s)).toBe(true);
  });

  it('after a reconnect: the same ended attempt keeps the dialog state (selection, notes)', () => {
    let s = inCall('ended');
    s = run([{ type: 'DIALOG_SELECT', code: 'WRONG' }, { type: 'DIALOG_NOTES', notes: 'not him' }], s);
    s = transition(s, { type: 'RESTORED', view: view({ current_attempt: attempt('a1', 'ended') }), epoch: s.epoch, now: T0 + 40_000 });
    expect(s.phase).toBe('wrap-up');
    expect(s.dialog).toMatchObject({ open: true, code: 'WRONG', notes: 'not him' });
  });

  it('after a reconnect: a call that ended while the socket was down → wrap-up', () => {
    let s = inCall('connected');
    s = transition(s, { type: 'RESTORED', view: view({ current_attempt: attempt('a1', 'ended') }), epoch: s.epoch, now: T0 + 40_000 });
    expect(s.phase).toBe('wrap-up');
    expect(s.dialog.open).toBe(true);
    expect(s.announcement.text).toBe('Call ended');
  });

  it('after a reconnect: the local call was dispositioned elsewhere → back to ready, its late messages ignored', () => {
    let s = inCall('ended');
    s = transition(s, { type: 'RESTORED', view: view({ current_attempt: attempt('a1', 'dispositioned') }), epoch: s.epoch, now: T0 + 40_000 });
    expect(s.phase).toBe('ready');
    expect(s.call).toBeNull();
    s = transition(s, { type: 'MESSAGE', message: { event: 'SHOW_DISPO', attempt_id: 'a1', row_id: 'L1', talk_time_ms: 1 }, now: T0 + 41_000 });
    expect(s.phase).toBe('ready');
  });

  it('a stale restore answer (the call moved on since it was asked) is ignored', () => {
    const before = inCall('dialing');
    const asked = before.epoch;
    let s = transition(before, { type: 'MESSAGE', message: { event: 'CALL_STATE', attempt_id: 'a1', status: 'connected' }, now: T0 + 2000 });
    s = transition(s, { type: 'RESTORED', view: view({ current_attempt: null }), epoch: asked, now: T0 + 2100 });
    expect(s.phase).toBe('connected');
    expect(s.call?.attemptId).toBe('a1');
  });

  it('while a request is in flight, a restore only takes the counters', () => {
    let s = transition(ready(), { type: 'DIAL_REQUESTED', now: T0 });
    s = transition(s, { type: 'RESTORED', view: view({ stats: { ...STATS, dials: 9 } }), epoch: s.epoch, now: T0 + 10 });
    expect(s.phase).toBe('dialing');
    expect(s.callOp).toEqual({ kind: 'dial', attemptId: null });
    expect(s.stats.dials).toBe(9);
  });

  it('a later successful restore clears the error of a failed first load', () => {
    const s = run([
      { type: 'RESTORE_FAILED', error: { status: 0, message: 'Network error' } },
      { type: 'RESTORED', view: view(), epoch: 0, now: T0 },
    ]);
    expect(s).toMatchObject({ phase: 'ready', error: null });
  });

  it('partial answers are normalised: missing counters are zeros, a lead without numbers still shows', () => {
    const s = run([
      { type: 'RESTORED', view: view({ stats: { dials: 4 } as never, current_attempt: attempt('a1', 'ringing', { lead: { row_id: 'L1', name: 'Jo' } as never }) }), epoch: 0, now: T0 },
    ]);
    expect(s.stats).toEqual({ dials: 4, connects: 0, dispositions: {}, talk_time_ms: 0, dials_per_hour: 0 });
    expect(s.call?.lead).toMatchObject({ name: 'Jo', numbers: [], notes: null, attempts: null });
    expect(s.call?.name).toBe('Jo');
  });

  it('a failed first restore → error; a later one → a notice only', () => {
    expect(transition(initialState(), { type: 'RESTORE_FAILED', error: { status: 503, message: 'down' } })).toMatchObject({ phase: 'error', error: 'Could not load your session: down' });
    const s = transition(ready(), { type: 'RESTORE_FAILED', error: { status: 0, message: 'Network error' } });
    expect(s.phase).toBe('ready');
    expect(s.notice).toMatch(/Network error/);
  });
});

describe('start, pause, resume, stop', () => {
  it('idle → start requested → started (PLAY, nothing open) → ready', () => {
    let s = run([{ type: 'RESTORED', view: null, epoch: 0, now: T0 }]);
    s = transition(s, { type: 'SESSION_REQUESTED', op: 'start' });
    expect(s.sessionOp).toBe('start');
    s = transition(s, { type: 'STARTED', view: view({ stats: undefined }), now: T0 });
    expect(s).toMatchObject({ phase: 'ready', readyState: 'PLAY', sessionOp: null, sessionId: 's1' });
  });

  it('a recovered session with an ended attempt → wrap-up at once', () => {
    const s = run([
      { type: 'RESTORED', view: null, epoch: 0, now: T0 },
      { type: 'SESSION_REQUESTED', op: 'start' },
      { type: 'STARTED', view: view({ current_attempt: attempt('a1', 'ended') }), now: T0 },
    ]);
    expect(s.phase).toBe('wrap-up');
    expect(s.dialog.open).toBe(true);
  });

  it('pause with no call → paused; resume → ready', () => {
    let s = run([{ type: 'SESSION_REQUESTED', op: 'pause' }, { type: 'SESSION_UPDATED', view: view({ state: 'PAUSE' }), now: T0 }], ready());
    expect(s).toMatchObject({ phase: 'paused', readyState: 'PAUSE', announcement: { text: 'Paused' } });
    expect(canDialNext(s)).toBe(false);
    s = run([{ type: 'SESSION_REQUESTED', op: 'resume' }, { type: 'SESSION_UPDATED', view: view(), now: T0 }], s);
    expect(s).toMatchObject({ phase: 'ready', readyState: 'PLAY' });
  });

  it('pause during a call: the call goes on; after its disposition nothing is chained → paused', () => {
    let s = transition(inCall('connected'), { type: 'SESSION_UPDATED', view: view({ state: 'PAUSE' }), now: T0 });
    expect(s.phase).toBe('connected');
    expect(toggleAction(s)).toBe('play');
    s = run(
      [
        { type: 'MESSAGE', message: { event: 'SHOW_DISPO', attempt_id: 'a1', row_id: 'L1', talk_time_ms: 1000, connected: true }, now: T0 + 9000 },
        { type: 'DIALOG_SELECT', code: 'CORRECT' },
        { type: 'DISPOSITION_REQUESTED', attemptId: 'a1', code: 'CORRECT' },
        { type: 'DISPOSITION_ANSWERED', answer: dispoAnswer('a1', 'CORRECT', null), now: T0 + 9500 },
      ],
      s,
    );
    expect(s.phase).toBe('paused');
    expect(s.call).toBeNull();
  });

  it('stop → stopped; Stop is only possible with no open call', () => {
    expect(canStop(ready())).toBe(true);
    expect(canStop(inCall('ended'))).toBe(false);
    const s = run([{ type: 'SESSION_REQUESTED', op: 'stop' }, { type: 'SESSION_UPDATED', view: view({ state: 'STOPPED' }), now: T0 }], ready());
    expect(s).toMatchObject({ phase: 'stopped', readyState: 'STOPPED', announcement: { text: 'Session stopped' } });
    expect(toggleAction(s)).toBe('play');
  });

  it('a refused stop (409) → a notice, the state unchanged', () => {
    const s = run([{ type: 'SESSION_REQUESTED', op: 'stop' }, { type: 'SESSION_FAILED', op: 'stop', error: { status: 409, message: 'waiting' } }], ready());
    expect(s.phase).toBe('ready');
    expect(s.notice).toMatch(/Stop is possible once/);
  });

  it('a failed start → error state (Play offered again)', () => {
    const s = run([
      { type: 'RESTORED', view: null, epoch: 0, now: T0 },
      { type: 'SESSION_REQUESTED', op: 'start' },
      { type: 'SESSION_FAILED', op: 'start', error: { status: 403, message: 'ada@example.com is not Active in the router sheet' } },
    ]);
    expect(s.phase).toBe('error');
    expect(s.error).toMatch(/not Active/);
    expect(toggleAction(s)).toBe('play');
  });
});

describe('a call: dialing → ringing → connected → wrap-up', () => {
  it('dial requested → dialing without a lead yet; answered → the lead, announced', () => {
    let s = transition(ready(), { type: 'DIAL_REQUESTED', now: T0 });
    expect(s.phase).toBe('dialing');
    expect(s.call?.attemptId).toBeNull();
    expect(canSkip(s)).toBe(false); // nothing to skip before the attempt exists
    s = transition(s, { type: 'DIAL_ANSWERED', result: placed('a1'), now: T0 + 80 });
    expect(s.phase).toBe('dialing');
    expect(s.callOp).toBeNull();
    expect(s.call).toMatchObject({ attemptId: 'a1', name: 'Jane Doe', phone: '+15550000002', numberIndex: 2, lead: { notes: 'Prefers mornings' } });
    expect(s.announcement.text).toBe('Dialing Jane Doe');
    expect(numberPosition(s.call!)).toEqual({ position: 2, total: 3 });
    expect(canSkip(s)).toBe(true);
  });

  it('an older dial answer without `lead` still shows name, number and its index', () => {
    const { lead: _omit, ...bare } = placed('a1');
    const s = run([{ type: 'DIAL_REQUESTED', now: T0 }, { type: 'DIAL_ANSWERED', result: bare, now: T0 }], ready());
    expect(s.call).toMatchObject({ name: 'Jane Doe', phone: '+15550000002', lead: null });
    expect(numberPosition(s.call!)).toEqual({ position: 2, total: 0 });
  });

  it('CALL_STATE ringing → connected (timer starts) → ended (dialog opens)', () => {
    let s = inCall('dialing');
    s = transition(s, { type: 'MESSAGE', message: { event: 'CALL_STATE', attempt_id: 'a1', status: 'ringing' }, now: T0 + 1000 });
    expect(s).toMatchObject({ phase: 'ringing', announcement: { text: 'Ringing' } });
    s = transition(s, { type: 'MESSAGE', message: { event: 'CALL_STATE', attempt_id: 'a1', status: 'connected', connected_at: null }, now: T0 + 4000 });
    expect(s).toMatchObject({ phase: 'connected', announcement: { text: 'Connected' } });
    expect(s.call?.connectedAtMs).toBe(T0 + 4000);
    expect(canHangUp(s)).toBe(true);
    expect(canSkip(s)).toBe(false);
    s = transition(s, { type: 'MESSAGE', message: { event: 'CALL_STATE', attempt_id: 'a1', status: 'ended' }, now: T0 + 34_000 });
    expect(s).toMatchObject({ phase: 'wrap-up', announcement: { text: 'Call ended' }, dialog: { open: true } });
    expect(s.call?.talkTimeMs).toBe(30_000);
  });

  it('status never goes backwards (a late ringing after connected)', () => {
    const s = transition(inCall('connected'), { type: 'MESSAGE', message: { event: 'CALL_STATE', attempt_id: 'a1', status: 'ringing' }, now: T0 + 9000 });
    expect(s.phase).toBe('connected');
  });

  it('CALL_STATE arriving before the dial’s HTTP answer is applied when the answer comes', () => {
    let s = transition(ready(), { type: 'DIAL_REQUESTED', now: T0 });
    s = transition(s, { type: 'MESSAGE', message: { event: 'CALL_STATE', attempt_id: 'a1', status: 'ringing' }, now: T0 + 50 });
    s = transition(s, { type: 'MESSAGE', message: { event: 'CALL_STATE', attempt_id: 'a1', status: 'connected' }, now: T0 + 60 });
    expect(s.phase).toBe('dialing');
    expect(s.early.a1?.status).toBe('connected');
    s = transition(s, { type: 'DIAL_ANSWERED', result: placed('a1'), now: T0 + 90 });
    expect(s.phase).toBe('connected');
    expect(s.call?.connectedAtMs).toBe(T0 + 60);
    expect(s.early).toEqual({});
    expect(s.announcement.text).toBe('Dialing Jane Doe. Connected');
  });

  it('SHOW_DISPO arriving before the dial’s HTTP answer → wrap-up as soon as the answer comes', () => {
    let s = transition(ready(), { type: 'DIAL_REQUESTED', now: T0 });
    s = transition(s, { type: 'MESSAGE', message: { event: 'SHOW_DISPO', attempt_id: 'a1', row_id: 'L1', connected: false, talk_time_ms: 0 }, now: T0 + 50 });
    expect(s.phase).toBe('dialing');
    s = transition(s, { type: 'DIAL_ANSWERED', result: placed('a1'), now: T0 + 90 });
    expect(s.phase).toBe('wrap-up');
    expect(s.dialog.open).toBe(true);
    expect(s.call?.connected).toBe(false);
  });

  it('a duplicate SHOW_DISPO changes nothing: the selection, notes and a closed dialog stay as they are', () => {
    let s = run([{ type: 'DIALOG_SELECT', code: 'NO_ANSWER' }, { type: 'DIALOG_NOTES', notes: 'rang out' }], inCall('ended'));
    const again = { type: 'MESSAGE' as const, message: { event: 'SHOW_DISPO' as const, attempt_id: 'a1', row_id: 'L1', connected: true, talk_time_ms: 30_000 }, now: T0 + 36_000 };
    const before = s.announcement;
    s = transition(s, again);
    expect(s.dialog).toMatchObject({ open: true, code: 'NO_ANSWER', notes: 'rang out' });
    expect(s.announcement).toEqual(before);
    s = transition(s, { type: 'DIALOG_CLOSE' });
    s = transition(s, again);
    expect(s.dialog.open).toBe(false);
    expect(s.phase).toBe('wrap-up');
  });

  it('SHOW_DISPO of a call this console never saw placed (another tab) → wrap-up for it', () => {
    const s = transition(ready(), { type: 'MESSAGE', message: { event: 'SHOW_DISPO', attempt_id: 'zz', row_id: 'L7', number_index: 1, phone: '+15550000077', connected: false, talk_time_ms: 0 }, now: T0 });
    expect(s.phase).toBe('wrap-up');
    expect(s.call).toMatchObject({ attemptId: 'zz', rowId: 'L7', phone: '+15550000077' });
  });

  it('messages of unknown attempts during a call are kept aside, not applied', () => {
    const s = transition(inCall('connected'), { type: 'MESSAGE', message: { event: 'CALL_STATE', attempt_id: 'other', status: 'ended' }, now: T0 + 9000 });
    expect(s.phase).toBe('connected');
    expect(s.early.other?.status).toBe('ended');
  });

  it('Esc closes the dialog: "Disposition needed"; D reopens it', () => {
    let s = transition(inCall('ended'), { type: 'DIALOG_CLOSE' });
    expect(s.dialog.open).toBe(false);
    expect(needsDisposition(s)).toBe(true);
    expect(s.announcement.text).toBe('Dialog closed: the call still needs its disposition');
    s = transition(s, { type: 'DIALOG_OPEN' });
    expect(s.dialog.open).toBe(true);
  });

  it('the dialog cannot be opened outside wrap-up', () => {
    const s = inCall('connected');
    expect(transition(s, { type: 'DIALOG_OPEN' })).toBe(s);
  });

  it('hang up: requested → answered; SHOW_DISPO follows on the socket', () => {
    let s = transition(inCall('connected'), { type: 'HANGUP_REQUESTED', attemptId: 'a1' });
    expect(canHangUp(s)).toBe(false);
    s = transition(s, { type: 'HANGUP_ANSWERED', attemptId: 'a1' });
    expect(s.callOp).toBeNull();
    expect(s.phase).toBe('connected');
    s = transition(s, { type: 'MESSAGE', message: { event: 'SHOW_DISPO', attempt_id: 'a1', row_id: 'L1', connected: true, talk_time_ms: 12_000 }, now: T0 + 20_000 });
    expect(s.phase).toBe('wrap-up');
    expect(s.call?.talkTimeMs).toBe(12_000);
  });

  it('a failed hang up → a notice, still connected', () => {
    const s = run([{ type: 'HANGUP_REQUESTED', attemptId: 'a1' }, { type: 'HANGUP_FAILED', error: { status: 502, message: 'Dialpad is unavailable' } }], inCall('connected'));
    expect(s.phase).toBe('connected');
    expect(s.notice).toBe('Hang up failed: Dialpad is unavailable');
  });
});

describe('dispositions', () => {
  it('confirm → saved, the chained next dial becomes the current call', () => {
    let s = run([{ type: 'DIALOG_SELECT', code: 'CORRECT' }, { type: 'DISPOSITION_REQUESTED', attemptId: 'a1', code: 'CORRECT' }], inCall('ended'));
    expect(s.callOp).toEqual({ kind: 'disposition', attemptId: 'a1' });
    s = transition(s, { type: 'DISPOSITION_ANSWERED', answer: dispoAnswer('a1', 'CORRECT', placed('a2', { name: 'Bob Roe', row_id: 'L2' })), now: T0 + 40_000 });
    expect(s.phase).toBe('dialing');
    expect(s.call).toMatchObject({ attemptId: 'a2', name: 'Bob Roe' });
    expect(s.dialog.open).toBe(false);
    expect(s.finished).toContain('a1');
    expect(s.announcement.text).toBe('Disposition saved: Correct. Dialing Bob Roe');
  });

  it('the chained call’s own messages can beat the disposition answer', () => {
    let s = run([{ type: 'DIALOG_SELECT', code: 'WRONG' }, { type: 'DISPOSITION_REQUESTED', attemptId: 'a1', code: 'WRONG' }], inCall('ended'));
    s = transition(s, { type: 'MESSAGE', message: { event: 'CALL_STATE', attempt_id: 'a2', status: 'ringing' }, now: T0 + 40_000 });
    s = transition(s, { type: 'DISPOSITION_ANSWERED', answer: dispoAnswer('a1', 'WRONG', placed('a2')), now: T0 + 40_100 });
    expect(s.phase).toBe('ringing');
    expect(s.call?.attemptId).toBe('a2');
  });

  it('nothing left to dial → the backend’s reason is shown', () => {
    const reason = 'no lead can be dialed now: 3 RETRY_PENDING, 3 done';
    const s = transition(inCall('ended'), { type: 'DISPOSITION_ANSWERED', answer: dispoAnswer('a1', 'SKIP', { attempt_id: null, reason, skipped: { RETRY_PENDING: 3 } }), now: T0 });
    expect(s).toMatchObject({ phase: 'nothing', nothingReason: reason, call: null });
    expect(s.announcement.text).toBe('Disposition saved: Skip lead. Nothing to dial');
    expect(canDialNext(s)).toBe(true);
  });

  it('a chained dial refused by Dialpad (retry_after_ms) → scheduled by the console', () => {
    const s = transition(inCall('ended'), {
      type: 'DISPOSITION_ANSWERED',
      answer: dispoAnswer('a1', 'NO_ANSWER', null, { next_error: { statusCode: 429, code: 'RATE_LIMITED', message: 'Dialpad rate limit', retry_after_ms: 12_000 } }),
      now: T0,
    });
    expect(s.phase).toBe('scheduled');
    expect(s.scheduled).toEqual({ atMs: T0 + 12_000, by: 'client', attemptId: null });
  });

  it('a chained dial that failed otherwise → error, Dial next offered', () => {
    const s = transition(inCall('ended'), {
      type: 'DISPOSITION_ANSWERED',
      answer: dispoAnswer('a1', 'NO_ANSWER', null, { next_error: { statusCode: 502, code: 'UPSTREAM', message: 'Dialpad is unavailable' } }),
      now: T0,
    });
    expect(s.phase).toBe('error');
    expect(s.error).toMatch(/Dialpad is unavailable/);
    expect(canDialNext(s)).toBe(true);
  });

  it('a failed disposition keeps the dialog open with the error; the selection stays', () => {
    const s = run(
      [
        { type: 'DIALOG_SELECT', code: 'VM_SAME_NAME' },
        { type: 'DISPOSITION_REQUESTED', attemptId: 'a1', code: 'VM_SAME_NAME' },
        { type: 'DISPOSITION_FAILED', kind: 'disposition', attemptId: 'a1', error: { status: 503, message: 'Sheets unavailable' } },
      ],
      inCall('ended'),
    );
    expect(s.phase).toBe('wrap-up');
    expect(s.dialog).toMatchObject({ open: true, code: 'VM_SAME_NAME', error: 'Not saved: Sheets unavailable' });
    expect(s.callOp).toBeNull();
  });

  it('409 "already has a disposition" (a retry after a lost answer) → the console moves on', () => {
    const s = run(
      [
        { type: 'DISPOSITION_REQUESTED', attemptId: 'a1', code: 'CORRECT' },
        { type: 'DISPOSITION_FAILED', kind: 'disposition', attemptId: 'a1', error: { status: 409, message: 'Attempt a1 already has a disposition (CORRECT)' } },
      ],
      inCall('ended'),
    );
    expect(s.phase).toBe('ready');
    expect(s.call).toBeNull();
    expect(s.finished).toContain('a1');
  });

  it('selecting is refused while the disposition is being saved', () => {
    const s = run([{ type: 'DIALOG_SELECT', code: 'CORRECT' }, { type: 'DISPOSITION_REQUESTED', attemptId: 'a1', code: 'CORRECT' }, { type: 'DIALOG_SELECT', code: 'WRONG' }], inCall('ended'));
    expect(s.dialog.code).toBe('CORRECT');
  });

  it('Skip before connect: requested → answered like a disposition, next chained', () => {
    let s = transition(inCall('ringing'), { type: 'SKIP_REQUESTED', attemptId: 'a1' });
    expect(canSkip(s)).toBe(false);
    // the call ends because of the skip: no dialog for it
    s = transition(s, { type: 'MESSAGE', message: { event: 'SHOW_DISPO', attempt_id: 'a1', row_id: 'L1', connected: false, talk_time_ms: 0 }, now: T0 + 3000 });
    expect(s.dialog.open).toBe(false);
    s = transition(s, { type: 'DISPOSITION_ANSWERED', answer: dispoAnswer('a1', 'SKIP', placed('a2')), now: T0 + 3100 });
    expect(s.phase).toBe('dialing');
    expect(s.call?.attemptId).toBe('a2');
    expect(s.announcement.text).toBe('Disposition saved: Skip lead. Dialing Jane Doe');
  });

  it('a failed skip after the call ended → the dialog opens', () => {
    const s = run(
      [
        { type: 'SKIP_REQUESTED', attemptId: 'a1' },
        { type: 'MESSAGE', message: { event: 'SHOW_DISPO', attempt_id: 'a1', row_id: 'L1', connected: false, talk_time_ms: 0 }, now: T0 + 3000 },
        { type: 'DISPOSITION_FAILED', kind: 'skip', attemptId: 'a1', error: { status: 500, message: 'boom' } },
      ],
      inCall('ringing'),
    );
    expect(s.phase).toBe('wrap-up');
    expect(s.dialog.open).toBe(true);
    expect(s.notice).toBe('Skip failed: boom');
  });
});

describe('scheduled dials', () => {
  const at = new Date(T0 + 20_000).toISOString();

  it('a dial answered as scheduled → "Next dial in 20 seconds"; the DIAL_RESULT later → the call', () => {
    let s = run([{ type: 'DIAL_REQUESTED', now: T0 }, { type: 'DIAL_ANSWERED', result: { attempt_id: null, scheduled_at: at }, now: T0 }], ready());
    expect(s).toMatchObject({ phase: 'scheduled', scheduled: { atMs: T0 + 20_000, by: 'server' }, call: null });
    expect(s.announcement.text).toBe('Next dial in 20 seconds');
    expect(canDialNext(s)).toBe(false);
    s = transition(s, { type: 'MESSAGE', message: { event: 'DIAL_RESULT', result: placed('a5') }, now: T0 + 20_500 });
    expect(s.phase).toBe('dialing');
    expect(s.call?.attemptId).toBe('a5');
    expect(s.scheduled).toBeNull();
  });

  it('DIAL_SCHEDULED on the socket, then DIAL_RESULT with nothing to dial', () => {
    let s = transition(ready(), { type: 'MESSAGE', message: { event: 'DIAL_SCHEDULED', scheduled_at: at, attempt_id: null }, now: T0 });
    expect(s.phase).toBe('scheduled');
    s = transition(s, { type: 'MESSAGE', message: { event: 'DIAL_RESULT', result: { attempt_id: null, reason: 'no lead can be dialed now: 2 OUTSIDE_WINDOW' } }, now: T0 + 21_000 });
    expect(s).toMatchObject({ phase: 'nothing', nothingReason: 'no lead can be dialed now: 2 OUTSIDE_WINDOW' });
  });

  it('DIAL_SCHEDULED during a call is ignored; a DIAL_RESULT for the current call too', () => {
    const s = inCall('connected');
    expect(transition(s, { type: 'MESSAGE', message: { event: 'DIAL_SCHEDULED', scheduled_at: at }, now: T0 })).toBe(s);
    expect(transition(s, { type: 'MESSAGE', message: { event: 'DIAL_RESULT', result: placed('a1') }, now: T0 }).phase).toBe('connected');
  });

  it('DIAL_RESULT on the socket before the HTTP answer: the answer does not reset the call', () => {
    let s = transition(ready(), { type: 'DIAL_REQUESTED', now: T0 });
    s = transition(s, { type: 'MESSAGE', message: { event: 'DIAL_RESULT', result: placed('a1') }, now: T0 + 10 });
    s = transition(s, { type: 'MESSAGE', message: { event: 'CALL_STATE', attempt_id: 'a1', status: 'ringing' }, now: T0 + 20 });
    s = transition(s, { type: 'DIAL_ANSWERED', result: placed('a1'), now: T0 + 30 });
    expect(s.phase).toBe('ringing');
  });

  it('a dial refused with 429 + Retry-After → scheduled by the console', () => {
    const s = run([{ type: 'DIAL_REQUESTED', now: T0 }, { type: 'DIAL_FAILED', error: { status: 429, message: 'rate limited', retryAfterMs: 30_000 }, now: T0 }], ready());
    expect(s).toMatchObject({ phase: 'scheduled', scheduled: { atMs: T0 + 30_000, by: 'client' }, call: null });
    expect(canDialNext(s)).toBe(true);
  });

  it('a server-scheduled dial long overdue (its DIAL_RESULT lost): a restore with nothing open → ready', () => {
    let s = run([{ type: 'DIAL_REQUESTED', now: T0 }, { type: 'DIAL_ANSWERED', result: { attempt_id: null, scheduled_at: at }, now: T0 }], ready());
    s = transition(s, { type: 'RESTORED', view: view(), epoch: s.epoch, now: T0 + 10_000 });
    expect(s.phase).toBe('scheduled');
    s = transition(s, { type: 'RESTORED', view: view(), epoch: s.epoch, now: T0 + 40_000 });
    expect(s.phase).toBe('ready');
  });

  it('a scheduled dial placed meanwhile (DIAL_RESULT lost) is adopted by the next restore', () => {
    let s = run([{ type: 'DIAL_REQUESTED', now: T0 }, { type: 'DIAL_ANSWERED', result: { attempt_id: null, scheduled_at: at }, now: T0 }], ready());
    s = transition(s, { type: 'RESTORED', view: view({ current_attempt: attempt('a7', 'ringing') }), epoch: s.epoch, now: T0 + 21_000 });
    expect(s.phase).toBe('ringing');
    expect(s.call?.attemptId).toBe('a7');
    expect(s.scheduled).toBeNull();
  });
});

describe('dial failures', () => {
  it('409 (an attempt waits elsewhere) → back to rest with the message', () => {
    const s = run([{ type: 'DIAL_REQUESTED', now: T0 }, { type: 'DIAL_FAILED', error: { status: 409, message: 'Attempt x is waiting for its disposition' }, now: T0 }], ready());
    expect(s).toMatchObject({ phase: 'ready', call: null, notice: 'Attempt x is waiting for its disposition' });
  });

  it('404 (the session is gone) → idle', () => {
    const s = run([{ type: 'DIAL_REQUESTED', now: T0 }, { type: 'DIAL_FAILED', error: { status: 404, message: 'No live dialer session' }, now: T0 }], ready());
    expect(s).toMatchObject({ phase: 'idle', readyState: null });
    expect(toggleAction(s)).toBe('play');
  });

  it('500 → error', () => {
    const s = run([{ type: 'DIAL_REQUESTED', now: T0 }, { type: 'DIAL_FAILED', error: { status: 500, message: 'boom' }, now: T0 }], ready());
    expect(s).toMatchObject({ phase: 'error', error: 'The dial failed: boom' });
  });
});

describe('401 → expired', () => {
  const cases: Array<[string, ConsoleState, Parameters<typeof transition>[1]]> = [
    ['restore', initialState(), { type: 'RESTORE_FAILED', error: unauthorized }],
    ['start', ready(), { type: 'SESSION_FAILED', op: 'start', error: unauthorized }],
    ['dial', ready(), { type: 'DIAL_FAILED', error: unauthorized, now: T0 }],
    ['disposition', inCall('ended'), { type: 'DISPOSITION_FAILED', kind: 'disposition', attemptId: 'a1', error: unauthorized }],
    ['hang up', inCall('connected'), { type: 'HANGUP_FAILED', error: unauthorized }],
    ['any call (api hook)', inCall('connected'), { type: 'UNAUTHORIZED' }],
  ];
  for (const [name, from, event] of cases) {
    it(`from ${name}`, () => {
      const s = transition(from, event);
      expect(s.phase).toBe('expired');
      expect(s.dialog.open).toBe(false);
      expect(toggleAction(s)).toBeNull();
      expect(canHangUp(s) || canSkip(s) || canDialNext(s)).toBe(false);
    });
  }

  it('expired is final', () => {
    const s = transition(ready(), { type: 'UNAUTHORIZED' });
    expect(transition(s, { type: 'RESTORED', view: view(), epoch: s.epoch, now: T0 })).toBe(s);
    expect(transition(s, { type: 'MESSAGE', message: { event: 'SHOW_DISPO', attempt_id: 'q', row_id: 'L1', talk_time_ms: 0 }, now: T0 })).toBe(s);
  });
});

describe('STATS on the socket', () => {
  it('updates the counters; a pause from another tab moves ready → paused', () => {
    let s = transition(ready(), { type: 'MESSAGE', message: { event: 'STATS', session_id: 's1', state: 'PLAY', stats: { ...STATS, dials: 10 } }, now: T0 });
    expect(s.stats.dials).toBe(10);
    s = transition(s, { type: 'MESSAGE', message: { event: 'STATS', session_id: 's1', state: 'PAUSE', stats: STATS }, now: T0 });
    expect(s.phase).toBe('paused');
  });

  it('ignores another session’s stats', () => {
    const s = ready();
    expect(transition(s, { type: 'MESSAGE', message: { event: 'STATS', session_id: 'other', stats: { ...STATS, dials: 99 } }, now: T0 })).toBe(s);
  });
});

describe('numberPosition', () => {
  it('counts the lead’s numbers in index order', () => {
    const s = inCall('dialing');
    expect(numberPosition({ ...s.call!, numberIndex: 3 })).toEqual({ position: 3, total: 3 });
    expect(numberPosition({ ...s.call!, lead: lead({ numbers: [{ index: 5, phone: 'x', status: 'NEW' }, { index: 2, phone: 'y', status: 'NEW' }] }) })).toEqual({ position: 1, total: 2 });
  });
});
