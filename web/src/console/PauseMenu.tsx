import { type KeyboardEvent, useEffect, useRef } from 'react';
import { useStore } from 'zustand';
import type { StoreApi } from 'zustand/vanilla';
import type { ConsoleStore } from './store';

export const PAUSE_MENU_ID = 'pause-menu';

/** The hotkey of the n-th reason (0-based): 1–9, then 0 for the tenth; none after. */
export function reasonHotkey(index: number): string | null {
  if (index < 9) return String(index + 1);
  return index === 9 ? '0' : null;
}

/**
 * Why the agent pauses: a menu of the app's reasons under the Pause button.
 * The number keys pause at once (global hotkeys); ↑/↓/Home/End move, Enter
 * chooses, Esc (or Space, or a click outside) closes it with no pause; focus
 * goes in on opening and back to the toggle on closing.
 */
export function PauseMenu({ store }: { store: StoreApi<ConsoleStore> }) {
  const open = useStore(store, (s) => s.pauseMenu);
  if (!open) return null;
  return <MenuBody store={store} />;
}

function MenuBody({ store }: { store: StoreApi<ConsoleStore> }) {
  const reasons = useStore(store, (s) => s.pauseReasons);
  const ref = useRef<HTMLDivElement>(null);

  useEffect(() => {
    const root = ref.current;
    root?.querySelector<HTMLElement>('[role="menuitem"]')?.focus();
    const onPointer = (e: PointerEvent) => {
      const target = e.target as Node | null;
      // the toggle closes it itself (its click toggles the menu)
      if (root && target && !root.contains(target) && !document.getElementById('main-toggle')?.contains(target)) store.getState().closePauseMenu();
    };
    document.addEventListener('pointerdown', onPointer);
    return () => {
      document.removeEventListener('pointerdown', onPointer);
      const active = document.activeElement;
      if (active && active !== document.body && !root?.contains(active)) return; // the agent moved on (Tab, a click)
      const toggle = document.getElementById('main-toggle') as HTMLButtonElement | null;
      const back = () => (toggle && toggle.isConnected && !toggle.disabled ? toggle : document.getElementById('state-title'))?.focus();
      back();
      // while the pause request runs the toggle is disabled: come back to it once it answers
      // (not when the console is gone by then: an unmounted toggle leaves nothing to come back to)
      if (toggle?.disabled) {
        const doc = toggle.ownerDocument;
        setTimeout(() => toggle.isConnected && doc.activeElement === doc.getElementById('state-title') && back(), 400);
      }
    };
  }, [store]);

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    const items = [...(ref.current?.querySelectorAll<HTMLElement>('[role="menuitem"]') ?? [])];
    const at = items.indexOf(document.activeElement as HTMLElement);
    let next: number | null = null;
    if (e.key === 'ArrowDown') next = (at + 1) % items.length;
    else if (e.key === 'ArrowUp') next = (at - 1 + items.length) % items.length;
    else if (e.key === 'Home') next = 0;
    else if (e.key === 'End') next = items.length - 1;
    else if (e.key === 'Tab') store.getState().closePauseMenu();
    if (next === null) return;
    e.preventDefault();
    items[next]?.focus();
  };

  return (
    <div ref={ref} className="pause-menu card" data-testid="pause-menu">
      <p id="pause-menu-title" className="pause-menu-title">
        Pause — why?
      </p>
      <div id={PAUSE_MENU_ID} role="menu" aria-labelledby="pause-menu-title" onKeyDown={onKeyDown}>
        {reasons.map((reason, i) => {
          const key = reasonHotkey(i);
          return (
            <button
              key={reason}
              type="button"
              role="menuitem"
              className="menu-item"
              tabIndex={i === 0 ? 0 : -1}
              aria-keyshortcuts={key ?? undefined}
              onClick={() => store.getState().pause(reason)}
              // Space closes the menu (global toggle): never a click here
              onKeyUp={(e) => {
                if (e.key === ' ') e.preventDefault();
              }}
            >
              <kbd aria-hidden="true">{key ?? '·'}</kbd>
              <span>{reason}</span>
            </button>
          );
        })}
      </div>
      <p className="hint">
        <kbd>1</kbd>–<kbd>{reasons.length >= 10 ? '0' : reasons.length}</kbd> or ↑↓ <kbd>Enter</kbd> · <kbd>Esc</kbd> cancels
      </p>
    </div>
  );
}
