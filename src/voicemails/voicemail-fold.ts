import type { VoicemailFacts } from '../integrations/dialpad/wire/call-media.js';
import { earliest, largest, smaller } from '../calls/domain/order-free.js';

/**
 * One voicemail per call, exactly once (docs/wire-protocol.md, "Voicemail"): the row exists from the
 * first event that carries the message (its link or its recording), and every later event only fills
 * it in. Each field merges order-free (the smaller of two texts, the longest duration, the earliest
 * time), so any order and any repetition of a call's events give the same row, and exactly one event
 * creates it: that event's message is `voicemail.received`. Pure: no Nest, no I/O.
 */

export interface VoicemailState {
  voicemailUrl: string | null;
  recordingId: string | null;
  transcription: string | null;
  durationMs: number | null;
  receivedAt: Date | null;
  dialpadUserId: string | null;
  fromNumber: string | null;
  toNumber: string | null;
}

/** What one call event says of the voicemail (null facts: the event carries no message). */
export interface VoicemailEvidence {
  facts: VoicemailFacts | null;
  eventAt: Date | null;
  dialpadUserId: string | null;
  fromNumber: string | null;
  toNumber: string | null;
}

/** `received`: this event created the voicemail; `updated`: it changed it; null: nothing new. */
export type VoicemailChange = 'received' | 'updated' | null;

export function foldVoicemail(current: VoicemailState | null, e: VoicemailEvidence): { state: VoicemailState | null; change: VoicemailChange } {
  if (e.facts === null) return { state: current, change: null };
  const next: VoicemailState = {
    voicemailUrl: smaller(current?.voicemailUrl ?? null, e.facts.url),
    recordingId: smaller(current?.recordingId ?? null, e.facts.recordingId),
    transcription: smaller(current?.transcription ?? null, e.facts.transcription),
    durationMs: largest(current?.durationMs ?? null, e.facts.durationMs),
    receivedAt: earliest(current?.receivedAt ?? null, e.eventAt),
    dialpadUserId: smaller(current?.dialpadUserId ?? null, e.dialpadUserId),
    fromNumber: smaller(current?.fromNumber ?? null, e.fromNumber),
    toNumber: smaller(current?.toNumber ?? null, e.toNumber),
  };
  if (current === null) return { state: next, change: 'received' };
  return { state: next, change: sameVoicemail(current, next) ? null : 'updated' };
}

function sameVoicemail(a: VoicemailState, b: VoicemailState): boolean {
  return (
    a.voicemailUrl === b.voicemailUrl &&
    a.recordingId === b.recordingId &&
    a.transcription === b.transcription &&
    a.durationMs === b.durationMs &&
    a.receivedAt?.getTime() === b.receivedAt?.getTime() &&
    a.dialpadUserId === b.dialpadUserId &&
    a.fromNumber === b.fromNumber &&
    a.toNumber === b.toNumber
  );
}
