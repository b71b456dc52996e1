import { Injectable } from '@nestjs/common';
import type { AppId } from '../common/app-id.js';
import type { PoolClient } from 'pg';
import { compareBigintIds } from '../common/ids.js';
import { CallKey, callKey, CallRow, CallsRepository, CallUpdate, snapshotOf } from '../calls/calls.repository.js';
import { UserMappingLookup } from '../user-mapping/user-mapping.lookup.js';
import { VoicemailRow, VoicemailsRepository } from '../voicemails/voicemails.repository.js';
import { applyEvent, CallSnapshot } from '../calls/domain/call-state.js';
import { EventTypes, NormalizedEvent } from '../integrations/dialpad/wire/dialpad-event.js';

export type EventKind = 'call' | 'voicemail';

export interface WriteItem {
  /** webhook_events.id */
  /** webhook_events.id */
  eventId: string;
  appId: AppId;
  event: NormalizedEvent;
  kind: EventKind;
  payloadJson: string;
}

export interface WriteResult {
  /** the call as it stood right after this event (status and fields at that moment) */
  call: CallRow;
  voicemail: VoicemailRow | null;
}

/** event_type → what it changes. Types not listed are stored and marked processed, nothing else (docs/wire-protocol.md, "Event types"). */
const KINDS: ReadonlyMap<string, EventKind> = new Map([
  [EventTypes.started, 'call'],
  [EventTypes.ring, 'call'],
  [EventTypes.connected, 'call'],
  [EventTypes.ended, 'call'],
  [EventTypes.missed, 'call'],
  [EventTypes.recording, 'call'],
  [EventTypes.hold, 'call'],
  [EventTypes.transcription, 'call'],
  [EventTypes.voicemail, 'voicemail'],
]);

/**
 * Applies a batch of call events with a constant number of statements: lock (or
 * create) every call row of the batch, fold each call's events through the state
 * machine in memory, look up the CRM users, write every call back at once. The
 * processor also runs it with one event at a time, in a savepoint, to isolate a
 * failure — one code path either way.
 */
@Injectable()
export class CallEventsWriter {
  constructor(
    private readonly calls: CallsRepository,
    private readonly voicemails: VoicemailsRepository,
    private readonly mappings: UserMappingLookup,
  ) {}

  kindOf(eventType: string): EventKind | undefined {
    return KINDS.get(eventType);
  }

  async apply(client: PoolClient, items: WriteItem[]): Promise<Map<string, WriteResult>> {
    const results = new Map<string, WriteResult>();
    if (items.length === 0) return results;
    const groups = new Map<string, { key: CallKey; items: WriteItem[] }>();
    for (const item of [...items].sort((a, b) => compareBigintIds(a.eventId, b.eventId))) {
      const key = { appId: item.appId, dialpadCallId: item.event.dialpadCallId };
      const k = callKey(key);
      const group = groups.get(k) ?? { key, items: [] };
      group.items.push(item);
      groups.set(k, group);
    }
    const current = await this.calls.lockMany(client, [...groups.values()].map((g) => g.key));

    const folded = [...groups].map(([k, g]) => {
      const before = current.get(k) ?? null;
      let snapshot: CallSnapshot | null = before ? snapshotOf(before) : null;
      const steps: { item: WriteItem; snapshot: CallSnapshot }[] = [];
      for (const item of g.items) {
        snapshot = applyEvent(snapshot, item.event);
        steps.push({ item, snapshot });
      }
      return { k, key: g.key, before, steps, final: snapshot! };
    });

    const users = folded.filter((f) => f.final.dialpadUserId).map((f) => ({ appId: f.key.appId, dialpadUserId: f.final.dialpadUserId! }));
    const crmUsers = await this.mappings.crmUsersFor(client, users);
    const crmOf = (f: (typeof folded)[number]) => (f.final.dialpadUserId ? (crmUsers.get(`${f.key.appId}/${f.final.dialpadUserId}`) ?? null) : null);

    const updates: CallUpdate[] = folded.map((f) => ({
      ...f.key,
      snapshot: f.final,
      crmUserId: crmOf(f),
      rawPayloadJson: newestPayload(f.before, f.steps.map((s) => s.item)),
    }));
    const written = await this.calls.writeMany(client, updates);

    for (const f of folded) {
      const row = written.get(f.k)!;
      for (const { item, snapshot } of f.steps) {
        const call = { ...row, ...rowFields(snapshot) };
        const voicemail =
          item.kind === 'voicemail'
            ? await this.voicemails.upsertFromEvent(client, item.appId, item.event, row.crm_user_id, item.payloadJson)
            : null;
        results.set(item.eventId, { call, voicemail });
      }
    }
    return results;
  }
}

/** raw_payload keeps the newest event's payload (by Dialpad's event time); null keeps the stored one. */
function newestPayload(before: CallRow | null, items: WriteItem[]): string | null {
  let best: WriteItem | null = null;
  for (const item of items) {
    if (!best || (item.event.eventAt?.getTime() ?? 0) >= (best.event.eventAt?.getTime() ?? 0)) best = item;
  }
  if (!best) return null;
  const storedAt = before?.last_event_at?.getTime();
  const bestAt = best.event.eventAt?.getTime();
  return storedAt === undefined || bestAt === undefined || bestAt >= storedAt ? best.payloadJson : null;
}

function rowFields(s: CallSnapshot): Partial<CallRow> {
  return {
    status: s.status,
    direction: s.direction,
    from_number: s.fromNumber,
    to_number: s.toNumber,
    dialpad_user_id: s.dialpadUserId,
    master_call_id: s.masterCallId,
    entry_point_call_id: s.entryPointCallId,
    started_at: s.startedAt,
    ringing_at: s.ringingAt,
    connected_at: s.connectedAt,
    ended_at: s.endedAt,
    duration_ms: s.durationMs,
    recording_url: s.recordingUrl,
    custom_data: s.customData,
    last_event_at: s.lastEventAt,
  };
}

