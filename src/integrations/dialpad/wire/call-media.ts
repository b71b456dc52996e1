import { type JsonObject, firstPresent, own, readAmount, readBoundedText, readDate, readLooseId, readText } from './payload-readers.js';

/**
 * A call event's media: its recordings by type and the voicemail message, read from the payload
 * (beside normalizeDialpadEvent, which keeps one recording URL). Sources: Dialpad's OpenAPI document
 * (dialpad/dialpad-python-sdk, dialpad_api_spec.json): `CallProto.recording_details` are
 * `CallRecordingDetailsProto {id (string), recording_type (admincallrecording | callrecording |
 * voicemail), url, duration (ms), start_time (epoch ms)}`, and the voicemail link is
 * `voicemail_share_link`; the captured call event names it `voicemail_link` (and sends
 * `voicemail_recording_id`). Both are read. Pure: no Nest, no I/O.
 */

export const RECORDING_TYPES = ['callrecording', 'admincallrecording', 'voicemail'] as const;

/** One recording of a call. `type` is Dialpad's `recording_type` as sent (another word is kept as is; null when absent). */
export interface RecordingDetail {
  id: string | null;
  type: string | null;
  url: string | null;
  durationMs: number | null;
  startedAt: Date | null;
}

/** Every readable entry of `recording_details` (an entry with neither id nor url is skipped), at most 50. */
export function readRecordingDetails(payload: JsonObject): RecordingDetail[] {
  const list = own(payload, 'recording_details');
  if (!Array.isArray(list)) return [];
  const out: RecordingDetail[] = [];
  for (const item of list) {
    const detail: RecordingDetail = {
      id: readLooseId(own(item, 'id')),
      type: readBoundedText(own(item, 'recording_type'), 64)?.toLowerCase() ?? null,
      url: readText(own(item, 'url')),
      durationMs: roundOrNull(readAmount(own(item, 'duration'))),
      startedAt: readDate(own(item, 'start_time')),
    };
    if ((detail.id !== null || detail.url !== null) && out.length < 50) out.push(detail);
  }
  return out;
}

/** The voicemail message a call event carries: known when its link or its recording is. */
export interface VoicemailFacts {
  url: string | null;
  recordingId: string | null;
  /** the message's own length (its recording's duration), not the call's */
  durationMs: number | null;
  transcription: string | null;
}

/** Null when the event carries no message (e.g. the caller is hearing the greeting, or hung up on it). */
export function readVoicemail(payload: JsonObject): VoicemailFacts | null {
  const recording = readRecordingDetails(payload).find((r) => r.type === 'voicemail') ?? null;
  const url = readText(firstPresent(payload, ['voicemail_share_link', 'voicemail_link', 'voicemail_url'])) ?? recording?.url ?? null;
  const recordingId = readLooseId(own(payload, 'voicemail_recording_id')) ?? recording?.id ?? null;
  if (url === null && recordingId === null) return null;
  return { url, recordingId, durationMs: recording?.durationMs ?? null, transcription: readText(own(payload, 'transcription_text')) };
}

function roundOrNull(value: number | null): number | null {
  return value === null ? null : Math.round(value);
}
