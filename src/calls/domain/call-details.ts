import type { RecordingDetail } from '../../integrations/dialpad/wire/call-media.js';
import type { CallInsightsEvidence } from '../../integrations/dialpad/wire/call-insights.js';
import { earliest, largest, smaller } from './order-free.js';

/**
 * What a call gathers after (and around) its status: every recording, the transcript, the AI recap, CSAT,
 * labels and Dialpad's dispositions, talk and hold time (docs/wire-protocol.md, "Call details"). Like the
 * status (call-state.ts), the fold is order-free and idempotent, so redelivered and reordered events give the
 * same details:
 * - recordings: a set keyed by Dialpad's recording id (else its URL), each field merged (smaller text,
 *   longest duration, earliest start);
 * - transcript, recap parts, CSAT scores: last-writer-wins registers keyed by Dialpad's event time (an event
 *   without a time is the oldest), ties broken by content;
 * - labels, dispositions, CSAT texts and links: sets (Dialpad sends an empty list on events that do not
 *   concern them, so an empty list is "nothing to say", never "removed");
 * - talk and hold time: the largest seen (running figures only grow).
 * Pure: no Nest, no I/O.
 */

export interface Register<T> {
  value: T;
  /** Dialpad's event time of the event the value came from (ms since epoch; null: the event had none) */
  at: number | null;
}

export interface CallDetails {
  recordings: RecordingDetail[];
  transcript: Register<string> | null;
  recapSummary: Register<string> | null;
  recapOutcome: Register<string> | null;
  recapPurposes: Register<string[]> | null;
  recapActionItems: Register<string[]> | null;
  csatScore: Register<string> | null;
  predictedCsatScore: Register<string> | null;
  csatTranscriptions: string[];
  csatRecordingUrls: string[];
  labels: string[];
  dispositions: string[];
  talkTimeMs: number | null;
  holdTimeMs: number | null;
}

export const EMPTY_DETAILS: CallDetails = {
  recordings: [],
  transcript: null,
  recapSummary: null,
  recapOutcome: null,
  recapPurposes: null,
  recapActionItems: null,
  csatScore: null,
  predictedCsatScore: null,
  csatTranscriptions: [],
  csatRecordingUrls: [],
  labels: [],
  dispositions: [],
  talkTimeMs: null,
  holdTimeMs: null,
};

const MAX_RECORDINGS = 50;
const MAX_SET = 100;

/** The details after one event; `changed` says whether the event added anything. */
export function foldCallDetails(current: CallDetails | null, e: CallInsightsEvidence, eventAt: Date | null): { details: CallDetails; changed: boolean } {
  const base = current ?? EMPTY_DETAILS;
  const at = eventAt?.getTime() ?? null;
  const next: CallDetails = {
    recordings: mergeRecordings(base.recordings, e.recordings),
    transcript: register(base.transcript, e.transcript, at),
    recapSummary: register(base.recapSummary, e.recap.summary, at),
    recapOutcome: register(base.recapOutcome, e.recap.outcome, at),
    recapPurposes: register(base.recapPurposes, e.recap.purposes, at),
    recapActionItems: register(base.recapActionItems, e.recap.actionItems, at),
    csatScore: register(base.csatScore, e.csatScore, at),
    predictedCsatScore: register(base.predictedCsatScore, e.predictedCsatScore, at),
    csatTranscriptions: union(base.csatTranscriptions, e.csatTranscriptions),
    csatRecordingUrls: union(base.csatRecordingUrls, e.csatRecordingUrls),
    labels: union(base.labels, e.labels),
    dispositions: union(base.dispositions, e.dispositions),
    talkTimeMs: largest(base.talkTimeMs, e.talkTimeMs),
    holdTimeMs: largest(base.holdTimeMs, e.holdTimeMs),
  };
  const changed = current === null ? !sameDetails(EMPTY_DETAILS, next) : !sameDetails(current, next);
  return { details: next, changed };
}

/** The newest call recording (type `callrecording`, or untyped), by start time then URL: the call's `recording_url`. */
export function newestCallRecordingUrl(details: CallDetails): string | null {
  let best: RecordingDetail | null = null;
  for (const r of details.recordings) {
    if (r.url === null || (r.type !== null && r.type !== 'callrecording')) continue;
    if (!best || compareRecordings(r, best) > 0) best = r;
  }
  return best?.url ?? null;
}

/** What the CRM sees: admin recordings only when the app allows it (`show_admin_recordings`). */
export function visibleRecordings(details: CallDetails, showAdminRecordings: boolean): RecordingDetail[] {
  return showAdminRecordings ? details.recordings : details.recordings.filter((r) => r.type !== 'admincallrecording');
}

export function sameDetails(a: CallDetails, b: CallDetails): boolean {
  return JSON.stringify(detailsToJson(a)) === JSON.stringify(detailsToJson(b));
}

// ------------------------------------------------------------------ storage (call_details.details, jsonb)

interface StoredRecording {
  id: string | null;
  type: string | null;
  url: string | null;
  duration_ms: number | null;
  started_at: number | null;
}

/** The stored form: plain JSON (dates as epoch ms), keys in a fixed order. */
export function detailsToJson(d: CallDetails): Record<string, unknown> {
  return {
    recordings: d.recordings.map(
      (r): StoredRecording => ({ id: r.id, type: r.type, url: r.url, duration_ms: r.durationMs, started_at: r.startedAt?.getTime() ?? null }),
    ),
    transcript: d.transcript,
    recap_summary: d.recapSummary,
    recap_outcome: d.recapOutcome,
    recap_purposes: d.recapPurposes,
    recap_action_items: d.recapActionItems,
    csat_score: d.csatScore,
    predicted_csat_score: d.predictedCsatScore,
    csat_transcriptions: d.csatTranscriptions,
    csat_recording_urls: d.csatRecordingUrls,
    labels: d.labels,
    dispositions: d.dispositions,
    talk_time_ms: d.talkTimeMs,
    hold_time_ms: d.holdTimeMs,
  };
}

/** Reads the stored form back; anything malformed reads as absent (the event log can rebuild it). */
export function detailsFromJson(json: unknown): CallDetails {
  const o = isObject(json) ? json : {};
  const recordings = Array.isArray(o['recordings']) ? o['recordings'] : [];
  return {
    recordings: recordings.filter(isObject).map((r) => ({
      id: str(r['id']),
      type: str(r['type']),
      url: str(r['url']),
      durationMs: num(r['duration_ms']),
      startedAt: num(r['started_at']) === null ? null : new Date(num(r['started_at'])!),
    })),
    transcript: textRegister(o['transcript']),
    recapSummary: textRegister(o['recap_summary']),
    recapOutcome: textRegister(o['recap_outcome']),
    recapPurposes: listRegister(o['recap_purposes']),
    recapActionItems: listRegister(o['recap_action_items']),
    csatScore: textRegister(o['csat_score']),
    predictedCsatScore: textRegister(o['predicted_csat_score']),
    csatTranscriptions: strings(o['csat_transcriptions']),
    csatRecordingUrls: strings(o['csat_recording_urls']),
    labels: strings(o['labels']),
    dispositions: strings(o['dispositions']),
    talkTimeMs: num(o['talk_time_ms']),
    holdTimeMs: num(o['hold_time_ms']),
  };
}

// ------------------------------------------------------------------ merge rules

function register<T extends string | string[]>(current: Register<T> | null, value: T | null, at: number | null): Register<T> | null {
  if (value === null) return current;
  if (current === null) return { value, at };
  const order = (at ?? -Infinity) - (current.at ?? -Infinity) || compareText(JSON.stringify(value), JSON.stringify(current.value));
  return order > 0 ? { value, at } : current;
}

function recordingKey(r: RecordingDetail): string {
  return r.id !== null ? `id:${r.id}` : `url:${r.url ?? ''}`;
}

function mergeRecordings(a: RecordingDetail[], b: RecordingDetail[]): RecordingDetail[] {
  if (b.length === 0) return a;
  const byKey = new Map<string, RecordingDetail>(a.map((r) => [recordingKey(r), r]));
  for (const r of b) {
    const key = recordingKey(r);
    const had = byKey.get(key);
    byKey.set(
      key,
      had
        ? {
            id: had.id,
            type: smaller(had.type, r.type),
            url: smaller(had.url, r.url),
            durationMs: largest(had.durationMs, r.durationMs),
            startedAt: earliest(had.startedAt, r.startedAt),
          }
        : r,
    );
  }
  return [...byKey.values()].sort((x, y) => compareRecordings(x, y)).slice(-MAX_RECORDINGS);
}

/** Oldest first: by start time (unknown first), then key. */
function compareRecordings(a: RecordingDetail, b: RecordingDetail): number {
  return (a.startedAt?.getTime() ?? -Infinity) - (b.startedAt?.getTime() ?? -Infinity) || compareText(recordingKey(a), recordingKey(b));
}

function union(a: string[], b: string[]): string[] {
  if (b.every((x) => a.includes(x))) return a;
  return [...new Set([...a, ...b])].sort(compareText).slice(0, MAX_SET);
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function str(v: unknown): string | null {
  return typeof v === 'string' ? v : null;
}

function num(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

function textRegister(v: unknown): Register<string> | null {
  if (!isObject(v) || typeof v['value'] !== 'string') return null;
  return { value: v['value'], at: num(v['at']) };
}

function listRegister(v: unknown): Register<string[]> | null {
  if (!isObject(v) || !Array.isArray(v['value'])) return null;
  return { value: strings(v['value']), at: num(v['at']) };
}
