import { Injectable } from '@nestjs/common';
import type { AppId } from '../common/app-id.js';
import type { PoolClient } from 'pg';
import { compareBigintIds } from '../common/ids.js';
import { CallKey, callKey, CallRow, CallsRepository, CallUpdate, snapshotOf } from '../calls/calls.repository.js';
import { UserMappingLookup } from '../user-mapping/user-mapping.lookup.js';
import { VoicemailRow, VoicemailsRepository } from '../voicemails/voicemails.repository.js';
import type { VoicemailChange } from '../voicemails/voicemail-fold.js';
import { applyEvent, CallSnapshot } from '../calls/domain/call-state.js';
import { conversationIdOf, legStatus } from '../calls/domain/conversation.js';
import { applyVoicemailEvents } from './voicemail-events.js';
import { CallDetailsRepository, type CallDetailsWrite } from '../calls/call-details.repository.js';
import { type CallDetails, foldCallDetails, newestCallRecordingUrl } from '../calls/domain/call-details.js';
import type { CallInsightsEvidence } from '../integrations/dialpad/wire/call-insights.js';
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
  /** webhook_events.received_at exactly, as text (with eventId, the stored row's key: calls.raw_payload is copied from it) */
  receivedAt: string;
  /** what the event says beyond the status (recordings, transcript, recap, CSAT, labels, times); null: nothing */
  insights: CallInsightsEvidence | null;
}

export interface CallWriteResult {
  /** the call as it stood right after this event (status and fields at that moment) */
  call: CallRow;
  voicemail: VoicemailRow | null;
  /** voicemail events: whether this event created the voicemail (its message is `voicemail.received`) or changed it */
  voicemailChange: VoicemailChange;
  /** the call's details right after this event, when the event brought any (else null: not read) */
  details: CallDetails | null;
  /** whether this event changed the details */
  detailsChanged: boolean;
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
    private readonly details: CallDetailsRepository,
  ) {}

  async apply(client: PoolClient, items: CallWriteItem[]): Promise<Map<string, CallWriteResult>> {
    const results = new Map<string, CallWriteResult>();
    if (items.length === 0) return results;
    const groups = new Map<string, CallGroup>();
    for (const item of [...items].sort((a, b) => compareBigintIds(a.eventId, b.eventId))) {
      const key = { appId: item.appId, dialpadCallId: item.event.dialpadCallId };
      const k = callKey(key);
      const group = groups.get(k) ?? { key, items: [] };
      group.items.push(item);
      groups.set(k, group);
    }
    // 1. read the stored rows and plan on them; 2. insert the new calls whole; 3. lock the others, and plan again
    // the calls whose row changed since the read (or was inserted by another batch meanwhile: the INSERT waited
    // for it). Inserts before locks, in key order each: the order that keeps concurrent batches deadlock-free.
    const keys = [...groups.values()].map((g) => g.key);
    const read = await this.calls.findMany(client, keys, false);
    let plan = await this.plan(client, groups, read);
    const written: Map<string, CallRow> = await this.calls.insertMany(client, plan.updates.filter((u) => plan.fresh.has(callKey(u))));
    const locked = await this.calls.findMany(client, keys.filter((k) => !written.has(callKey(k))), true);
    // changed since the read, inserted by another batch since (the INSERT waited for it), or gone since (deleted)
    const stale = keys.map(callKey).filter((k) => !written.has(k) && read.get(k)?.row_version !== locked.get(k)?.row_version);
    if (stale.length > 0) {
      const again = await this.plan(client, new Map(stale.map((k) => [k, groups.get(k)!])), locked);
      plan = mergePlans(plan, again);
      // a row deleted since the read (retention) is stored anew; rare enough to come after the locks
      const gone = again.updates.filter((u) => again.fresh.has(callKey(u)));
      for (const [k, row] of await this.calls.insertMany(client, gone)) written.set(k, row);
      // stored again by another batch in between: fail this batch (nothing commits); it runs again
      if (gone.some((u) => !written.has(callKey(u)))) throw new Error('a call was deleted and stored again while its events were processed');
    }
    for (const [k, row] of await this.calls.writeMany(client, plan.updates.filter((u) => !written.has(callKey(u))))) written.set(k, row);
    const { folded, details } = plan;
    await this.details.upsertMany(client, details.writes);
    const settled = await this.calls.settleRoots(client, rootsToSettle(folded));

    const voicemailItems = folded.flatMap((f) =>
      f.steps.filter((s) => s.item.kind === 'voicemail').map((s) => ({ ...s.item, crmUserId: written.get(f.k)!.crm_user_id })),
    );
    const voicemails = await applyVoicemailEvents(client, this.voicemails, voicemailItems);

    for (const f of folded) {
      const row = written.get(f.k)!;
      const rootStatus = settled.get(f.k);
      for (const { item, snapshot } of f.steps) {
        const call = { ...row, ...rowFields(snapshot) };
        // a root settled across rows: its steps that said `missed` say what the conversation made of it
        if (rootStatus && (call.status === 'missed' || call.status === 'unanswered')) call.status = rootStatus;
        const vm = voicemails.get(item.eventId);
        const d = details.steps.get(item.eventId);
        results.set(item.eventId, {
          call,
          voicemail: vm?.voicemail ?? null,
          voicemailChange: vm?.change ?? null,
          details: d?.details ?? null,
          detailsChanged: d?.changed ?? false,
        });
      }
    }
    return results;
  }

  /**
   * Folds each call's events onto its stored row (`current`; absent: a new call), with the details and the CRM
   * users they need: what apply writes. Reads only: first on the rows read without a lock, then again for the calls
   * whose row changed before this batch locked it. That second pass reads the calls' details again too, and must:
   * the batch that changed the row held its lock while it wrote the details.
   */
  private async plan(client: PoolClient, groups: Map<string, CallGroup>, current: Map<string, CallRow>): Promise<WritePlan> {
    const folded: FoldedCall[] = [...groups].map(([k, g]) => {
      const before = current.get(k) ?? null;
      let snapshot: CallSnapshot | null = before ? snapshotOf(before) : null;
      const steps: { item: CallWriteItem; snapshot: CallSnapshot }[] = [];
      for (const item of g.items) {
        snapshot = applyEvent(snapshot, item.event);
        steps.push({ item, snapshot: withConversation(snapshot, g.key.dialpadCallId) });
      }
      return { k, key: g.key, before, steps, final: withConversation(snapshot!, g.key.dialpadCallId) };
    });

    const details = await this.foldDetails(client, folded);

    const users = folded.filter((f) => f.final.dialpadUserId).map((f) => ({ appId: f.key.appId, dialpadUserId: f.final.dialpadUserId! }));
    const crmUsers = await this.mappings.crmUsersFor(client, users);
    const crmOf = (f: FoldedCall) => (f.final.dialpadUserId ? (crmUsers.get(`${f.key.appId}/${f.final.dialpadUserId}`) ?? null) : null);

    const updates: CallUpdate[] = folded.map((f) => ({
      ...f.key,
      snapshot: f.final,
      crmUserId: crmOf(f),
      rawPayloadFrom: newestPayload(f.before, f.steps.map((s) => s.item)),
    }));
    return { folded, details, updates, fresh: new Set(folded.filter((f) => f.before === null).map((f) => f.k)) };
  }

  /**
   * Folds the details of the batch's calls that got any (one read; the caller writes them in one statement),
   * and makes each such call's `recording_url` its newest call recording (it replaces the folded snapshots).
   */
  private async foldDetails(
    client: PoolClient,
    folded: FoldedCall[],
  ): Promise<{ writes: CallDetailsWrite[]; steps: Map<string, { details: CallDetails; changed: boolean }> }> {
    const writes: CallDetailsWrite[] = [];
    const steps = new Map<string, { details: CallDetails; changed: boolean }>();
    const touched = folded.filter((f) => f.steps.some((s) => s.item.insights !== null));
    if (touched.length === 0) return { writes, steps };
    const stored = await this.details.findForCalls(client, touched.map((f) => f.key));
    for (const f of touched) {
      let current = stored.get(f.k) ?? null;
      let changedAny = false;
      for (const step of f.steps) {
        const insights = step.item.insights;
        if (insights === null) continue;
        const { details, changed } = foldCallDetails(current, insights, step.item.event.eventAt);
        current = details;
        changedAny ||= changed;
        steps.set(step.item.eventId, { details, changed });
        step.snapshot = withRecording(step.snapshot, details);
      }
      if (current) f.final = withRecording(f.final, current);
      if (changedAny && current) writes.push({ ...f.key, details: current });
    }
    return { writes, steps };
  }
}

/** A call's events folded in a batch: the row before, each event's snapshot, the final snapshot. */
interface FoldedCall {
  k: string;
  key: CallKey;
  before: CallRow | null;
  steps: { item: CallWriteItem; snapshot: CallSnapshot }[];
  final: CallSnapshot;
}

interface CallGroup {
  key: CallKey;
  items: CallWriteItem[];
}

/** What apply writes for a set of calls: the folds, the details, the rows; `fresh`: the calls not stored yet (by key). */
interface WritePlan {
  folded: FoldedCall[];
  details: { writes: CallDetailsWrite[]; steps: Map<string, { details: CallDetails; changed: boolean }> };
  updates: CallUpdate[];
  fresh: Set<string>;
}

/** `plan` with the calls of `again` (planned anew onto rows stored since) taking the place of their first plan. */
function mergePlans(plan: WritePlan, again: WritePlan): WritePlan {
  const redone = new Set(again.folded.map((f) => f.k));
  const steps = new Map(plan.details.steps);
  for (const f of plan.folded) if (redone.has(f.k)) for (const s of f.steps) steps.delete(s.item.eventId);
  for (const [eventId, step] of again.details.steps) steps.set(eventId, step);
  return {
    folded: [...plan.folded.filter((f) => !redone.has(f.k)), ...again.folded],
    details: { writes: [...plan.details.writes.filter((w) => !redone.has(callKey(w))), ...again.details.writes], steps },
    updates: [...plan.updates.filter((u) => !redone.has(callKey(u))), ...again.updates],
    fresh: new Set([...plan.fresh].filter((k) => !redone.has(k))),
  };
}

/** A call with recordings in its details shows the newest call recording (admin and voicemail recordings never). */
function withRecording(s: CallSnapshot, details: CallDetails): CallSnapshot {
  const url = newestCallRecordingUrl(details);
  return url === null || url === s.recordingUrl ? s : { ...s, recordingUrl: url };
}

/** The snapshot with the status its conversation gives it (a leg's miss is `unanswered`: calls/domain/conversation.ts). */
function withConversation(s: CallSnapshot, dialpadCallId: string): CallSnapshot {
  const status = legStatus(s.status, dialpadCallId, s.masterCallId, s.entryPointCallId);
  return status === s.status ? s : { ...s, status };
}

/**
 * The conversations whose root status may change now: a root that is `missed` (did a leg connect?),
 * and the root of a leg that has just connected (its root's miss becomes `unanswered`).
 */
function rootsToSettle(folded: { key: CallKey; before: CallRow | null; final: CallSnapshot }[]): CallKey[] {
  const roots = new Map<string, CallKey>();
  for (const { key, before, final } of folded) {
    const conversationId = conversationIdOf(key.dialpadCallId, final.masterCallId, final.entryPointCallId);
    const root = { appId: key.appId, dialpadCallId: conversationId };
    if (conversationId === key.dialpadCallId ? final.status === 'missed' : final.connectedAt !== null && before?.connected_at == null) {
      roots.set(callKey(root), root);
    }
  }
  return [...roots.values()];
}

/** raw_payload keeps the newest event's payload (by Dialpad's event time): that event's stored row; null keeps the stored one. */
function newestPayload(before: CallRow | null, items: CallWriteItem[]): CallUpdate['rawPayloadFrom'] {
  let best: CallWriteItem | null = null;
  for (const item of items) {
    if (!best || (item.event.eventAt?.getTime() ?? 0) >= (best.event.eventAt?.getTime() ?? 0)) best = item;
  }
  if (!best) return null;
  const storedAt = before?.last_event_at?.getTime();
  const bestAt = best.event.eventAt?.getTime();
  return storedAt === undefined || bestAt === undefined || bestAt >= storedAt ? { eventId: best.eventId, receivedAt: best.receivedAt } : null;
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

