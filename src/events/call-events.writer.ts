import { Injectable } from '@nestjs/common';
import type { AppId } from '../common/app-id.js';
import type { PoolClient } from 'pg';
import { compareBigintIds } from '../common/ids.js';
import { CallKey, callKey, CallRow, CallsRepository, CallUpdate, snapshotOf } from '../calls/calls.repository.js';
import { UserMappingLookup } from '../user-mapping/user-mapping.lookup.js';
import { VoicemailRow, VoicemailsRepository } from '../voicemails/voicemails.repository.js';
import { applyEvent, CallSnapshot } from '../calls/domain/call-state.js';
import { callStateOfEventType } from '../integrations/dialpad/wire/call-states.js';
import type { NormalizedEvent } from '../integrations/dialpad/wire/dialpad-event.js';

export type CallEventKind = 'call' | 'voicemail';

export interface CallWriteItem {
  /** webhook_events.id */
  eventId: string;
  appId: AppId;
  event: NormalizedEvent;
  kind: CallEventKind;
  payloadJson: string;
}

export interface CallWriteResult {
  /** the call as it stood right after this event (status and fields at that moment) */
  call: CallRow;
  voicemail: VoicemailRow | null;
}

/**
 * event_type → what it changes: the table of Dialpad call states (wire/call-states.ts). Types
 * not in it (unknown states) are stored and marked processed, nothing else (docs/wire-protocol.md,
 * "Dialpad call states").
 */
export function callEventKind(eventType: string): CallEventKind | undefined {
  const row = callStateOfEventType(eventType);
  if (!row) return undefined;
  return row.voicemail ? 'voicemail' : 'call';
}

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

  async apply(client: PoolClient, items: CallWriteItem[]): Promise<Map<string, CallWriteResult>> {
    const results = new Map<string, CallWriteResult>();
    if (items.length === 0) return results;
    const groups = new Map<string, { key: CallKey; items: CallWriteItem[] }>();
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
      const steps: { item: CallWriteItem; snapshot: CallSnapshot }[] = [];
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
function newestPayload(before: CallRow | null, items: CallWriteItem[]): string | null {
  let best: CallWriteItem | null = null;
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
    queued_at: s.queuedAt,
    ringing_at: s.ringingAt,
    connected_at: s.connectedAt,
    ended_at: s.endedAt,
    duration_ms: s.durationMs,
    recording_url: s.recordingUrl,
    custom_data: s.customData,
    last_event_at: s.lastEventAt,
    contact_id: s.contact?.id ?? null,
    contact_name: s.contact?.name ?? null,
    contact_email: s.contact?.email ?? null,
    contact_phone: s.contact?.phone ?? null,
    contact_type: s.contact?.type ?? null,
    contact_at: s.contactAt,
    position: s.position,
    position_at: s.positionAt,
  };
}

