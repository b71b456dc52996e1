// @vitest-environment jsdom
import { act, cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { ConsoleApp } from './ConsoleApp';
import { type Handler, settle, setup } from './test-backend';
import { attempt, dispoAnswer, placed, view } from './test-fixtures';

afterEach(() => cleanup());

async function mount(routes: Record<string, Handler | Handler[]>) {
  const t = setup(routes, { now: Date.now });
  render(<ConsoleApp store={t.store} />);
  await act(async () => {
    t.get().restore();
    await settle();
  });
  return t;
}

const press = async (key: string, target: Element | Document = document.activeElement ?? document.body) => {
  await act(async () => {
    fireEvent.keyDown(target, { key });
    await settle();
  });
};

const OPTIONS = ['Correct (1)', 'Wrong number (2)', 'Voicemail – same name (3)', 'Voicemail or no answer – unknown (4)', 'No answer (5)', 'Skip lead (6)', 'Do not call (7)'];

describe('agent console (rendered)', () => {
  it('no session: only Play exists; Space starts the shift (start, then dial) and Pause replaces Play', async () => {
    const t = await mount({
      'GET /session/current': () => ({ status: 404, body: { statusCode: 404, message: 'none' } }),
      'POST /session/start': () => ({ status: 200, body: { session: view(), recovered: false } }),
      'POST /dial': () => ({ status: 200, body: placed('a1') }),
    });
    expect(screen.getByRole('button', { name: 'Play' })).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Pause' })).toBeNull();
    expect(screen.queryByRole('button', { name: 'Stop' })).toBeNull();

    act(() => {
      fireEvent.keyDown(document.body, { key: ' ' });
    });
    expect(t.routes().at(-1)).toBe('POST /session/start');
    await act(settle);
    expect(t.routes().at(-1)).toBe('POST /dial');
    expect(screen.getByRole('button', { name: 'Pause' })).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Play' })).toBeNull();
    expect(screen.getByRole('button', { name: 'Skip' })).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Stop' })).toHaveProperty('disabled', true);
    expect(screen.getByRole('heading', { name: 'Jane Doe' })).toBeTruthy();
    expect(screen.getByText('Number 2 of 3')).toBeTruthy();
    expect(screen.getByText('Prefers mornings')).toBeTruthy();
    expect(screen.getByRole('status').textContent?.trim()).toBe('Dialing Jane Doe');
  });

  it('live call state from the socket: ringing, connected with a timer, Hang up', async () => {
    const t = await mount({
      'GET /session/current': () => ({ status: 200, body: view({ current_attempt: attempt('a1', 'dialing') }) }),
      'POST /hangup': () => ({ status: 200, body: { attempt_id: 'a1', hung_up: true } }),
    });
    act(() => t.get().receive({ event: 'CALL_STATE', attempt_id: 'a1', status: 'ringing' }));
    expect(screen.getByRole('heading', { level: 1 }).textContent).toBe('Ringing…');
    expect(screen.getByRole('status').textContent?.trim()).toBe('Ringing');
    act(() => t.get().receive({ event: 'CALL_STATE', attempt_id: 'a1', status: 'connected' }));
    expect(screen.getByRole('heading', { level: 1 }).textContent).toMatch(/^Connected 00:0\d$/);
    expect(screen.queryByRole('button', { name: 'Skip' })).toBeNull();
    fireEvent.click(screen.getByRole('button', { name: 'Hang up' }));
    expect(t.log.at(-1)).toMatchObject({ route: 'POST /hangup', body: { attempt_id: 'a1' } });
    await act(settle);
  });

  it('the disposition dialog: named, modal, seven options in order, notes, Confirm; keys 1–7 and Enter', async () => {
    const t = await mount({
      'GET /session/current': () => ({ status: 200, body: view({ current_attempt: attempt('a1', 'connected') }) }),
      'POST /disposition': () => ({ status: 200, body: dispoAnswer('a1', 'VM_SAME_NAME', placed('a2', { name: 'Bob Roe' })) }),
    });
    const toggle = screen.getByRole('button', { name: 'Pause' });
    toggle.focus();
    act(() => t.get().receive({ event: 'SHOW_DISPO', attempt_id: 'a1', row_id: 'L1', number_index: 2, phone: '+15550000002', connected: true, talk_time_ms: 42_000 }));

    const dialog = screen.getByRole('dialog', { name: 'Disposition' });
    expect(dialog.getAttribute('aria-modal')).toBe('true');
    const group = within(dialog).getByRole('radiogroup');
    expect(within(group).getAllByRole('radio').map((r) => r.getAttribute('aria-label'))).toEqual(OPTIONS);
    expect(within(dialog).getByRole('textbox', { name: 'Notes' })).toBeTruthy();
    expect(within(dialog).getByRole('button', { name: 'Confirm' })).toBeTruthy();
    // focus moved into the dialog, to the first option
    expect(document.activeElement).toBe(within(dialog).getByRole('radio', { name: 'Correct (1)' }));
    expect(screen.getByRole('status').textContent?.trim()).toBe('Call ended');

    await press('3');
    const vm = within(dialog).getByRole('radio', { name: 'Voicemail – same name (3)' }) as HTMLInputElement;
    expect(vm.checked).toBe(true);
    expect(document.activeElement).toBe(vm);

    fireEvent.change(within(dialog).getByRole('textbox', { name: 'Notes' }), { target: { value: 'left a message' } });
    act(() => {
      fireEvent.keyDown(vm, { key: 'Enter' });
    });
    expect(t.log.at(-1)).toMatchObject({ route: 'POST /disposition', body: { attempt_id: 'a1', code: 'VM_SAME_NAME', notes: 'left a message' } });
    await act(settle);
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(screen.getByRole('status').textContent?.trim()).toBe('Disposition saved: Voicemail – same name. Dialing Bob Roe');
    expect(screen.getByRole('heading', { name: 'Bob Roe' })).toBeTruthy();
    // focus went back to where it was
    expect(document.activeElement).toBe(screen.getByRole('button', { name: 'Pause' }));
  });

  it('Esc closes the dialog (focus returns), a "Disposition needed" banner stays; D reopens it with the selection kept', async () => {
    const t = await mount({ 'GET /session/current': () => ({ status: 200, body: view({ current_attempt: attempt('a1', 'connected') }) }) });
    const toggle = screen.getByRole('button', { name: 'Pause' });
    toggle.focus();
    act(() => t.get().receive({ event: 'SHOW_DISPO', attempt_id: 'a1', row_id: 'L1', connected: true, talk_time_ms: 1000 }));
    await press('5');
    await press('Escape');
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(screen.getByText('Disposition needed')).toBeTruthy();
    expect(document.activeElement).toBe(toggle);
    await press('d', document.body);
    const dialog = screen.getByRole('dialog', { name: 'Disposition' });
    const selected = within(dialog).getByRole('radio', { name: 'No answer (5)' }) as HTMLInputElement;
    expect(selected.checked).toBe(true);
    expect(document.activeElement).toBe(selected);
  });

  it('a reload with an ended attempt brings the dialog back', async () => {
    await mount({ 'GET /session/current': () => ({ status: 200, body: view({ current_attempt: attempt('a1', 'ended') }) }) });
    expect(screen.getByRole('dialog', { name: 'Disposition' })).toBeTruthy();
  });

  it('digits typed in Notes stay there', async () => {
    await mount({ 'GET /session/current': () => ({ status: 200, body: view({ current_attempt: attempt('a1', 'ended') }) }) });
    const notes = screen.getByRole('textbox', { name: 'Notes' });
    notes.focus();
    await press('2', notes);
    expect((screen.getByRole('radio', { name: 'Wrong number (2)' }) as HTMLInputElement).checked).toBe(false);
  });

  it('nothing to dial: the backend’s reason and Dial next', async () => {
    await mount({
      'GET /session/current': () => ({ status: 200, body: view() }),
      'POST /dial': () => ({ status: 200, body: { attempt: null, attempt_id: null, reason: 'no lead can be dialed now: 3 RETRY_PENDING, 3 done', skipped: { RETRY_PENDING: 3 } } }),
    });
    await press('n', document.body);
    expect(screen.getByText('no lead can be dialed now: 3 RETRY_PENDING, 3 done')).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Dial next' })).toBeTruthy();
  });

  it('a scheduled dial shows its countdown', async () => {
    await mount({
      'GET /session/current': () => ({ status: 200, body: view() }),
      'POST /dial': () => ({ status: 200, body: { attempt_id: null, scheduled_at: new Date(Date.now() + 12_000).toISOString() } }),
    });
    await press('n', document.body);
    expect(screen.getByRole('heading', { level: 1 }).textContent).toMatch(/Next dial in 1[12] s/);
  });

  it('an expired token: the clear message and nothing else to press', async () => {
    await mount({ 'GET /session/current': () => ({ status: 401, body: { statusCode: 401, message: 'Invalid or expired agent token' } }) });
    expect(screen.getByText('Your sign-in link has expired — ask your supervisor for a new console link')).toBeTruthy();
    expect(screen.queryAllByRole('button')).toHaveLength(0);
  });
});
