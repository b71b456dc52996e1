// @vitest-environment jsdom
import { act, cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { ConsoleApp } from './ConsoleApp';
import { type Handler, settle, setup } from './test-backend';
import { attempt, dispoAnswer, placed, view } from './test-fixtures';

afterEach(() => cleanup());

const REASONS = ['Break', 'Lunch', 'Training'];
const HOUR = 3600_000;

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

const paused = (reason: string, pauseTime: Record<string, number>) => ({
  status: 200,
  body: view({ state: 'PAUSE', pause: { reason, since: new Date(Date.now() - 65_000).toISOString() }, pause_time_ms: pauseTime }),
});

describe('pause reason menu (rendered)', () => {
  it('Space opens a named menu with the reasons and their keys, focus on the first; Pause says it is expanded; a number pauses with that reason', async () => {
    const t = await mount({
      'GET /session/current': () => ({ status: 200, body: view({ pause_reasons: REASONS }) }),
      'POST /session/pause': () => paused('Training', { Break: 30_000, Training: 65_000 }),
    });
    const toggle = screen.getByRole('button', { name: 'Pause' });
    expect(toggle.getAttribute('aria-haspopup')).toBe('menu');
    expect(toggle.getAttribute('aria-expanded')).toBe('false');
    await press(' ', document.body);
    const menu = screen.getByRole('menu', { name: 'Pause — why?' });
    expect(within(menu).getAllByRole('menuitem').map((i) => i.textContent)).toEqual(['1Break', '2Lunch', '3Training']);
    expect(within(menu).getAllByRole('menuitem').map((i) => i.getAttribute('aria-keyshortcuts'))).toEqual(['1', '2', '3']);
    expect(document.activeElement).toBe(within(menu).getByRole('menuitem', { name: 'Break' }));
    expect(toggle.getAttribute('aria-expanded')).toBe('true');
    expect(t.routes()).toEqual(['GET /session/current']);

    await press('3');
    expect(t.log.at(-1)).toMatchObject({ route: 'POST /session/pause', body: { reason: 'Training' } });
    expect(screen.queryByRole('menu')).toBeNull();
    expect(screen.getByRole('heading', { level: 1 }).textContent).toBe('Paused');
    expect(screen.getByTestId('state-detail').textContent).toBe('Reason: Training. No call is placed while paused. Press Play to go on.');
    expect(screen.getByTestId('pause-now').textContent).toMatch(/^Paused: Training01:0\d$/);
    const times = within(screen.getByTestId('pause-times'));
    expect(times.getByRole('rowheader', { name: 'Training' })).toBeTruthy();
    expect(times.getAllByRole('row').map((r) => r.textContent)).toEqual([expect.stringMatching(/^Training0:01:0\d$/), 'Break0:00:30']);
    expect(screen.getByRole('status').textContent?.trim()).toBe('Paused for Training');
  });

  it('arrows move through the menu, Enter (the item\'s click) chooses', async () => {
    const t = await mount({
      'GET /session/current': () => ({ status: 200, body: view({ pause_reasons: REASONS }) }),
      'POST /session/pause': () => paused('Lunch', { Lunch: 0 }),
    });
    await press(' ', document.body);
    const menu = screen.getByRole('menu');
    await press('ArrowDown');
    expect(document.activeElement).toBe(within(menu).getByRole('menuitem', { name: 'Lunch' }));
    await press('End');
    expect(document.activeElement).toBe(within(menu).getByRole('menuitem', { name: 'Training' }));
    await press('ArrowDown'); // wraps
    await press('ArrowDown');
    expect(document.activeElement).toBe(within(menu).getByRole('menuitem', { name: 'Lunch' }));
    await act(async () => {
      fireEvent.click(document.activeElement!);
      await settle();
    });
    expect(t.log.at(-1)).toMatchObject({ route: 'POST /session/pause', body: { reason: 'Lunch' } });
  });

  it('Esc cancels: no request, the focus back on Pause', async () => {
    const t = await mount({ 'GET /session/current': () => ({ status: 200, body: view({ pause_reasons: REASONS }) }) });
    await press(' ', document.body);
    expect(screen.getByRole('menu')).toBeTruthy();
    await press('Escape');
    expect(screen.queryByRole('menu')).toBeNull();
    expect(document.activeElement).toBe(screen.getByRole('button', { name: 'Pause' }));
    expect(t.routes()).toEqual(['GET /session/current']);
  });
});

describe('do not call (rendered)', () => {
  it('7 is the seventh option; Enter asks in an alert (nothing sent), Esc backs out, Enter twice sends DNC', async () => {
    const t = await mount({
      'GET /session/current': () => ({ status: 200, body: view({ current_attempt: attempt('a1', 'ended') }) }),
      'POST /disposition': () => ({ status: 200, body: dispoAnswer('a1', 'DNC', null) }),
    });
    const dialog = screen.getByRole('dialog', { name: 'Disposition' });
    await press('7');
    const dnc = within(dialog).getByRole('radio', { name: 'Do not call (7)' }) as HTMLInputElement;
    expect(dnc.checked).toBe(true);
    expect(document.activeElement).toBe(dnc);
    expect(within(dialog).queryByRole('checkbox', { name: /Schedule a callback/ })).toBeNull();
    await press('Enter');
    const alert = within(dialog).getByRole('alert');
    expect(alert.textContent).toMatch(/^Never call \+1 555 000 0002 again\?/);
    expect(t.routes()).toEqual(['GET /session/current']);
    await press('Escape');
    expect(within(dialog).queryByRole('alert')).toBeNull();
    expect(screen.getByRole('dialog', { name: 'Disposition' })).toBe(dialog);
    await press('Enter');
    await press('Enter');
    expect(t.log.at(-1)).toMatchObject({ route: 'POST /disposition', body: { attempt_id: 'a1', code: 'DNC' } });
    expect(screen.queryByRole('dialog')).toBeNull();
  });
});

describe('callback picker and list (rendered)', () => {
  it('C opens the picker on the lead\'s clock with the focus on its time; → moves, M makes it mine; Enter sends callback_at with the lead\'s offset; the list shows it', async () => {
    const due = new Date(Date.now() + 26 * HOUR).toISOString();
    const scheduled = {
      id: 'cb1',
      row_id: 'L1',
      lead_name: 'Jane Doe',
      number_index: 2,
      phone: '+15550000002',
      campaign_name: 'Spring',
      agent_email: 'ada@example.com',
      only_me: true,
      due_at: due,
      due_local: due,
      time_zone: 'America/New_York',
      notes: null,
      status: 'pending',
      missed: false,
    };
    const t = await mount({
      'GET /session/current': () => ({ status: 200, body: view({ current_attempt: attempt('a1', 'ended') }) }),
      'POST /disposition': () => ({ status: 200, body: dispoAnswer('a1', 'CORRECT', null, { callback: scheduled }) }),
    });
    expect(screen.getByRole('region', { name: /^Callbacks/ }).textContent).toMatch(/None scheduled/);
    const dialog = screen.getByRole('dialog', { name: 'Disposition' });
    await press('1');
    await press('c');
    const picker = within(dialog).getByRole('group', { name: /^Call back at — the lead's time/ });
    const first = within(picker).getByRole('radio', { name: /^Tomorrow 9 AM/ }) as HTMLInputElement;
    expect(first.checked).toBe(true);
    expect(document.activeElement).toBe(first);
    expect((within(dialog).getByRole('checkbox', { name: /Schedule a callback/ }) as HTMLInputElement).checked).toBe(true);
    expect(screen.getByTestId('callback-summary').textContent).toMatch(/^\w{3} 9:00 AM lead time \(America\/New_York\)/);
    // jsdom has no native arrow keys in radio groups: the picker's change is what → does in a browser
    fireEvent.click(within(picker).getByRole('radio', { name: /^Tomorrow 2 PM/ }));
    await press('m', document.activeElement!);
    expect((within(picker).getByRole('checkbox', { name: /^Only me/ }) as HTMLInputElement).checked).toBe(true);
    expect(screen.getByTestId('callback-summary').textContent).toMatch(/^\w{3} 2:00 PM lead time \(America\/New_York\)/);
    await press('Enter', document.activeElement!);
    const sent = t.log.at(-1)!;
    expect(sent).toMatchObject({ route: 'POST /disposition', body: { attempt_id: 'a1', code: 'CORRECT', callback_only_me: true } });
    expect((sent.body as { callback_at: string }).callback_at).toMatch(/^\d{4}-\d\d-\d\dT14:00:00-0[45]:00$/);
    expect(screen.queryByRole('dialog')).toBeNull();
    const item = screen.getByTestId('callback-item');
    expect(item.textContent).toMatch(/Jane Doe/);
    expect(item.textContent).toMatch(/lead time \(America\/New_York\)/);
    expect(item.textContent).toMatch(/only me/);
    expect(screen.getByRole('status').textContent).toMatch(/^Disposition saved: Correct\. Callback \w{3} .* lead time \(America\/New_York\)/);
  });

  it('Other date and time: a typed time on the lead\'s clock; one in the past is refused in the dialog; C again drops the picker', async () => {
    const t = await mount({ 'GET /session/current': () => ({ status: 200, body: view({ current_attempt: attempt('a1', 'ended') }) }) });
    const dialog = screen.getByRole('dialog', { name: 'Disposition' });
    await press('5');
    await press('c');
    fireEvent.click(within(dialog).getByRole('radio', { name: 'Other date and time' }));
    const input = within(dialog).getByLabelText("Date and time on the lead's clock") as HTMLInputElement;
    expect(input.value).toMatch(/^\d{4}-\d\d-\d\dT09:00$/); // starts from the quick choice it replaced
    fireEvent.change(input, { target: { value: '2020-01-01T09:00' } });
    expect(screen.getByTestId('callback-summary').textContent).toMatch(/has passed/);
    await press('Enter', input);
    expect(within(dialog).getByRole('alert').textContent).toMatch(/has passed/);
    expect(t.routes()).toEqual(['GET /session/current']);
    await press('c', within(dialog).getByRole('radio', { name: 'No answer (5)' }));
    expect(within(dialog).queryByRole('group', { name: /^Call back at/ })).toBeNull();
    expect(document.activeElement).toBe(within(dialog).getByRole('checkbox', { name: /Schedule a callback/ }));
  });

  it('a dial that honours a scheduled callback says so on the lead card', async () => {
    await mount({
      'GET /session/current': () => ({ status: 200, body: view() }),
      'POST /dial': () => ({ status: 200, body: { ...placed('a5'), callback_id: 'cb1' } }),
    });
    expect(screen.queryByText('Scheduled callback')).toBeNull();
    await press('n', document.body);
    expect(within(screen.getByRole('region', { name: 'Jane Doe' })).getByText('Scheduled callback')).toBeTruthy();
  });

  it('Shift+Tab from a callback time goes back to the checkbox, not out of the dialog', async () => {
    await mount({ 'GET /session/current': () => ({ status: 200, body: view({ current_attempt: attempt('a1', 'ended') }) }) });
    const dialog = screen.getByRole('dialog', { name: 'Disposition' });
    await press('1');
    await press('c');
    const time = document.activeElement as HTMLElement;
    expect(time.getAttribute('name')).toBe('callback-when');
    const event = fireEvent.keyDown(time, { key: 'Tab', shiftKey: true });
    expect(event).toBe(true); // not taken by the dialog's trap: the browser moves back within the dialog
    expect(within(dialog).getByRole('checkbox', { name: /Schedule a callback/ })).toBeTruthy();
  });

  it('the list flags due and missed callbacks', async () => {
    const item = (id: string, name: string, dueInMs: number, missed = false) => ({
      id,
      row_id: id,
      lead_name: name,
      phone: '+15550000009',
      due_at: new Date(Date.now() + dueInMs).toISOString(),
      time_zone: 'America/Chicago',
      only_me: false,
      missed,
    });
    await mount({
      'GET /session/current': () => ({ status: 200, body: view() }),
      'GET /api/callbacks': () => ({ status: 200, body: [item('c3', 'Later Lou', 3 * HOUR), item('c1', 'Missed Mo', -20 * 60_000, true), item('c2', 'Due Dee', -60_000)] }),
    });
    const items = screen.getAllByTestId('callback-item');
    expect(items.map((i) => i.querySelector('.callback-name')?.textContent)).toEqual(['Missed Mo', 'Due Dee', 'Later Lou']);
    expect(within(items[0]!).getByText('Missed')).toBeTruthy();
    expect(within(items[1]!).getByText('Due now')).toBeTruthy();
    expect(items[2]!.querySelector('.badge')).toBeNull();
    expect(items[2]!.textContent).toMatch(/lead time \(America\/Chicago\)/);
    expect(screen.getByRole('heading', { name: /^Callbacks\s*·\s*3$/ })).toBeTruthy();
  });
});
