import { dispositionByHotkey } from './dispositions';
import type { DispositionCode } from './types';

export type HotkeyAction =
  | { kind: 'select'; code: DispositionCode }
  | { kind: 'confirm' }
  | { kind: 'close-dialog' }
  | { kind: 'open-dialog' }
  | { kind: 'toggle' }
  | { kind: 'hang-up' }
  | { kind: 'skip' }
  | { kind: 'dial-next' }
  | { kind: 'toggle-callback' }
  | { kind: 'toggle-only-me' }
  | { kind: 'pause-with'; index: number }
  | { kind: 'close-pause-menu' };

export interface KeyLike {
  key: string;
  ctrlKey: boolean;
  metaKey: boolean;
  altKey: boolean;
  shiftKey: boolean;
  repeat: boolean;
}

/**
 * What has the focus: text fields keep their keys; buttons keep Space and Enter;
 * radios and checkboxes keep Space (Enter confirms the dialog) — except the
 * Play/Pause button itself (`data-space-toggle`), whose Space is the global
 * toggle (it suppresses its own Space click).
 */
export type FocusKind = 'text' | 'button' | 'radio' | 'toggle' | 'other';

export function focusKind(target: EventTarget | null): FocusKind {
  if (!target || typeof (target as Element).tagName !== 'string') return 'other';
  const el = target as HTMLElement;
  if (el.hasAttribute('data-space-toggle')) return 'toggle';
  const tag = el.tagName.toLowerCase();
  if (tag === 'textarea' || tag === 'select' || el.isContentEditable) return 'text';
  if (tag === 'input') {
    const type = (el as HTMLInputElement).type;
    if (type === 'radio' || type === 'checkbox') return 'radio';
    if (type === 'button' || type === 'submit' || type === 'reset') return 'button';
    return 'text';
  }
  if (tag === 'button' || tag === 'a' || tag === 'summary' || el.getAttribute('role') === 'button') return 'button';
  return 'other';
}

/**
 * The console's keyboard map (pure). In the disposition dialog: 1–7 pick,
 * Enter confirms (Shift+Enter is a new line in Notes), Esc closes (or backs out
 * of the Do-not-call confirmation), C adds or drops a callback, M makes it
 * "only me". In the pause menu (`pauseMenu`: its number of reasons): 1–9 (0 for
 * the tenth) pause with that reason, Esc or Space closes it; arrows are the
 * menu's own. Elsewhere: Space plays / opens the pause menu, D reopens the
 * dialog, H hangs up, S skips, N dials next. Keys typed in a text field stay
 * there (but Enter and Esc still work in the dialog's fields).
 */
export function hotkeyFor(e: KeyLike, ctx: { dialogOpen: boolean; focus: FocusKind; pauseMenu?: number }): HotkeyAction | null {
  if (e.ctrlKey || e.metaKey || e.altKey) return null;
  const key = e.key;
  if (ctx.dialogOpen) {
    if (key === 'Escape') return { kind: 'close-dialog' };
    if (key === 'Enter') {
      if (e.shiftKey && ctx.focus === 'text') return null;
      // a focused button (Confirm, Close) does its own click
      return ctx.focus === 'button' || ctx.focus === 'toggle' ? null : { kind: 'confirm' };
    }
    if (ctx.focus === 'text') return null;
    if (key === 'c' || key === 'C') return { kind: 'toggle-callback' };
    if (key === 'm' || key === 'M') return { kind: 'toggle-only-me' };
    const option = dispositionByHotkey(key);
    return option ? { kind: 'select', code: option.code } : null;
  }
  if (ctx.pauseMenu) {
    if (key === 'Escape') return { kind: 'close-pause-menu' };
    if (e.repeat) return null;
    if (key === ' ' || key === 'Spacebar') return { kind: 'toggle' };
    if (/^[0-9]$/.test(key)) {
      const index = key === '0' ? 9 : Number(key) - 1;
      return index < ctx.pauseMenu ? { kind: 'pause-with', index } : null;
    }
    return null;
  }
  if (ctx.focus === 'text' || e.repeat) return null;
  switch (key) {
    case ' ':
    case 'Spacebar':
      // another focused button, or a radio, takes Space itself
      return ctx.focus === 'other' || ctx.focus === 'toggle' ? { kind: 'toggle' } : null;
    case 'd':
    case 'D':
      return { kind: 'open-dialog' };
    case 'h':
    case 'H':
      return { kind: 'hang-up' };
    case 's':
    case 'S':
      return { kind: 'skip' };
    case 'n':
    case 'N':
      return { kind: 'dial-next' };
    default:
      return null;
  }
}
