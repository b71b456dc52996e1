// @vitest-environment jsdom
import { describe, expect, it } from 'vitest';
import { type FocusKind, focusKind, hotkeyFor, type KeyLike } from './hotkeys';

const key = (k: string, over: Partial<KeyLike> = {}): KeyLike => ({ key: k, ctrlKey: false, metaKey: false, altKey: false, shiftKey: false, repeat: false, ...over });
const inDialog = (focus: FocusKind = 'radio') => ({ dialogOpen: true, focus });
const outside = (focus: FocusKind = 'other') => ({ dialogOpen: false, focus });

describe('hotkeys', () => {
  it('1–7 pick the seven dispositions in order in the dialog (7: Do not call)', () => {
    const codes = ['1', '2', '3', '4', '5', '6', '7'].map((k) => hotkeyFor(key(k), inDialog()));
    expect(codes).toEqual([
      { kind: 'select', code: 'CORRECT' },
      { kind: 'select', code: 'WRONG' },
      { kind: 'select', code: 'VM_SAME_NAME' },
      { kind: 'select', code: 'VM_OR_NA_UNKNOWN' },
      { kind: 'select', code: 'NO_ANSWER' },
      { kind: 'select', code: 'SKIP' },
      { kind: 'select', code: 'DNC' },
    ]);
    expect(hotkeyFor(key('8'), inDialog())).toBeNull();
  });

  it('in the dialog C adds or drops a callback and M makes it only mine — not while typing; a checkbox keeps Space, Enter confirms', () => {
    expect(hotkeyFor(key('c'), inDialog())).toEqual({ kind: 'toggle-callback' });
    expect(hotkeyFor(key('C'), inDialog('button'))).toEqual({ kind: 'toggle-callback' });
    expect(hotkeyFor(key('m'), inDialog())).toEqual({ kind: 'toggle-only-me' });
    expect(hotkeyFor(key('c'), inDialog('text'))).toBeNull();
    expect(hotkeyFor(key('c'), outside())).toBeNull();
    const checkbox = document.createElement('input');
    checkbox.type = 'checkbox';
    expect(focusKind(checkbox)).toBe('radio');
    expect(hotkeyFor(key('Enter'), inDialog(focusKind(checkbox)))).toEqual({ kind: 'confirm' });
  });

  it('the pause menu: 1–9 (0 the tenth) pause with that reason, Esc and Space close it, other keys do nothing', () => {
    const menu = (n: number, focus: FocusKind = 'button') => ({ dialogOpen: false, focus, pauseMenu: n });
    expect(hotkeyFor(key('1'), menu(3))).toEqual({ kind: 'pause-with', index: 0 });
    expect(hotkeyFor(key('3'), menu(3))).toEqual({ kind: 'pause-with', index: 2 });
    expect(hotkeyFor(key('4'), menu(3))).toBeNull();
    expect(hotkeyFor(key('0'), menu(12))).toEqual({ kind: 'pause-with', index: 9 });
    expect(hotkeyFor(key('Escape'), menu(3))).toEqual({ kind: 'close-pause-menu' });
    expect(hotkeyFor(key(' '), menu(3))).toEqual({ kind: 'toggle' });
    expect(hotkeyFor(key('h'), menu(3))).toBeNull();
    expect(hotkeyFor(key('n'), menu(3, 'other'))).toBeNull();
    expect(hotkeyFor(key('2', { repeat: true }), menu(3))).toBeNull();
  });

  it('digits typed in Notes stay there; Enter still confirms, Shift+Enter is a new line, Esc closes', () => {
    expect(hotkeyFor(key('1'), inDialog('text'))).toBeNull();
    expect(hotkeyFor(key('Enter'), inDialog('text'))).toEqual({ kind: 'confirm' });
    expect(hotkeyFor(key('Enter', { shiftKey: true }), inDialog('text'))).toBeNull();
    expect(hotkeyFor(key('Escape'), inDialog('text'))).toEqual({ kind: 'close-dialog' });
  });

  it('Enter on a focused button is the button’s own click', () => {
    expect(hotkeyFor(key('Enter'), inDialog('button'))).toBeNull();
    expect(hotkeyFor(key('Enter'), inDialog('radio'))).toEqual({ kind: 'confirm' });
  });

  it('Space toggles Play/Pause outside text fields, also on the toggle itself, not on other buttons', () => {
    expect(hotkeyFor(key(' '), outside())).toEqual({ kind: 'toggle' });
    expect(hotkeyFor(key(' '), outside('toggle'))).toEqual({ kind: 'toggle' });
    expect(hotkeyFor(key(' '), outside('button'))).toBeNull();
    expect(hotkeyFor(key(' '), outside('text'))).toBeNull();
    expect(hotkeyFor(key(' ', { repeat: true }), outside())).toBeNull();
  });

  it('D reopens the dialog, H hangs up, S skips, N dials next; not with modifiers', () => {
    expect(hotkeyFor(key('d'), outside())).toEqual({ kind: 'open-dialog' });
    expect(hotkeyFor(key('H'), outside())).toEqual({ kind: 'hang-up' });
    expect(hotkeyFor(key('s'), outside())).toEqual({ kind: 'skip' });
    expect(hotkeyFor(key('n'), outside())).toEqual({ kind: 'dial-next' });
    expect(hotkeyFor(key('d', { ctrlKey: true }), outside())).toBeNull();
    expect(hotkeyFor(key('r', { metaKey: true }), outside())).toBeNull();
    expect(hotkeyFor(key('1'), outside())).toBeNull();
  });
});
