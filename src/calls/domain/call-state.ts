import { type CallDirection, EventTypes, type NormalizedEvent } from '../../integrations/dialpad/wire/dialpad-event.js';

/**
 * The call-status state machine (docs/architecture.md, "Call status") as a pure reducer. Dialpad delivers events
 * late, twice and out of order, so `applyEvent` is built to be commutative and
 * idempotent: folding any arrangement of the same events gives the same row. Every
 * field is merged with an order-free rule (earliest, latest, max, first non-null by a
 * fixed order) and the status is the join of the evidence in a small lattice.
 */

export const CALL_STATUSES = ['initiated', 'ringing', 'connected', 'ended', 'missed', 'voicemail'] as const;
export type CallStatus = (typeof CALL_STATUSES)[number];

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
  ringingAt: Date | null;
  connectedAt: Date | null;
  endedAt: Date | null;
  durationMs: number | null;
  recordingUrl: string | null;
  customData: string | null;
  lastEventAt: Date | null;
}

const RANK: Readonly<Record<CallStatus, number>> = {
  initiated: 0,
  ringing: 1,
  connected: 2,
  ended: 3,
  missed: 3,
  voicemail: 3,
};

/** initiated < ringing < connected < terminal; the three terminal statuses share a rank. */
export function statusRank(status: CallStatus): number {
  return RANK[status];
}

export function isTerminalStatus(status: CallStatus): boolean {
  return RANK[status] === 3;
}

/**
 * The statuses strictly above each one. Besides the ranks: a missed call that turns out
 * to have connected is `ended`, and a voicemail beats both an unanswered end and a miss.
 *
 *   initiated < ringing < connected < ended < voicemail
 *               ringing < missed    < ended
 */
const ABOVE: Readonly<Record<CallStatus, readonly CallStatus[]>> = {
  initiated: ['ringing', 'connected', 'missed', 'ended', 'voicemail'],
  ringing: ['connected', 'missed', 'ended', 'voicemail'],
  connected: ['ended', 'voicemail'],
  missed: ['ended', 'voicemail'],
  ended: ['voicemail'],
  voicemail: [],
};

/** Least upper bound; `connected` and `missed` are the only pair with neither above the other. */
function joinStatus(a: CallStatus, b: CallStatus): CallStatus {
  if (a === b || ABOVE[b].includes(a)) return a;
  if (ABOVE[a].includes(b)) return b;
  return 'ended';
}

/** What one event says about the status, on its own. */
function statusEvidence(event: NormalizedEvent): CallStatus {
  const byType = ((): CallStatus => {
    switch (event.eventType) {
      case EventTypes.started:
        return 'initiated';
      case EventTypes.ring:
        return 'ringing';
      case EventTypes.connected:
        return 'connected';
      case EventTypes.ended:
        return event.neverConnected && event.connectedAt === null ? 'missed' : 'ended';
      case EventTypes.missed:
        return 'missed';
      case EventTypes.voicemail:
        return 'voicemail';
      default:
        // Recordings, holds, transcriptions and unknown states carry no status of their own.
        return 'initiated';
    }
  })();
  return event.connectedAt === null ? byType : joinStatus(byType, 'connected');
}

export function applyEvent(current: CallSnapshot | null, event: NormalizedEvent): CallSnapshot {
  const base = current ?? EMPTY;
  const connectedAt = earliest(base.connectedAt, event.connectedAt);
  const endedAt = latest(base.endedAt, event.endedAt);
  const joined = joinStatus(base.status, statusEvidence(event));
  return {
    // A known connection time settles any terminal outcome as a finished conversation, and a
    // connected call with a known end time (e.g. a recording event before the hangup) is one.
    status: connectedAt !== null && (isTerminalStatus(joined) || endedAt !== null) ? 'ended' : joined,
    direction: fill(base.direction, event.direction),
    fromNumber: fill(base.fromNumber, event.fromNumber),
    toNumber: fill(base.toNumber, event.toNumber),
    dialpadUserId: fill(base.dialpadUserId, event.dialpadUserId),
    masterCallId: fill(base.masterCallId, event.masterCallId),
    entryPointCallId: fill(base.entryPointCallId, event.entryPointCallId),
    startedAt: earliest(base.startedAt, event.startedAt),
    ringingAt: earliest(base.ringingAt, event.ringingAt),
    connectedAt,
    endedAt,
    durationMs: largest(largest(base.durationMs, event.durationMs), talkTimeMs(connectedAt, endedAt)),
    recordingUrl: fill(base.recordingUrl, event.recordingUrl),
    customData: fill(base.customData, event.customData),
    lastEventAt: latest(base.lastEventAt, event.eventAt),
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
  ringingAt: null,
  connectedAt: null,
  endedAt: null,
  durationMs: null,
  recordingUrl: null,
  customData: null,
  lastEventAt: null,
};

/**
 * Null never overwrites a value. Two different values for one call (which Dialpad
 * should not send) resolve to the smaller, so the outcome does not depend on order.
 */
function fill<T extends string>(a: T | null, b: T | null): T | null {
  if (a === null) return b;
  if (b === null) return a;
  return b < a ? b : a;
}

function earliest(a: Date | null, b: Date | null): Date | null {
  if (a === null) return b;
  if (b === null) return a;
  return b.getTime() < a.getTime() ? b : a;
}

function latest(a: Date | null, b: Date | null): Date | null {
  if (a === null) return b;
  if (b === null) return a;
  return b.getTime() > a.getTime() ? b : a;
}

/**
 * The largest duration seen. Taking the maximum (rather than "the last one") keeps the
 * fold order-free, and early events' running figures can only undercount.
 */
function largest(a: number | null, b: number | null): number | null {
  if (a === null) return b;
  if (b === null) return a;
  return Math.max(a, b);
}

function talkTimeMs(connectedAt: Date | null, endedAt: Date | null): number | null {
  if (connectedAt === null || endedAt === null) return null;
  const ms = endedAt.getTime() - connectedAt.getTime();
  return ms >= 0 ? ms : null;
}
