import { readRecordingDetails } from './call-media.js';
import { EventTypes, eventTypeForState } from './call-states.js';
import {
  type CallDirection,
  type DialpadContact,
  type JsonObject,
  firstPresent,
  isJsonObject,
  own,
  readAmount,
  readDate,
  readDirection,
  readFirstUrl,
  readId,
  readOptionalId,
  readContact,
  readGivenEventId,
  stampOf,
  readPhone,
  readText,
} from './payload-readers.js';

/**
 * Turns one webhook payload into the facts the processor needs. Two shapes arrive:
 * real Dialpad call events (`state`, epoch-ms dates, `external_number`/`internal_number`)
 * and the seed document's format (`event_type`, ISO `timestamp`, `from`/`to`).
 */

export type { CallDirection } from './payload-readers.js';

export { EventTypes, eventTypeForState } from './call-states.js';
export type { DialpadContact } from './payload-readers.js';

/** A call event (real Dialpad `state`, or the seed's `event_type`), normalised. */
export interface NormalizedEvent {
  eventType: string;
  /** Dialpad's `state` word as sent (lower-cased); null for a seed-format event */
  state: string | null;
  dialpadEventId: string;
  dialpadCallId: string;
  masterCallId: string | null;
  entryPointCallId: string | null;
  direction: CallDirection | null;
  /** E.164. Inbound: the outside caller; outbound: our line. */
  fromNumber: string | null;
  toNumber: string | null;
  /** Set only when the event targets a user (not an office or a call centre). */
  dialpadUserId: string | null;
  startedAt: Date | null;
  queuedAt: Date | null;
  ringingAt: Date | null;
  connectedAt: Date | null;
  endedAt: Date | null;
  eventAt: Date | null;
  /** Connected time to end, in milliseconds; null while the call is still going. */
  durationMs: number | null;
  recordingUrl: string | null;
  voicemailUrl: string | null;
  voicemailRecordingId: string | null;
  transcriptionText: string | null;
  customData: string | null;
  /** Who is on the other end (`contact`: the caller of an inbound call, the callee of an outbound one). */
  contact: DialpadContact | null;
  /** A hangup that says the call never connected: the evidence for `missed`. */
  neverConnected: boolean;
}

export type NormalizeResult = { ok: true; event: NormalizedEvent } | { ok: false; message: string };

// a word starting with a letter: a bare number (e.g. 1e70, kept as text by the lossless parser) would be
// stored expanded by jsonb and read back differently by the processor
const STATE_PATTERN = /^[a-z][a-z0-9_-]{0,63}$/;
const EVENT_TYPE_PATTERN = /^[a-z][a-z0-9_-]*(\.[a-z0-9_-]+)*$/;

export function normalizeDialpadEvent(payload: Record<string, unknown>): NormalizeResult {
  if (!isJsonObject(payload)) return { ok: false, message: 'the event must be a JSON object' };

  const callId = readId(firstPresent(payload, ['call_id', 'dialpad_call_id']));
  if (callId === null) return { ok: false, message: 'payload has no call_id' };
  if (callId === 'invalid') {
    return { ok: false, message: 'call_id must be a non-negative integer (a JSON number or a string of digits)' };
  }

  const kind = readKind(payload);
  if (!kind.ok) return kind;
  const eventId = readEventId(payload, callId, kind.label);
  if (!eventId.ok) return eventId;

  const eventType = kind.eventType;
  const isRealFormat = kind.format === 'dialpad';
  const eventAt = readFirstDate(payload, ['event_timestamp', 'timestamp']);
  const connectedAt = readDate(own(payload, 'date_connected')) ?? (eventType === EventTypes.connected ? eventAt : null);
  const endedAt = readDate(own(payload, 'date_ended')) ?? (eventType === EventTypes.ended ? eventAt : null);
  const direction = readDirection(own(payload, 'direction'));
  const numbers = isRealFormat ? realNumbers(payload, direction) : seedNumbers(payload);

  return {
    ok: true,
    event: {
      eventType,
      state: isRealFormat ? kind.label : null,
      dialpadEventId: eventId.value,
      dialpadCallId: callId,
      masterCallId: readOptionalId(own(payload, 'master_call_id')),
      entryPointCallId: readOptionalId(own(payload, 'entry_point_call_id')),
      direction,
      ...numbers,
      dialpadUserId: readUserId(payload),
      startedAt:
        readDate(own(payload, 'date_started')) ??
        (eventType === EventTypes.started || eventType === EventTypes.preanswer ? eventAt : null),
      queuedAt: readDate(own(payload, 'date_queued')) ?? (eventType === EventTypes.queued ? eventAt : null),
      ringingAt:
        readFirstDate(payload, ['date_first_rang', 'date_rang']) ??
        (eventType === EventTypes.ring ? eventAt : null),
      connectedAt,
      endedAt,
      eventAt,
      durationMs: isRealFormat ? realDurationMs(payload, connectedAt, endedAt) : seedDurationMs(payload),
      // a call recording only: admin recordings and the voicemail's are in the call's details (call-insights.ts)
      recordingUrl: readFirstUrl(own(payload, 'recording_url')) ?? firstCallRecordingUrl(payload),
      voicemailUrl: readText(firstPresent(payload, ['voicemail_share_link', 'voicemail_link', 'voicemail_url'])),
      voicemailRecordingId: readOptionalId(own(payload, 'voicemail_recording_id')),
      transcriptionText: readText(own(payload, 'transcription_text')),
      customData: readCustomData(own(payload, 'custom_data')),
      contact: readContact(own(payload, 'contact')),
      // A real hangup always states date_connected; a seed event only counts if it says so explicitly.
      neverConnected:
        eventType === EventTypes.ended &&
        connectedAt === null &&
        (isRealFormat || Object.hasOwn(payload, 'date_connected')),
    },
  };
}

/** The first of the keys that holds a readable date (an unreadable one does not hide the next). */
function readFirstDate(payload: JsonObject, keys: readonly string[]): Date | null {
  for (const key of keys) {
    const date = readDate(own(payload, key));
    if (date !== null) return date;
  }
  return null;
}

type Kind =
  | { ok: true; format: 'dialpad' | 'seed'; eventType: string; label: string }
  | { ok: false; message: string };

/** `state` (real Dialpad) wins over `event_type` (seed); `label` is the raw word used in derived event ids. */
function readKind(payload: JsonObject): Kind {
  const state = own(payload, 'state');
  if (state !== undefined && state !== null) {
    const word = typeof state === 'string' ? state.trim().toLowerCase() : '';
    if (!STATE_PATTERN.test(word)) {
      return { ok: false, message: 'state must be a word such as "ringing" or "hangup"' };
    }
    return { ok: true, format: 'dialpad', eventType: eventTypeForState(word), label: word };
  }
  const eventType = own(payload, 'event_type');
  if (eventType !== undefined && eventType !== null) {
    const word = typeof eventType === 'string' ? eventType.trim().toLowerCase() : '';
    if (word.length > 100 || !EVENT_TYPE_PATTERN.test(word)) {
      return { ok: false, message: 'event_type must be a dotted name such as "call.ring"' };
    }
    return { ok: true, format: 'seed', eventType: word, label: word };
  }
  return { ok: false, message: 'payload has neither state (Dialpad call event) nor event_type' };
}

/** The event's identity (docs/wire-protocol.md, "Event identity"): the payload's event_id, else "<call_id>:<state>:<event_timestamp>" as sent. */
function readEventId(
  payload: JsonObject,
  callId: string,
  label: string,
): { ok: true; value: string } | { ok: false; message: string } {
  const given = readGivenEventId(payload);
  if (!given.ok) return given;
  if (given.value !== null) return { ok: true, value: given.value };
  return { ok: true, value: `${callId}:${label}:${stampOf(firstPresent(payload, ['event_timestamp', 'timestamp']))}` };
}

type Numbers = Pick<NormalizedEvent, 'fromNumber' | 'toNumber'>;

/** Dialpad names the parties by side, not by role: the external party calls in, our line calls out. */
function realNumbers(payload: JsonObject, direction: CallDirection | null): Numbers {
  const external = readPhone(own(payload, 'external_number')) ?? readPhone(own(own(payload, 'contact'), 'phone'));
  const internal = readPhone(own(payload, 'internal_number')) ?? readPhone(own(own(payload, 'target'), 'phone'));
  if (direction === 'inbound') return { fromNumber: external, toNumber: internal };
  if (direction === 'outbound') return { fromNumber: internal, toNumber: external };
  return { fromNumber: null, toNumber: null };
}

function seedNumbers(payload: JsonObject): Numbers {
  return {
    fromNumber: readPhone(firstPresent(payload, ['from', 'from_number'])),
    toNumber: readPhone(firstPresent(payload, ['to', 'to_number'])),
  };
}

function readUserId(payload: JsonObject): string | null {
  const target = own(payload, 'target');
  if (isJsonObject(target)) return own(target, 'type') === 'user' ? readOptionalId(own(target, 'id')) : null;
  return readOptionalId(firstPresent(payload, ['user_id', 'dialpad_user_id']));
}

/**
 * Real Dialpad `duration` is milliseconds (the captured event: `total_duration`
 * 8951.03 = date_ended − date_started). Before the call ends it is a running
 * figure, so it only counts once the end is known; without it, connected → ended.
 */
function realDurationMs(payload: JsonObject, connectedAt: Date | null, endedAt: Date | null): number | null {
  if (endedAt === null) return null;
  const duration = readAmount(own(payload, 'duration'));
  if (duration !== null) return Math.round(duration);
  if (connectedAt !== null && endedAt >= connectedAt) {
    return endedAt.getTime() - connectedAt.getTime();
  }
  return null;
}

/**
 * The seed format does not document units. We read `duration` as seconds, the unit of
 * the CRM-facing webhook formats it imitates (ISO timestamps, `from`/`to`), and accept
 * an explicit `duration_ms` first.
 */
function seedDurationMs(payload: JsonObject): number | null {
  const ms = readAmount(own(payload, 'duration_ms'));
  if (ms !== null) return Math.round(ms);
  const seconds = readAmount(own(payload, 'duration'));
  return seconds === null ? null : Math.round(seconds * 1000);
}

/** Dialpad passes custom_data back as the string given when the call was placed; keep other JSON as text. */
function readCustomData(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value === 'string') return value.length > 0 ? value : null;
  return JSON.stringify(value);
}

/** The first `recording_details` URL of a call recording (type `callrecording`, or untyped). */
function firstCallRecordingUrl(payload: Record<string, unknown>): string | null {
  for (const r of readRecordingDetails(payload)) {
    if (r.url !== null && (r.type === null || r.type === 'callrecording')) return r.url;
  }
  return null;
}
