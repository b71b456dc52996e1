// @vitest-environment jsdom
import { act, cleanup, render, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { CallsBoard } from './CallsBoard';
import { createBoardStore } from './connect';

afterEach(() => cleanup());

describe('calls board (rendered)', () => {
  it('an incoming call: a row with data-call-id and a toast in a polite status region', () => {
    const store = createBoardStore();
    render(<CallsBoard store={store} />);
    const now = Date.now();
    act(() =>
      store.getState().dispatch({
        type: 'MESSAGE',
        now,
        message: { seq: 3, event: 'call.ring', call_id: '6400000000000001', direction: 'inbound', from_number: '+15551230001', to_number: '+15559990000', status: 'ringing', user_id: '42', target_crm_user: 'crm-7', contact_name: 'Jane Doe', timestamp: new Date(now).toISOString() },
      }),
    );
    const row = screen.getByTestId('call-row');
    expect(row.getAttribute('data-call-id')).toBe('6400000000000001');
    expect(row.textContent).toContain('Ringing');
    expect(row.textContent).toContain('+1 555 123 0001');
    expect(row.textContent).toContain('crm-7');
    const toast = screen.getByTestId('toast');
    expect(toast.textContent).toContain('Incoming call');
    expect(toast.textContent).toContain('+1 555 123 0001');
    expect(toast.textContent).toContain('Jane Doe');
    const region = screen.getByRole('status');
    expect(region.getAttribute('aria-live')).toBe('polite');
    expect(within(region).getByTestId('toast')).toBe(toast);
  });

  it('expired key: the message, nothing else', () => {
    const store = createBoardStore();
    render(<CallsBoard store={store} />);
    act(() => store.getState().dispatch({ type: 'UNAUTHORIZED' }));
    expect(screen.getByRole('alert').textContent).toMatch(/expired or was revoked/);
    expect(screen.queryByTestId('call-row')).toBeNull();
  });
});
