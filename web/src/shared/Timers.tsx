import { clock } from './format';
import { useNow } from './useNow';

/** A running mm:ss since `sinceMs` (stopped at `untilMs` when given). */
export function Elapsed({ sinceMs, untilMs = null, className, prefix = '' }: { sinceMs: number; untilMs?: number | null; className?: string; prefix?: string }) {
  const now = useNow(untilMs === null);
  const end = untilMs ?? now;
  return (
    <span className={className} data-timer="">
      {`${prefix}${clock(end - sinceMs)}`}
    </span>
  );
}

/** Whole seconds left until `atMs` (0 once passed). */
export function Countdown({ atMs }: { atMs: number }) {
  const now = useNow(true);
  return <>{Math.max(0, Math.ceil((atMs - now) / 1000))}</>;
}
