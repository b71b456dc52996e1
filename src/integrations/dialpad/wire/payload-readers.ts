/**
 * Total readers for untrusted payload values: each returns a clean value or null and
 * never throws, so the normaliser can read any JSON object field by field.
 */

export type JsonObject = Record<string, unknown>;

export function isJsonObject(value: unknown): value is JsonObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Own properties only: a payload key named "constructor" must not reach Object.prototype. */
export function own(object: unknown, key: string): unknown {
  return isJsonObject(object) && Object.hasOwn(object, key) ? object[key] : undefined;
}

/** The first own key that holds something other than null/undefined. */
export function firstPresent(object: JsonObject, keys: readonly string[]): unknown {
  for (const key of keys) {
    const value = own(object, key);
    if (value !== undefined && value !== null) return value;
  }
  return undefined;
}

const DECIMAL_ID = /^\d{1,40}$/;

/**
 * A Dialpad id as canonical decimal text. Accepts safe non-negative integers and digit
 * strings (lossless parsing turns ids above 2^53 into strings); leading zeros are
 * dropped so "007" and 7 are the same id. Anything else is the string 'invalid' (never an id's text).
 */
export function readId(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value === 'number') {
    return Number.isSafeInteger(value) && value >= 0 ? String(value) : 'invalid';
  }
  if (typeof value === 'string') {
    const text = value.trim();
    return DECIMAL_ID.test(text) ? BigInt(text).toString() : 'invalid';
  }
  return 'invalid';
}

/** Like readId, but an unreadable optional id is simply unknown. */
export function readOptionalId(value: unknown): string | null {
  const id = readId(value);
  return id === 'invalid' ? null : id;
}

/** Below this an epoch number is read as seconds: 1e11 ms is 1973, 1e11 s is the year 5138. */
const SECONDS_CUTOFF = 1e11;
const MAX_EPOCH_MS = 8.64e15;

// An ISO date-time without an offset would be read in the machine's time zone: refuse it.
const ISO_WITH_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/i;

/** Epoch milliseconds (Dialpad), epoch seconds, digit strings of either, or an ISO 8601 string with an offset. */
export function readDate(value: unknown): Date | null {
  let ms: number;
  if (typeof value === 'number') {
    ms = value;
  } else if (typeof value === 'string' && /^\d+(\.\d+)?$/.test(value.trim())) {
    ms = Number(value.trim());
  } else if (typeof value === 'string' && ISO_WITH_OFFSET.test(value.trim())) {
    return orNull(Date.parse(value.trim()));
  } else {
    return null;
  }
  if (!Number.isFinite(ms) || ms <= 0) return null;
  return orNull(Math.round(ms < SECONDS_CUTOFF ? ms * 1000 : ms));
}

function orNull(ms: number): Date | null {
  return Number.isFinite(ms) && Math.abs(ms) <= MAX_EPOCH_MS ? new Date(ms) : null;
}

export function readText(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const text = value.trim();
  return text.length > 0 ? text : null;
}

/** A finite, non-negative number. */
export function readAmount(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : null;
}

/**
 * An E.164 number (`+` and up to 15 digits) with formatting removed. A full number
 * missing its `+` (or written with `00`) gets it back; national numbers, extensions
 * and words like "anonymous" are not E.164 and give null (the raw payload keeps them).
 */
export function readPhone(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const compact = value.replace(/[\s().-]/g, '');
  const match = /^(?:\+|00)?([1-9]\d{6,14})$/.exec(compact);
  if (!match) return null;
  const hasPrefix = compact.startsWith('+') || compact.startsWith('00');
  // Without a prefix only a full-length number is unambiguous: 10 digits may be a US national number.
  if (!hasPrefix && compact.length < 11) return null;
  return `+${match[1]}`;
}

export type CallDirection = 'inbound' | 'outbound';

export function readDirection(value: unknown): CallDirection | null {
  if (typeof value !== 'string') return null;
  switch (value.trim().toLowerCase()) {
    case 'inbound':
    case 'incoming':
    case 'in':
      return 'inbound';
    case 'outbound':
    case 'outgoing':
    case 'out':
      return 'outbound';
    default:
      return null;
  }
}

/** The first URL of a string, an array of strings, or an array of objects with a `url`. */
export function readFirstUrl(value: unknown): string | null {
  if (typeof value === 'string') return readText(value);
  if (!Array.isArray(value)) return null;
  for (const item of value) {
    const url = typeof item === 'string' ? readText(item) : readText(own(item, 'url'));
    if (url !== null) return url;
  }
  return null;
}
