import { type CallDetails, visibleRecordings } from './domain/call-details.js';

/**
 * A call's details as REST (`GET /api/calls/:id`) and the WebSocket messages show them: one shape for both
 * (docs/wire-protocol.md, "Call details").
 */

export interface RecordingView {
  /** Dialpad's recording id */
  id: string | null;
  /** `callrecording`, `admincallrecording` or `voicemail` (Dialpad's `recording_type`) */
  type: string | null;
  url: string | null;
  duration_ms: number | null;
  started_at: string | null;
}

export interface RecapView {
  summary: string | null;
  outcome: string | null;
  purposes: string[];
  action_items: string[];
}

export interface CsatView {
  /** the caller's survey answer (Dialpad's `csat_score`, a string) */
  score: string | null;
  /** Dialpad's predicted CSAT (the `pcsat` state's score) */
  predicted_score: string | null;
  transcriptions: string[];
  recording_urls: string[];
}

export function recordingsView(details: CallDetails | null, showAdminRecordings: boolean): RecordingView[] {
  if (!details) return [];
  return visibleRecordings(details, showAdminRecordings).map((r) => ({
    id: r.id,
    type: r.type,
    url: r.url,
    duration_ms: r.durationMs,
    started_at: r.startedAt?.toISOString() ?? null,
  }));
}

/** Null when Dialpad sent no recap. */
export function recapView(details: CallDetails | null): RecapView | null {
  if (!details || !(details.recapSummary || details.recapOutcome || details.recapPurposes || details.recapActionItems)) return null;
  return {
    summary: details.recapSummary?.value ?? null,
    outcome: details.recapOutcome?.value ?? null,
    purposes: details.recapPurposes?.value ?? [],
    action_items: details.recapActionItems?.value ?? [],
  };
}

/** Null when Dialpad sent no CSAT. */
export function csatView(details: CallDetails | null): CsatView | null {
  if (!details) return null;
  const { csatScore, predictedCsatScore, csatTranscriptions, csatRecordingUrls } = details;
  if (!csatScore && !predictedCsatScore && csatTranscriptions.length === 0 && csatRecordingUrls.length === 0) return null;
  return {
    score: csatScore?.value ?? null,
    predicted_score: predictedCsatScore?.value ?? null,
    transcriptions: csatTranscriptions,
    recording_urls: csatRecordingUrls,
  };
}
