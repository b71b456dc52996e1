import { describe, expect, it } from 'vitest';
import { settle, setup } from './test-backend';
import { attempt, dispoAnswer, view } from './test-fixtures';

const REASONS = ['Break', 'Lunch', 'Training'];
const ended = () => view({ pause_reasons: REASONS, current_attempt: attempt('a1', 'ended') });

describe('console store: pause reasons, do not call, callbacks', () => {
  it('Pause while playing opens the reason menu and sends nothing; a reason pauses with it', async () => {
    const t = setup({
      'GET /session/current': () => ({ status: 200, body: view({ pause_reasons: REASONS }) }),
      'POST /session/pause': () => ({ status: 200, body: view({ state: 'PAUSE', pause: { reason: 'Lunch', since: new Date().toISOString() }, pause_time_ms: { Lunch: 0 } }) }),
    });
    t.get().restore();
    await settle();
    t.get().togglePlay();
    expect(t.get().pauseMenu).toBe(true);
    expect(t.routes()).toEqual(['GET /session/current']);
    t.get().togglePlay(); // the toggle again closes it
    expect(t.get().pauseMenu).toBe(false);
    t.get().openPauseMenu();
    t.get().pause('Lunch');
    expect(t.log.at(-1)).toMatchObject({ route: 'POST /session/pause', body: { reason: 'Lunch' } });
    expect(t.get()).toMatchObject({ pauseMenu: false, sessionOp: 'pause' });
    await settle();
    expect(t.get()).toMatchObject({ phase: 'paused', pausedFor: { reason: 'Lunch' } });
  });

  it('an app (or backend) without reasons: Pause pauses at once, with no reason', async () => {
    const t = setup({
      'GET /session/current': () => ({ status: 200, body: view() }),
      'POST /session/pause': () => ({ status: 200, body: view({ state: 'PAUSE' }) }),
    });
    t.get().restore();
    await settle();
    t.get().togglePlay();
    expect(t.log.at(-1)).toMatchObject({ route: 'POST /session/pause', body: {} });
  });

  it('Do not call: the first confirm only asks; the second sends code DNC (no callback with it)', async () => {
    const t = setup({
      'GET /session/current': () => ({ status: 200, body: ended() }),
      'POST /disposition': () => ({ status: 200, body: dispoAnswer('a1', 'DNC', null) }),
    });
    t.get().restore();
    await settle();
    t.get().select('CORRECT');
    t.get().toggleCallback();
    t.get().select('DNC');
    t.get().toggleCallback(); // no callback for a number that may never be called
    expect(t.get().dialog.callback).not.toBeNull(); // kept from before, not sent
    t.get().confirm();
    expect(t.routes()).toEqual(['GET /session/current']);
    expect(t.get().dialog.dncConfirm).toBe(true);
    t.get().confirm();
    expect(t.log.at(-1)).toEqual(expect.objectContaining({ route: 'POST /disposition', body: { attempt_id: 'a1', code: 'DNC' } }));
    await settle();
    expect(t.get().announcement.text).toBe('Disposition saved: Do not call');
  });

  it('a callback: sent as the lead\'s wall time with its offset, only me with M; a typed time in the past is refused before any request', async () => {
    const t = setup({
      'GET /session/current': () => ({ status: 200, body: ended() }),
      'POST /disposition': () => ({ status: 200, body: dispoAnswer('a1', 'CORRECT', null) }),
    });
    t.get().restore();
    await settle();
    t.get().select('CORRECT');
    t.get().toggleCallback();
    expect(t.get().dialog.callback).toEqual({ choice: { kind: 'quick', id: 'tomorrow-9' }, onlyMe: false });
    t.get().toggleOnlyMe();
    t.get().setCallback({ choice: { kind: 'custom', local: '2026-03-01T09:00' }, onlyMe: true });
    t.get().confirm();
    expect(t.routes()).toEqual(['GET /session/current']);
    expect(t.get().dialog.error).toMatch(/has passed/);
    t.get().setCallback({ choice: { kind: 'quick', id: 'tomorrow-9' }, onlyMe: true });
    t.get().confirm();
    // T0 is Mon 2 March 2026, 10:00 AM in New York (the lead's zone, EST): tomorrow 9 AM there
    expect(t.log.at(-1)).toEqual(
      expect.objectContaining({ route: 'POST /disposition', body: { attempt_id: 'a1', code: 'CORRECT', callback_at: '2026-03-03T09:00:00-05:00', callback_only_me: true } }),
    );
  });

  it('C again drops the callback; M without a callback does nothing', async () => {
    const t = setup({ 'GET /session/current': () => ({ status: 200, body: ended() }) });
    t.get().restore();
    await settle();
    t.get().toggleOnlyMe();
    expect(t.get().dialog.callback).toBeNull();
    t.get().toggleCallback();
    t.get().toggleCallback();
    expect(t.get().dialog.callback).toBeNull();
  });

  it('the callbacks list is read after a restore, and again after a dial that honours one', async () => {
    const list = [{ id: 'cb1', row_id: 'L1', lead_name: 'Jane Doe', due_at: '2026-03-02T14:00:00Z', due_local: '2026-03-02T09:00:00-05:00', time_zone: 'America/New_York' }];
    const t = setup({
      'GET /session/current': () => ({ status: 200, body: view({ pause_reasons: REASONS }) }),
      'GET /api/callbacks': [() => ({ status: 200, body: list }), () => ({ status: 200, body: [] })],
      'POST /dial': () => ({ status: 200, body: { attempt_id: 'a9', row_id: 'L1', name: 'Jane Doe', number_index: 1, phone: '+15550000001', callback_id: 'cb1' } }),
    });
    t.get().restore();
    await settle();
    expect(t.get().callbacks?.map((c) => c.id)).toEqual(['cb1']);
    t.get().dialNext();
    await settle();
    expect(t.routes()).toEqual(['GET /session/current', 'GET /api/callbacks', 'POST /dial', 'GET /api/callbacks']);
    expect(t.get().call?.callbackId).toBe('cb1');
    expect(t.get().callbacks).toEqual([]);
  });
});
