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
  | { kind: 'dial-next' };

export interface KeyLike {
  key: string;
  ctrlKey: boolean;
  metaKey: boolean;
  altKey: boolean;
  shiftKey: boolean;
  repeat: boolean;
}

/**
 * What has the focus: text fields keep their keys; buttons and radios keep Space
 * and Enter — except the Play/Pause button itself (`data-space-toggle`), whose
 * Space is the global toggle (it suppresses its own Space click).
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
    if (type === 'radio') return 'radio';
    if (type === 'checkbox' || type === 'button' || type === 'submit' || type === 'reset') return 'button';
    return 'text';
  }
  if (tag === 'button' || tag === 'a' || tag === 'summary' || el.getAttribute('role') === 'button') return 'button';
  return 'other';
}

/**
 * The console's keyboard map (pure). In the disposition dialog: 1–6 pick,
 * Enter confirms (Shift+Enter is a new line in Notes), Esc closes. Outside it:
 * Space plays/pauses, D reopens the dialog, H hangs up, S skips, N dials next.
 * Keys typed in a text field stay there (but Enter and Esc still work in Notes).
 */
export function hotkeyFor(e: KeyLike, ctx: { dialogOpen: boolean; focus: FocusKind }): HotkeyAction | null {
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
    const option = dispositionByHotkey(key);
    return option ? { kind: 'select', code: option.code } : null;
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
