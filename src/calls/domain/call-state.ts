import { type CallPosition, callStateOfEventType } from '../../integrations/dialpad/wire/call-states.js';
import type { CallDirection, DialpadContact, NormalizedEvent } from '../../integrations/dialpad/wire/dialpad-event.js';
import { earliest, largest, latest, smaller } from './order-free.js';

/**
 * The call-status state machine (docs/architecture.md, "Call status") as a pure reducer. Dialpad delivers events
 * late, twice and out of order, so `applyEvent` is built to be commutative and
 * idempotent: folding any arrangement of the same events gives the same row. Every
 * field is merged with an order-free rule (earliest, latest, max, first non-null by a
 * fixed order) and the status is the join of the evidence in a small lattice.
 */

export const CALL_STATUSES = [
  'initiated',
  'queued',
  'ringing',
  'connected',
  'on_hold',
  'parked',
  'ended',
  'missed',
  'unanswered',
  'blocked',
  'voicemail',
] as const;
export type CallStatus = (typeof CALL_STATUSES)[number];

/**
 * The statuses the evidence lattice joins; `on_hold` and `parked` are a `connected` call's position (see below),
 * and `unanswered` is `missed` told apart by the call's conversation (calls/domain/conversation.ts).
 */
type BaseStatus = Exclude<CallStatus, 'on_hold' | 'parked' | 'unanswered'>;

/** The `calls` columns the event processor owns. */
export interface CallSnapshot {
  status: CallStatus;
  direction: CallDirection | null;
  fromNumber: string | null;
  toNumber: string | null;
  dialpadUserId: string | null;
  masterCallId: string | null;
  entryPointCallId: string | null;
  startedAt: Date | null;
  queuedAt: Date | null;
  ringingAt: Date | null;
  connectedAt: Date | null;
  endedAt: Date | null;
  durationMs: number | null;
  recordingUrl: string | null;
  customData: string | null;
  lastEventAt: Date | null;
  /** the caller (inbound) or callee (outbound): the newest contact by Dialpad's event time */
  contact: DialpadContact | null;
  /** the event time of the event `contact` came from (null: an event without a time) */
  contactAt: Date | null;
  /** where a connected call is (talking, on hold, parked): the latest position event's, by Dialpad's event time */
  position: CallPosition | null;
  positionAt: Date | null;
}

const RANK: Readonly<Record<CallStatus, number>> = {
  initiated: 0,
  queued: 1,
  ringing: 2,
  connected: 3,
  on_hold: 3,
  parked: 3,
  ended: 4,
  missed: 4,
  unanswered: 4,
  blocked: 4,
  voicemail: 4,
};

/** initiated < queued < ringing < connected (on hold, parked) < terminal; the terminal statuses share a rank. */
export function statusRank(status: CallStatus): number {
  return RANK[status];
}

export function isTerminalStatus(status: CallStatus): boolean {
  return RANK[status] === 4;
}

/**
 * The statuses strictly above each one. Besides the ranks: a missed call that turns out
 * to have connected is `ended`, a blocked call is a miss Dialpad explains (so it beats
 * `missed`), and a voicemail beats an unanswered end, a miss and a block.
 *
 *   initiated < queued < ringing < connected < ended < voicemail
 *                        ringing < missed < blocked < ended
 */
const ABOVE: Readonly<Record<BaseStatus, readonly BaseStatus[]>> = {
  initiated: ['queued', 'ringing', 'connected', 'missed', 'blocked', 'ended', 'voicemail'],
  queued: ['ringing', 'connected', 'missed', 'blocked', 'ended', 'voicemail'],
  ringing: ['connected', 'missed', 'blocked', 'ended', 'voicemail'],
  connected: ['ended', 'voicemail'],
  missed: ['blocked', 'ended', 'voicemail'],
  blocked: ['ended', 'voicemail'],
  ended: ['voicemail'],
  voicemail: [],
};

/** Least upper bound; `connected` with `missed` or `blocked` are the only pairs with neither above the other. */
function joinStatus(a: BaseStatus, b: BaseStatus): BaseStatus {
  if (a === b || ABOVE[b].includes(a)) return a;
  if (ABOVE[a].includes(b)) return b;
  return 'ended';
}

/** A stored status without the position (on hold and parked are connected) and without the conversation (unanswered is missed). */
function baseOf(status: CallStatus): BaseStatus {
  if (status === 'unanswered') return 'missed';
  return status === 'on_hold' || status === 'parked' ? 'connected' : status;
}

/** What one event says about the status, on its own (the table in wire/call-states.ts). */
function statusEvidence(event: NormalizedEvent): BaseStatus {
  const evidence = callStateOfEventType(event.eventType)?.status ?? null;
  const byType: BaseStatus =
    evidence === null
      ? 'initiated' // recordings, transcriptions, post-call states and unknown types carry no status of their own
      : evidence === 'hangup'
        ? event.neverConnected && event.connectedAt === null
          ? 'missed'
          : 'ended'
        : evidence;
  return event.connectedAt === null ? byType : joinStatus(byType, 'connected');
}

export function applyEvent(current: CallSnapshot | null, event: NormalizedEvent): CallSnapshot {
  const base = current ?? EMPTY;
  const connectedAt = earliest(base.connectedAt, event.connectedAt);
  const endedAt = latest(base.endedAt, event.endedAt);
  const joined = joinStatus(baseOf(base.status), statusEvidence(event));
  // A known connection time settles any terminal outcome as a finished conversation, and a
  // connected call with a known end time (e.g. a recording event before the hangup) is one.
  const settled: BaseStatus = connectedAt !== null && (isTerminalStatus(joined) || endedAt !== null) ? 'ended' : joined;
  const position = latestPosition(base, callStateOfEventType(event.eventType)?.position ?? null, event.eventAt);
  const contact = newestContact(base, event.contact, event.eventAt);
  return {
    // a connected call is where its latest position event put it (talking, on hold, parked)
    status: settled === 'connected' ? (position.position ?? 'connected') : settled,
    direction: smaller(base.direction, event.direction),
    fromNumber: smaller(base.fromNumber, event.fromNumber),
    toNumber: smaller(base.toNumber, event.toNumber),
    dialpadUserId: smaller(base.dialpadUserId, event.dialpadUserId),
    masterCallId: smaller(base.masterCallId, event.masterCallId),
    entryPointCallId: smaller(base.entryPointCallId, event.entryPointCallId),
    startedAt: earliest(base.startedAt, event.startedAt),
    queuedAt: earliest(base.queuedAt, event.queuedAt),
    ringingAt: earliest(base.ringingAt, event.ringingAt),
    connectedAt,
    endedAt,
    durationMs: largest(largest(base.durationMs, event.durationMs), talkTimeMs(connectedAt, endedAt)),
    recordingUrl: smaller(base.recordingUrl, event.recordingUrl),
    customData: smaller(base.customData, event.customData),
    lastEventAt: latest(base.lastEventAt, event.eventAt),
    contact: contact.contact,
    contactAt: contact.contactAt,
    position: position.position,
    positionAt: position.positionAt,
  };
}

const EMPTY: CallSnapshot = {
  status: 'initiated',
  direction: null,
  fromNumber: null,
  toNumber: null,
  dialpadUserId: null,
  masterCallId: null,
  entryPointCallId: null,
  startedAt: null,
  queuedAt: null,
  ringingAt: null,
  connectedAt: null,
  endedAt: null,
  durationMs: null,
  recordingUrl: null,
  customData: null,
  lastEventAt: null,
  contact: null,
  contactAt: null,
  position: null,
  positionAt: null,
};

/**
 * Last-writer-wins registers, kept order-free: the winner is the maximum of a total order
 * (Dialpad's event time, an event without one being the oldest; then a fixed tie-break),
 * so any arrival order and any repetition pick the same one.
 */
const POSITION_TIE: Readonly<Record<CallPosition, number>> = { connected: 0, on_hold: 1, parked: 2 };

function latestPosition(
  base: CallSnapshot,
  position: CallPosition | null,
  at: Date | null,
): { position: CallPosition | null; positionAt: Date | null } {
  if (position === null) return { position: base.position, positionAt: base.positionAt };
  if (base.position === null) return { position, positionAt: at };
  const order = compareTimes(at, base.positionAt) || POSITION_TIE[position] - POSITION_TIE[base.position];
  return order > 0 ? { position, positionAt: at } : { position: base.position, positionAt: base.positionAt };
}

/** The newest contact wins (a contact saved during the call replaces the caller-id guess); ties by content. */
function newestContact(
  base: CallSnapshot,
  contact: DialpadContact | null,
  at: Date | null,
): { contact: DialpadContact | null; contactAt: Date | null } {
  if (contact === null) return { contact: base.contact, contactAt: base.contactAt };
  if (base.contact === null) return { contact, contactAt: at };
  const a = contactKey(contact);
  const b = contactKey(base.contact);
  const order = compareTimes(at, base.contactAt) || (a > b ? 1 : a < b ? -1 : 0);
  return order > 0 ? { contact, contactAt: at } : { contact: base.contact, contactAt: base.contactAt };
}

function contactKey(c: DialpadContact): string {
  return JSON.stringify([c.id, c.name, c.email, c.phone, c.type]);
}

/** null (no event time) is older than any time. */
function compareTimes(a: Date | null, b: Date | null): number {
  return (a?.getTime() ?? -Infinity) - (b?.getTime() ?? -Infinity) || 0;
}

function talkTimeMs(connectedAt: Date | null, endedAt: Date | null): number | null {
  if (connectedAt === null || endedAt === null) return null;
  const ms = endedAt.getTime() - connectedAt.getTime();
  return ms >= 0 ? ms : null;
}
