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

/** Text of at most `max` characters (longer is cut, never refused: the stored payload keeps it whole). */
export function readBoundedText(value: unknown, max = 1000): string | null {
  const text = readText(value);
  return text === null ? null : text.slice(0, max);
}

/** A Dialpad id that may also be an opaque string: digits become canonical decimal, other text is kept (at most 255 characters). */
export function readLooseId(value: unknown): string | null {
  const id = readId(value);
  if (id !== null && id !== 'invalid') return id;
  return typeof value === 'string' ? readBoundedText(value, 255) : null;
}

export function readBoolean(value: unknown): boolean | null {
  return typeof value === 'boolean' ? value : null;
}

/** A phone number as E.164 when it is one, else the text as sent (e.g. "anonymous"). */
export function readPhoneOrText(value: unknown): string | null {
  return readPhone(value) ?? readBoundedText(value, 64);
}

/** A list of strings (or ids) from an array, or a single string; other items are skipped. */
export function readTextList(value: unknown, max = 50): string[] {
  const items = Array.isArray(value) ? value : value === undefined || value === null ? [] : [value];
  const out: string[] = [];
  for (const item of items) {
    const text = typeof item === 'number' ? readLooseId(item) : readBoundedText(item, 255);
    if (text !== null && out.length < max) out.push(text);
  }
  return out;
}

/** The party a Dialpad event names (`contact` of a call or an SMS, a contact event's contact). */
export interface DialpadContact {
  id: string | null;
  name: string | null;
  email: string | null;
  phone: string | null;
  type: string | null;
}

/**
 * A call's or an SMS's `contact` object. Dialpad's OpenAPI document types `contact.id` as a
 * string (CallContactProto), the captured event sends a bare number: both are read. The
 * phone is `phone` in call events and `phone_number` in SMS events (developers.dialpad.com,
 * "SMS Events"): both are read. Empty strings (the captured event's `"email": ""`) are
 * unknown. Null when nothing is known.
 */
export function readContact(value: unknown): DialpadContact | null {
  if (!isJsonObject(value)) return null;
  const contact: DialpadContact = {
    id: readLooseId(own(value, 'id')),
    name: readBoundedText(own(value, 'name')),
    email: readBoundedText(own(value, 'email'), 320),
    phone: readPhoneOrText(firstPresent(value, ['phone', 'phone_number'])),
    type: readBoundedText(own(value, 'type'), 64),
  };
  return Object.values(contact).some((v) => v !== null) ? contact : null;
}

export const MAX_EVENT_ID_LENGTH = 255;

/** The payload's own `event_id` (an integer, or a string of at most 255 characters); value null when absent. */
export function readGivenEventId(payload: JsonObject): { ok: true; value: string | null } | { ok: false; message: string } {
  const given = own(payload, 'event_id');
  if (given === undefined || given === null) return { ok: true, value: null };
  const value = typeof given === 'number' && Number.isSafeInteger(given) ? String(given) : readText(given);
  if (value === null || value.length > MAX_EVENT_ID_LENGTH) {
    return { ok: false, message: `event_id must be an integer or a non-empty string of at most ${MAX_EVENT_ID_LENGTH} characters` };
  }
  return { ok: true, value };
}

/** A number or digit string as sent, for a derived event identity ("" when absent). */
export function stampOf(value: unknown): string {
  return typeof value === 'number' && Number.isFinite(value) ? String(value) : (readText(value) ?? '');
}

/** A short word (a status, a direction) for a derived identity: lower-case letters, digits, `_` and `-`, else "". */
export function wordOf(value: unknown): string {
  const text = readText(value)?.toLowerCase() ?? '';
  return /^[a-z0-9_-]{1,32}$/.test(text) ? text : '';
}
