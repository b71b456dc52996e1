import { describe, expect, it } from 'vitest';
import { type FocusKind, hotkeyFor, type KeyLike } from './hotkeys';

const key = (k: string, over: Partial<KeyLike> = {}): KeyLike => ({ key: k, ctrlKey: false, metaKey: false, altKey: false, shiftKey: false, repeat: false, ...over });
const inDialog = (focus: FocusKind = 'radio') => ({ dialogOpen: true, focus });
const outside = (focus: FocusKind = 'other') => ({ dialogOpen: false, focus });

describe('hotkeys', () => {
  it('1–6 pick the six dispositions in order in the dialog', () => {
    const codes = ['1', '2', '3', '4', '5', '6'].map((k) => hotkeyFor(key(k), inDialog()));
    expect(codes).toEqual([
      { kind: 'select', code: 'CORRECT' },
      { kind: 'select', code: 'WRONG' },
      { kind: 'select', code: 'VM_SAME_NAME' },
      { kind: 'select', code: 'VM_OR_NA_UNKNOWN' },
      { kind: 'select', code: 'NO_ANSWER' },
      { kind: 'select', code: 'SKIP' },
    ]);
    expect(hotkeyFor(key('7'), inDialog())).toBeNull();
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
