import type { CallStatus } from './call-state.js';

/**
 * Conversations (docs/architecture.md, "Conversations"): Dialpad splits one caller's call into legs
 * (an entry-point call, one leg per ring-group member or queue agent, a leg per transfer) linked by
 * `entry_point_call_id` and `master_call_id`. A conversation is those legs together; its outcome is
 * computed once, here, from all of them. Pure: no Nest, no I/O.
 */

/**
 * The conversation a call belongs to: its entry-point call, else its master call, else itself (a lone
 * call). The same expression is the generated column `calls.conversation_id` (migration
 * 1732230800000-conversations): a function of the row's own ids, so it converges under any event order.
 */
export function conversationIdOf(dialpadCallId: string, masterCallId: string | null, entryPointCallId: string | null): string {
  return entryPointCallId ?? masterCallId ?? dialpadCallId;
}

/** A leg: a call whose conversation is another call. */
export function isLeg(dialpadCallId: string, masterCallId: string | null, entryPointCallId: string | null): boolean {
  return conversationIdOf(dialpadCallId, masterCallId, entryPointCallId) !== dialpadCallId;
}

/**
 * The status a call shows once its conversation is known: a leg that rang and ended unanswered is
 * `unanswered`, never `missed` (a ring-group member who did not pick up did not miss the caller: the
 * conversation did, or did not). The conversation's own call (its root) is `missed` only when no leg
 * of the conversation connected; CallsRepository.settleRoots applies that half, across rows.
 */
export function legStatus(status: CallStatus, dialpadCallId: string, masterCallId: string | null, entryPointCallId: string | null): CallStatus {
  return status === 'missed' && isLeg(dialpadCallId, masterCallId, entryPointCallId) ? 'unanswered' : status;
}

export const CONVERSATION_OUTCOMES = ['answered', 'voicemail', 'missed', 'blocked', 'in_progress'] as const;
export type ConversationOutcome = (typeof CONVERSATION_OUTCOMES)[number];

/** What the outcome reads of each leg. */
export interface LegFacts {
  dialpadCallId: string;
  status: CallStatus;
  dialpadUserId: string | null;
  startedAt: Date | null;
  ringingAt: Date | null;
  connectedAt: Date | null;
  createdAt: Date;
}

const LIVE: ReadonlySet<CallStatus> = new Set(['initiated', 'queued', 'ringing', 'connected', 'on_hold', 'parked']);

/**
 * The legs in the order they happened: by start (else first ring, else when we first heard of the
 * leg), then by Dialpad's call id (numerically), so the order does not depend on arrival.
 */
export function orderLegs<L extends LegFacts>(legs: readonly L[]): L[] {
  const at = (l: L) => (l.startedAt ?? l.ringingAt ?? l.createdAt).getTime();
  return [...legs].sort((a, b) => at(a) - at(b) || a.dialpadCallId.length - b.dialpadCallId.length || (a.dialpadCallId < b.dialpadCallId ? -1 : a.dialpadCallId > b.dialpadCallId ? 1 : 0));
}

/**
 * The conversation's outcome, in this order:
 * - `answered`: a leg connected; `answeredBy` is the first leg to connect that targets a user (else the first to connect);
 * - `voicemail`: nobody answered and the caller left a message (a voicemail row exists: a greeting hung up on leaves none);
 * - `in_progress`: nobody answered yet and a leg is still live;
 * - `blocked`: nobody answered and Dialpad blocked the caller;
 * - `missed`: every leg ended and nobody answered.
 */
export function conversationOutcome<L extends LegFacts>(legs: readonly L[], hasVoicemail: boolean): { outcome: ConversationOutcome; answeredBy: L | null } {
  const connected = [...legs]
    .filter((l) => l.connectedAt !== null)
    .sort((a, b) => a.connectedAt!.getTime() - b.connectedAt!.getTime() || (a.dialpadCallId < b.dialpadCallId ? -1 : 1));
  if (connected.length > 0) return { outcome: 'answered', answeredBy: connected.find((l) => l.dialpadUserId !== null) ?? connected[0]! };
  if (hasVoicemail) return { outcome: 'voicemail', answeredBy: null };
  if (legs.some((l) => LIVE.has(l.status))) return { outcome: 'in_progress', answeredBy: null };
  if (legs.some((l) => l.status === 'blocked')) return { outcome: 'blocked', answeredBy: null };
  return { outcome: 'missed', answeredBy: null };
}
