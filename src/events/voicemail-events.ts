import type { PoolClient } from 'pg';
import type { AppId } from '../common/app-id.js';
import { readVoicemail } from '../integrations/dialpad/wire/call-media.js';
import type { NormalizedEvent } from '../integrations/dialpad/wire/dialpad-event.js';
import { isJsonObject } from '../integrations/dialpad/wire/payload-readers.js';
import { parseJsonLossless } from '../common/lossless-json.js';
import { foldVoicemail, type VoicemailChange, type VoicemailState } from '../voicemails/voicemail-fold.js';
import { type VoicemailRow, VoicemailsRepository, type VoicemailWrite, voicemailStateOf } from '../voicemails/voicemails.repository.js';

/** A voicemail event of one call, in the order the batch applies it. */
export interface VoicemailItem {
  eventId: string;
  appId: AppId;
  event: NormalizedEvent;
  payloadJson: string;
  crmUserId: string | null;
}

/** What a voicemail event did: the call's voicemail after it (null: none yet) and whether it created or changed it. */
export interface VoicemailOutcome {
  voicemail: VoicemailRow | null;
  change: VoicemailChange;
}

/**
 * The voicemails of a batch with two statements (docs/wire-protocol.md, "Voicemail"): read the calls'
 * stored voicemails, fold each call's voicemail events in order (voicemails/voicemail-fold.ts), write
 * every changed voicemail at once. The callers hold the calls' row locks.
 */
export async function applyVoicemailEvents(
  client: PoolClient,
  repo: VoicemailsRepository,
  items: VoicemailItem[],
): Promise<Map<string, VoicemailOutcome>> {
  const outcomes = new Map<string, VoicemailOutcome>();
  if (items.length === 0) return outcomes;
  const keyOf = (appId: string, callId: string) => `${appId}/${callId}`;
  const stored = new Map<string, VoicemailRow>();
  const keys = [...new Map(items.map((i) => [keyOf(i.appId, i.event.dialpadCallId), { appId: i.appId, dialpadCallId: i.event.dialpadCallId }])).values()];
  for (const row of await repo.findForCalls(client, keys)) stored.set(keyOf(row.app_id, row.dialpad_call_id), row);

  const states = new Map<string, { state: VoicemailState | null; write: VoicemailWrite | null; newestAt: number }>();
  const steps: { item: VoicemailItem; key: string; state: VoicemailState | null; change: VoicemailChange }[] = [];
  for (const item of items) {
    const key = keyOf(item.appId, item.event.dialpadCallId);
    const before = states.get(key) ?? { state: stored.has(key) ? voicemailStateOf(stored.get(key)!) : null, write: null, newestAt: -Infinity };
    const payload: unknown = parseJsonLossless(item.payloadJson);
    const { state, change } = foldVoicemail(before.state, {
      facts: isJsonObject(payload) ? readVoicemail(payload) : null,
      eventAt: item.event.eventAt ?? item.event.endedAt,
      dialpadUserId: item.event.dialpadUserId,
      fromNumber: item.event.fromNumber,
      toNumber: item.event.toNumber,
    });
    let { write, newestAt } = before;
    if (change !== null && state !== null) {
      // raw_payload: the newest (by Dialpad's time) event that contributed to the voicemail
      const at = item.event.eventAt?.getTime() ?? 0;
      const payloadJson = at >= newestAt ? item.payloadJson : (write?.rawPayloadJson ?? null);
      newestAt = Math.max(newestAt, at);
      write = { appId: item.appId, dialpadCallId: item.event.dialpadCallId, state, crmUserId: item.crmUserId, rawPayloadJson: payloadJson };
    }
    states.set(key, { state, write, newestAt });
    steps.push({ item, key, state, change });
  }

  const written = new Map<string, VoicemailRow>();
  const writes = [...states.values()].flatMap((s) => (s.write ? [s.write] : []));
  for (const row of await repo.upsertMany(client, writes)) written.set(keyOf(row.app_id, row.dialpad_call_id), row);
  for (const { item, key, state, change } of steps) {
    const row = written.get(key) ?? stored.get(key) ?? null;
    // the row as it stood right after this event (a later event of the batch may have filled it in more)
    outcomes.set(item.eventId, { voicemail: row && state ? { ...row, ...rowFieldsOf(state) } : null, change });
  }
  return outcomes;
}

function rowFieldsOf(s: VoicemailState): Partial<VoicemailRow> {
  return {
    voicemail_url: s.voicemailUrl,
    recording_id: s.recordingId,
    transcription: s.transcription,
    duration_ms: s.durationMs,
    dialpad_user_id: s.dialpadUserId,
    from_number: s.fromNumber,
    to_number: s.toNumber,
  };
}
