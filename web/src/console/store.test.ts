import { afterEach, describe, expect, it, vi } from 'vitest';
import { settle, setup } from './test-backend';
import { attempt, dispoAnswer, placed, T0, view } from './test-fixtures';

afterEach(() => {
  vi.useRealTimers();
});

describe('console store: requests and their answers', () => {
  it('Play from no session: POST /session/start then POST /dial; the first request leaves synchronously', async () => {
    const t = setup({
      'GET /session/current': () => ({ status: 404, body: { statusCode: 404, message: 'No live dialer session' } }),
      'POST /session/start': () => ({ status: 200, body: { session: view(), recovered: false } }),
      'POST /dial': () => ({ status: 200, body: placed('a1') }),
    });
    t.get().restore();
    await settle();
    expect(t.get().phase).toBe('idle');

    t.get().togglePlay();
    // no await between the key press and fetch
    expect(t.routes()).toEqual(['GET /session/current', 'POST /session/start']);
    expect(t.get().sessionOp).toBe('start');
    await settle();
    expect(t.routes()).toEqual(['GET /session/current', 'POST /session/start', 'POST /dial']);
    expect(t.get()).toMatchObject({ phase: 'dialing', readyState: 'PLAY', call: { attemptId: 'a1', name: 'Jane Doe' } });
    const start = t.log[1]!;
    expect(start.headers.authorization).toBe('Bearer tok-1');
    expect(start.headers['idempotency-key']).toMatch(/^key-\d+$/);
    expect(t.log[2]!.headers['idempotency-key']).not.toBe(start.headers['idempotency-key']);
  });

  it('Play on a recovered, paused session: start → resume → dial', async () => {
    const t = setup({
      'GET /session/current': () => ({ status: 404, body: {} }),
      'POST /session/start': () => ({ status: 200, body: { session: view({ state: 'PAUSE' }), recovered: true } }),
      'POST /session/resume': () => ({ status: 200, body: view() }),
      'POST /dial': () => ({ status: 200, body: placed('a1') }),
    });
    t.get().restore();
    await settle();
    t.get().play();
    await settle();
    expect(t.routes().slice(1)).toEqual(['POST /session/start', 'POST /session/resume', 'POST /dial']);
    expect(t.get().phase).toBe('dialing');
  });

  it('Play on a recovered session with an ended attempt: no dial, the dialog comes back', async () => {
    const t = setup({
      'GET /session/current': () => ({ status: 404, body: {} }),
      'POST /session/start': () => ({ status: 200, body: { session: view({ current_attempt: attempt('a1', 'ended') }), recovered: true } }),
    });
    t.get().restore();
    await settle();
    t.get().play();
    await settle();
    expect(t.routes()).not.toContain('POST /dial');
    expect(t.get()).toMatchObject({ phase: 'wrap-up', dialog: { open: true } });
  });

  it('Space while paused: resume then dial; Space while playing: pause', async () => {
    const t = setup({
      'GET /session/current': () => ({ status: 200, body: view({ state: 'PAUSE' }) }),
      'POST /session/resume': () => ({ status: 200, body: view() }),
      'POST /dial': () => ({ status: 200, body: placed('a1') }),
      'POST /session/pause': () => ({ status: 200, body: view({ state: 'PAUSE' }) }),
    });
    t.get().restore();
    await settle();
    t.get().togglePlay();
    await settle();
    expect(t.get()).toMatchObject({ phase: 'dialing', readyState: 'PLAY' });
    t.get().togglePlay();
    expect(t.routes().at(-1)).toBe('POST /session/pause');
    await settle();
    expect(t.get()).toMatchObject({ phase: 'dialing', readyState: 'PAUSE' });
  });

  it('a confirmed disposition: one synchronous POST with code and notes; the chained next call is shown', async () => {
    const t = setup({
      'GET /session/current': () => ({ status: 200, body: view({ current_attempt: attempt('a1', 'ended') }) }),
      'POST /disposition': (body) => ({ status: 200, body: dispoAnswer((body as { attempt_id: string }).attempt_id, 'CORRECT', placed('a2', { name: 'Bob Roe' })) }),
    });
    t.get().restore();
    await settle();
    t.get().select('CORRECT');
    t.get().setNotes('  call back Tuesday ');
    t.get().confirm();
    expect(t.routes().at(-1)).toBe('POST /disposition');
    expect(t.log.at(-1)!.body).toEqual({ attempt_id: 'a1', code: 'CORRECT', notes: 'call back Tuesday' });
    t.get().confirm(); // a second Enter while saving sends nothing
    expect(t.routes().filter((r) => r === 'POST /disposition')).toHaveLength(1);
    await settle();
    expect(t.get()).toMatchObject({ phase: 'dialing', call: { attemptId: 'a2', name: 'Bob Roe' }, dialog: { open: false } });
    expect(t.get().announcement.text).toBe('Disposition saved: Correct. Dialing Bob Roe');
  });

  it('confirm with nothing picked sends nothing and says why', async () => {
    const t = setup({ 'GET /session/current': () => ({ status: 200, body: view({ current_attempt: attempt('a1', 'ended') }) }) });
    t.get().restore();
    await settle();
    t.get().confirm();
    expect(t.routes()).toEqual(['GET /session/current']);
    expect(t.get().dialog.error).toMatch(/Pick an outcome/);
  });

  it('the same disposition retried after a lost answer reuses its Idempotency-Key; another code gets a new one', async () => {
    const t = setup({
      'GET /session/current': () => ({ status: 200, body: view({ current_attempt: attempt('a1', 'ended') }) }),
      'POST /disposition': [
        () => Promise.reject(new TypeError('Failed to fetch')),
        () => Promise.reject(new TypeError('Failed to fetch')),
        () => ({ status: 200, body: dispoAnswer('a1', 'WRONG', null) }),
      ],
    });
    t.get().restore();
    await settle();
    t.get().select('CORRECT');
    t.get().confirm();
    await settle();
    expect(t.get().dialog.error).toMatch(/Network error/);
    t.get().confirm();
    await settle();
    t.get().select('WRONG');
    t.get().confirm();
    await settle();
    const keysSent = t.log.filter((l) => l.route === 'POST /disposition').map((l) => l.headers['idempotency-key']);
    expect(keysSent[0]).toBe(keysSent[1]);
    expect(keysSent[2]).not.toBe(keysSent[1]);
    expect(t.get().phase).toBe('ready');
  });

  it('a 401 from any call → expired; nothing more is sent', async () => {
    const t = setup({
      'GET /session/current': () => ({ status: 200, body: view() }),
      'POST /dial': () => ({ status: 401, body: { statusCode: 401, error: 'Unauthorized', message: 'Invalid or expired agent token' } }),
    });
    t.get().restore();
    await settle();
    t.get().dialNext();
    await settle();
    expect(t.get().phase).toBe('expired');
    const sent = t.fetch.mock.calls.length;
    t.get().togglePlay();
    t.get().dialNext();
    t.get().restore();
    expect(t.fetch.mock.calls.length).toBe(sent);
  });

  it('Hang up: POST /hangup {attempt_id}; SHOW_DISPO then opens the dialog', async () => {
    const t = setup({
      'GET /session/current': () => ({ status: 200, body: view({ current_attempt: attempt('a1', 'connected') }) }),
      'POST /hangup': (body) => ({ status: 200, body: { attempt_id: (body as { attempt_id: string }).attempt_id, hung_up: true } }),
    });
    t.get().restore();
    await settle();
    t.get().hangUp();
    expect(t.log.at(-1)).toMatchObject({ route: 'POST /hangup', body: { attempt_id: 'a1' } });
    await settle();
    t.get().receive({ event: 'SHOW_DISPO', attempt_id: 'a1', row_id: 'L1', number_index: 2, phone: '+15550000002', connected: true, talk_time_ms: 5000 });
    expect(t.get()).toMatchObject({ phase: 'wrap-up', dialog: { open: true } });
  });

  it('Skip while ringing: POST /skip {attempt_id}; the chained next call is shown', async () => {
    const t = setup({
      'GET /session/current': () => ({ status: 200, body: view({ current_attempt: attempt('a1', 'ringing') }) }),
      'POST /skip': () => ({ status: 200, body: dispoAnswer('a1', 'SKIP', placed('a2')) }),
    });
    t.get().restore();
    await settle();
    t.get().skip();
    expect(t.log.at(-1)).toMatchObject({ route: 'POST /skip', body: { attempt_id: 'a1' } });
    await settle();
    expect(t.get().call?.attemptId).toBe('a2');
  });

  it('restores asked while one is in flight are folded into one more', async () => {
    let release: (() => void) | null = null;
    const t = setup({
      'GET /session/current': [
        () => new Promise<never>((_, reject) => (release = () => reject(new TypeError('x')))),
        () => ({ status: 200, body: view() }),
      ],
    });
    t.get().restore();
    t.get().restore();
    t.get().restore();
    expect(t.fetch).toHaveBeenCalledTimes(1);
    release!();
    await settle();
    expect(t.routes()).toEqual(['GET /session/current', 'GET /session/current']);
    expect(t.get().phase).toBe('ready');
  });

  it('socket messages: unknown ones are ignored; a SHOW_DISPO for an unknown attempt during a call triggers a re-read', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const t = setup({
      'GET /session/current': [() => ({ status: 200, body: view({ current_attempt: attempt('a1', 'connected') }) }), () => ({ status: 200, body: view({ current_attempt: attempt('a1', 'connected') }) })],
    });
    t.get().restore();
    await settle();
    const before = t.get();
    t.get().receive({ type: 'welcome', app_id: 'x' });
    t.get().receive({ event: 'call.ring', call_id: '1', seq: 4 });
    t.get().receive('not json');
    expect(t.get()).toBe(before);
    t.get().receive({ event: 'SHOW_DISPO', attempt_id: 'ghost', row_id: 'L9', talk_time_ms: 0 });
    expect(t.routes()).toEqual(['GET /session/current']);
    await vi.advanceTimersByTimeAsync(500);
    await settle();
    expect(t.routes()).toEqual(['GET /session/current', 'GET /session/current']);
  });

  it('a 429 with Retry-After schedules the console’s own retry of the dial', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    let clock = T0;
    const t = setup(
      {
        'GET /session/current': () => ({ status: 200, body: view() }),
        'POST /dial': [() => ({ status: 429, body: { statusCode: 429, message: 'Dialpad rate limit' }, headers: { 'retry-after': '30' } }), () => ({ status: 200, body: placed('a3') })],
      },
      { now: () => clock },
    );
    t.get().restore();
    await settle();
    t.get().dialNext();
    await settle();
    expect(t.get()).toMatchObject({ phase: 'scheduled', scheduled: { by: 'client', atMs: T0 + 30_000 } });
    clock = T0 + 29_000;
    await vi.advanceTimersByTimeAsync(29_000);
    expect(t.routes().filter((r) => r === 'POST /dial')).toHaveLength(1);
    clock = T0 + 30_000;
    await vi.advanceTimersByTimeAsync(1_000);
    await settle();
    expect(t.routes().filter((r) => r === 'POST /dial')).toHaveLength(2);
    expect(t.get().call?.attemptId).toBe('a3');
  });

  it('a server-scheduled dial whose DIAL_RESULT never comes: the session is re-read after the grace', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const t = setup({
      'GET /session/current': [() => ({ status: 200, body: view() }), () => ({ status: 200, body: view({ current_attempt: attempt('a4', 'ringing') }) })],
      'POST /dial': () => ({ status: 200, body: { attempt_id: null, scheduled_at: new Date(T0 + 10_000).toISOString() } }),
    });
    t.get().restore();
    await settle();
    t.get().dialNext();
    await settle();
    expect(t.get().phase).toBe('scheduled');
    await vi.advanceTimersByTimeAsync(10_000 + 15_000);
    await settle();
    expect(t.routes().filter((r) => r === 'GET /session/current')).toHaveLength(2);
    expect(t.get()).toMatchObject({ phase: 'ringing', call: { attemptId: 'a4' } });
  });

  it('Stop refused while a call waits for its disposition sends nothing', async () => {
    const t = setup({ 'GET /session/current': () => ({ status: 200, body: view({ current_attempt: attempt('a1', 'ended') }) }) });
    t.get().restore();
    await settle();
    t.get().stop();
    expect(t.routes()).toEqual(['GET /session/current']);
  });
});
