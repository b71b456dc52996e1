// @vitest-environment jsdom
import { act, cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CallbacksList } from './CallbacksList';
import type { CallbackView } from './types';

afterEach(() => cleanup());

const DUE = Date.now() + 26 * 3600_000;

function callback(over: Partial<CallbackView> = {}): CallbackView {
  return {
    id: 'cb1',
    row_id: 'R7',
    lead_name: 'Ada Lovelace',
    number_index: 1,
    phone: '+13125550107',
    campaign_name: 'Spring',
    agent_email: 'river@example.com',
    only_me: true,
    due_at: new Date(DUE).toISOString(),
    due_local: new Date(DUE).toISOString().replace('Z', '+00:00'),
    time_zone: 'UTC',
    notes: null,
    status: 'pending',
    missed: false,
    ...over,
  };
}

const settle = () => act(async () => {
  await Promise.resolve();
  await Promise.resolve();
});

describe('callbacks list: move and cancel', () => {
  it('Move opens a time field on the lead’s clock, focused and filled with the current time; Save sends the new time', async () => {
    const onMove = vi.fn(async () => undefined);
    render(<CallbacksList items={[callback()]} onMove={onMove} onCancel={vi.fn()} />);
    fireEvent.click(screen.getByRole('button', { name: 'Move the callback to Ada Lovelace' }));
    const field = screen.getByLabelText("New time on the lead's clock") as HTMLInputElement;
    expect(document.activeElement).toBe(field);
    expect(field.value).toBe(new Date(DUE).toISOString().slice(0, 16));
    fireEvent.change(field, { target: { value: '2026-03-10T15:00' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    await settle();
    expect(onMove).toHaveBeenCalledWith('cb1', '2026-03-10T15:00');
    // saved: the field closes and the focus is back on Move
    expect(screen.queryByLabelText("New time on the lead's clock")).toBeNull();
    expect(document.activeElement).toBe(screen.getByRole('button', { name: /^Move/ }));
  });

  it('a refused move says why and keeps the field open', async () => {
    const onMove = vi.fn(async () => {
      throw new Error('due_at must be a date and time such as 2026-03-10T15:00');
    });
    render(<CallbacksList items={[callback()]} onMove={onMove} onCancel={vi.fn()} />);
    fireEvent.click(screen.getByRole('button', { name: /^Move/ }));
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    await settle();
    expect(screen.getByRole('alert').textContent).toMatch(/due_at must be a date and time/);
    expect(screen.getByLabelText("New time on the lead's clock")).toBeTruthy();
  });

  it('Cancel asks once more (focus on the answer); Esc backs out to Move; Yes cancels', async () => {
    const onCancel = vi.fn(async () => undefined);
    render(<CallbacksList items={[callback()]} onMove={vi.fn()} onCancel={onCancel} />);
    fireEvent.click(screen.getByRole('button', { name: 'Cancel the callback to Ada Lovelace' }));
    const group = screen.getByRole('group', { name: 'Cancel the callback to Ada Lovelace?' });
    const yes = within(group).getByRole('button', { name: 'Yes, cancel it' });
    expect(document.activeElement).toBe(yes);
    fireEvent.keyDown(yes, { key: 'Escape' });
    await settle();
    expect(screen.queryByRole('group', { name: /Cancel the callback/ })).toBeNull();
    expect(document.activeElement).toBe(screen.getByRole('button', { name: /^Move/ }));
    expect(onCancel).not.toHaveBeenCalled();

    fireEvent.click(screen.getByRole('button', { name: /^Cancel the callback/ }));
    fireEvent.click(screen.getByRole('button', { name: 'Yes, cancel it' }));
    await settle();
    expect(onCancel).toHaveBeenCalledWith('cb1');
    // the item goes with its buttons: the keyboard lands on the list's heading
    expect(document.activeElement).toBe(screen.getByRole('heading', { name: /Callbacks/ }));
  });

  it('without handlers (read-only) there are no buttons', () => {
    render(<CallbacksList items={[callback()]} />);
    expect(screen.queryByRole('button')).toBeNull();
  });
});
