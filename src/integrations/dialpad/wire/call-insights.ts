import { readRecordingDetails, type RecordingDetail } from './call-media.js';
import { EventTypes } from './call-states.js';
import { type JsonObject, isJsonObject, own, readAmount, readBoundedText, readTextList } from './payload-readers.js';

/**
 * What a call event says about the call beyond its status: recordings, transcript, AI recap, CSAT,
 * labels and Dialpad's dispositions, talk and hold time. Pure: no Nest, no I/O.
 *
 * Sources: Dialpad's OpenAPI document (dialpad/dialpad-python-sdk, dialpad_api_spec.json), `CallProto`:
 * `recording_details` (call-media.ts), `transcription_text`, `csat_score` (a string), `csat_transcriptions` and
 * `csat_recording_urls` (lists), `labels` (a list of strings); the captured call event adds `talk_time` and
 * `hold_time` (milliseconds). Where the sources say nothing, the reading that loses no data:
 * - AI recaps: Dialpad names the states (`recap_summary`, `recap_outcome`, `recap_purposes`,
 *   `recap_action_items`) but documents no field for their content. We read a top-level field named like the
 *   state, or the same names inside a `recap` object; a list or a single text is accepted, an action item may be
 *   text or an object with `text`/`title`. Whatever else comes stays in the stored payload.
 * - Dialpad's dispositions: the `dispositions` state's event carries them in `labels` (the call object has no
 *   other field for them), so a `dispositions` event's labels are the call's dispositions; every event's labels
 *   are its labels.
 * - `pcsat` is Dialpad's predicted CSAT: its `csat_score` is kept apart from the survey's.
 */

const MAX_TRANSCRIPT = 1_000_000;
const MAX_RECAP_TEXT = 20_000;

export interface CallRecap {
  summary: string | null;
  outcome: string | null;
  purposes: string[] | null;
  actionItems: string[] | null;
}

export interface CallInsightsEvidence {
  recordings: RecordingDetail[];
  /** the call's transcript (never a voicemail's: that one is the voicemail's) */
  transcript: string | null;
  recap: CallRecap;
  csatScore: string | null;
  csatTranscriptions: string[];
  csatRecordingUrls: string[];
  predictedCsatScore: string | null;
  labels: string[];
  dispositions: string[];
  talkTimeMs: number | null;
  holdTimeMs: number | null;
}

/** Reads one call event. `voicemailEvent`: its `transcription_text` is the voicemail's, not the call's. */
export function readCallInsights(payload: JsonObject, eventType: string, voicemailEvent: boolean): CallInsightsEvidence {
  const csatScore = readBoundedText(scalarText(own(payload, 'csat_score')), 64);
  const predicted = eventType === EventTypes.pcsat;
  const labels = readTextList(own(payload, 'labels'));
  return {
    recordings: readRecordingDetails(payload),
    transcript: voicemailEvent ? null : readBoundedText(own(payload, 'transcription_text'), MAX_TRANSCRIPT),
    recap: readRecap(payload),
    csatScore: predicted ? null : csatScore,
    csatTranscriptions: readTextList(own(payload, 'csat_transcriptions')),
    csatRecordingUrls: readTextList(own(payload, 'csat_recording_urls')),
    predictedCsatScore: predicted ? csatScore : null,
    labels,
    dispositions: eventType === EventTypes.dispositions ? labels : [],
    talkTimeMs: positiveMs(own(payload, 'talk_time')),
    holdTimeMs: positiveMs(own(payload, 'hold_time')),
  };
}

/** Whether the event says anything the details keep (most live events do not: no write for them). */
export function hasInsights(e: CallInsightsEvidence): boolean {
  return (
    e.recordings.length > 0 ||
    e.transcript !== null ||
    e.recap.summary !== null ||
    e.recap.outcome !== null ||
    e.recap.purposes !== null ||
    e.recap.actionItems !== null ||
    e.csatScore !== null ||
    e.csatTranscriptions.length > 0 ||
    e.csatRecordingUrls.length > 0 ||
    e.predictedCsatScore !== null ||
    e.labels.length > 0 ||
    e.talkTimeMs !== null ||
    e.holdTimeMs !== null
  );
}

function readRecap(payload: JsonObject): CallRecap {
  const nested = own(payload, 'recap');
  const field = (name: string, short: string): unknown => {
    const top = own(payload, name);
    if (top !== undefined && top !== null) return top;
    return isJsonObject(nested) ? (own(nested, short) ?? undefined) : undefined;
  };
  return {
    summary: readRecapText(field('recap_summary', 'summary')),
    outcome: readRecapText(field('recap_outcome', 'outcome')),
    purposes: readRecapList(field('recap_purposes', 'purposes')),
    actionItems: readRecapList(field('recap_action_items', 'action_items')),
  };
}

function readRecapText(value: unknown): string | null {
  if (Array.isArray(value)) return readRecapList(value)?.join('\n') ?? null;
  return readBoundedText(isJsonObject(value) ? (own(value, 'text') ?? own(value, 'summary')) : value, MAX_RECAP_TEXT);
}

/** A list of texts (or objects with `text`/`title`); a single text is a list of one; null when absent or empty. */
function readRecapList(value: unknown): string[] | null {
  if (value === undefined || value === null) return null;
  const items = Array.isArray(value) ? value : [value];
  const out: string[] = [];
  for (const item of items.slice(0, 100)) {
    const text = readBoundedText(isJsonObject(item) ? (own(item, 'text') ?? own(item, 'title') ?? own(item, 'name')) : item, 2000);
    if (text !== null) out.push(text);
  }
  return out.length > 0 ? out : null;
}

/** `csat_score` is a string in CallProto; a number is accepted as its text. */
function scalarText(value: unknown): unknown {
  return typeof value === 'number' && Number.isFinite(value) ? String(value) : value;
}

/** A time in milliseconds above zero (Dialpad sends 0 before the call has any): rounded, else null. */
function positiveMs(value: unknown): number | null {
  const amount = readAmount(value);
  return amount === null || amount === 0 ? null : Math.round(amount);
}
