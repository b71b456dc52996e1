/** Pure timing rules of the Dialpad client: Retry-After parsing and backoff delays. */

/**
 * `Retry-After` as milliseconds from `nowMs`: delta-seconds (`"3"`) or an HTTP date.
 * Null when absent or unreadable; a date in the past is 0.
 */
export function parseRetryAfter(header: string | null | undefined, nowMs: number): number | null {
  if (header === null || header === undefined) return null;
  const text = header.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  if (!/[a-z]/i.test(text)) return null;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return null;
  return Math.max(0, at - nowMs);
}

/**
 * "Full jitter" exponential backoff (AWS architecture blog): a uniform delay in
 * [0, min(max, base·2^(attempt-1))]. `attempt` starts at 1 for the first retry.
 * `random` is injectable so tests can pin it.
 */
export function backoffDelayMs(attempt: number, baseMs: number, maxMs: number, random: () => number = Math.random): number {
  const exponent = Math.min(Math.max(attempt - 1, 0), 30);
  const ceiling = Math.min(maxMs, baseMs * 2 ** exponent);
  return Math.floor(random() * ceiling);
}

/**
 * The delay before the next attempt: Dialpad's Retry-After when it sent one
 * (never shorter), else the jittered exponential backoff.
 */
export function nextRetryDelayMs(
  attempt: number,
  retryAfterMs: number | null,
  baseMs: number,
  maxMs: number,
  random: () => number = Math.random,
): number {
  if (retryAfterMs !== null) return Math.min(retryAfterMs, maxMs);
  return backoffDelayMs(attempt, baseMs, maxMs, random);
}
