/**
 * The merge rules of the order-free folds (call-state.ts, call-details.ts, voicemails/voicemail-fold.ts): each is
 * commutative, associative and idempotent, so folding any arrangement of the same events gives the same value.
 * Null never overwrites a value. Pure.
 */

/** Two different texts (which Dialpad should not send for one thing) resolve to the smaller. */
export function smaller<T extends string>(a: T | null, b: T | null): T | null {
  if (a === null) return b;
  if (b === null) return a;
  return b < a ? b : a;
}

/** The largest figure seen: running figures (durations, talk time) only grow, so early events can only undercount. */
export function largest(a: number | null, b: number | null): number | null {
  if (a === null) return b;
  if (b === null) return a;
  return Math.max(a, b);
}

export function earliest(a: Date | null, b: Date | null): Date | null {
  if (a === null) return b;
  if (b === null) return a;
  return b.getTime() < a.getTime() ? b : a;
}

export function latest(a: Date | null, b: Date | null): Date | null {
  if (a === null) return b;
  if (b === null) return a;
  return b.getTime() > a.getTime() ? b : a;
}
