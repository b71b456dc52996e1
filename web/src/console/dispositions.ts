import type { DispositionCode } from './types';

export interface DispositionOption {
  code: DispositionCode;
  hotkey: '1' | '2' | '3' | '4' | '5' | '6' | '7';
  label: string;
}

/** The seven dispositions in their hotkey order (backend: src/policy/disposition.ts); 7 lists the number as do-not-call. */
export const DISPOSITIONS: readonly DispositionOption[] = [
  { code: 'CORRECT', hotkey: '1', label: 'Correct' },
  { code: 'WRONG', hotkey: '2', label: 'Wrong number' },
  { code: 'VM_SAME_NAME', hotkey: '3', label: 'Voicemail – same name' },
  { code: 'VM_OR_NA_UNKNOWN', hotkey: '4', label: 'Voicemail or no answer – unknown' },
  { code: 'NO_ANSWER', hotkey: '5', label: 'No answer' },
  { code: 'SKIP', hotkey: '6', label: 'Skip lead' },
  { code: 'DNC', hotkey: '7', label: 'Do not call' },
];

export function dispositionByHotkey(key: string): DispositionOption | undefined {
  return DISPOSITIONS.find((d) => d.hotkey === key);
}

export function dispositionLabel(code: string): string {
  return DISPOSITIONS.find((d) => d.code === code)?.label ?? code;
}
