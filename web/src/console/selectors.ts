/** Derived answers about the console state (pure): what can be pressed now. */
import type { ConsoleState, CurrentCall } from './machine';

/** What the toggle button does now: Play (start / resume) or Pause; null when neither makes sense. */
export function toggleAction(state: ConsoleState): 'play' | 'pause' | null {
  if (state.phase === 'expired' || state.phase === 'loading') return null;
  return state.readyState === 'PLAY' ? 'pause' : 'play';
}

export function canHangUp(state: ConsoleState): boolean {
  return state.phase === 'connected' && state.call?.attemptId != null && state.callOp === null;
}

export function canSkip(state: ConsoleState): boolean {
  return (state.phase === 'dialing' || state.phase === 'ringing') && state.call?.attemptId != null && state.callOp === null;
}

export function canDialNext(state: ConsoleState): boolean {
  return (
    state.readyState === 'PLAY' &&
    state.call === null &&
    state.callOp === null &&
    state.sessionOp === null &&
    (state.phase === 'ready' || state.phase === 'nothing' || state.phase === 'error' || (state.phase === 'scheduled' && state.scheduled?.by === 'client'))
  );
}

export function canStop(state: ConsoleState): boolean {
  return (state.readyState === 'PLAY' || state.readyState === 'PAUSE') && state.call === null && state.callOp === null && state.sessionOp === null;
}

export function needsDisposition(state: ConsoleState): boolean {
  return state.phase === 'wrap-up' && state.call?.attemptId != null;
}

/** Position of the dialed number among the lead's numbers: "Number 2 of 3". */
export function numberPosition(call: CurrentCall): { position: number; total: number } | null {
  const numbers = call.lead?.numbers ?? null;
  if (call.numberIndex === null) return null;
  if (!numbers || numbers.length === 0) return { position: call.numberIndex, total: 0 };
  const sorted = [...numbers].sort((a, b) => a.index - b.index);
  const i = sorted.findIndex((n) => n.index === call.numberIndex);
  return i < 0 ? { position: call.numberIndex, total: 0 } : { position: i + 1, total: sorted.length };
}
