import { parseJsonLossless } from '../common/lossless-json.js';
import { type CallInsightsEvidence, hasInsights, readCallInsights } from '../integrations/dialpad/wire/call-insights.js';
import { normalizeWebhookEvent } from '../integrations/dialpad/wire/webhook-event.js';
import { callEventKind } from './call-events.writer.js';
import type { WriteItem, WriteResult } from './event-writer.js';
import type { ClaimedEvent } from './events.repository.js';
import type { ProcessedEvent } from './processed-events.bus.js';

// A claimed batch made ready for the writer: parsed and normalised, pure (no I/O).

/** A claimed event the writer can take, with the row it was claimed as. */
export type PreparedItem = WriteItem & { claimed: ClaimedEvent };

export interface Failure {
  event: ClaimedEvent;
  error: unknown;
}

/** A stored event with nothing to do: a call event of a state the table does not know (counted by state). */
export interface Passive {
  event: ClaimedEvent;
  unknownState: string;
}

/** Parses and normalises a claimed batch: events to write, events that fail now, and events with nothing to do. */
export function prepare(claimed: ClaimedEvent[]): { items: PreparedItem[]; failures: Failure[]; passive: Passive[] } {
  const items: PreparedItem[] = [];
  const failures: Failure[] = [];
  const passive: Passive[] = [];
  for (const c of claimed) {
    try {
      const payload = parseJsonLossless(c.payload) as Record<string, unknown>;
      const normalized = normalizeWebhookEvent(payload);
      if (!normalized.ok) throw new Error(`cannot normalise stored event: ${normalized.message}`);
      const base = { eventId: c.id, appId: c.app_id, payloadJson: c.payload, receivedAt: c.received_at_exact, claimed: c };
      const { value } = normalized;
      if (value.kind === 'call') {
        const kind = callEventKind(c.event_type);
        if (kind) items.push({ ...base, kind, event: value.event, insights: insightsOf(payload, c.event_type, kind === 'voicemail') });
        // stored, processed, counted, nothing else (docs/wire-protocol.md, "Dialpad call states")
        else passive.push({ event: c, unknownState: value.event.state ?? c.event_type });
      } else if (value.kind === 'sms') {
        items.push({ ...base, kind: 'sms', event: value.event });
      } else if (value.kind === 'agent_status') {
        items.push({ ...base, kind: 'agent_status', event: value.event });
      } else {
        items.push({ ...base, kind: 'contact', event: value.event });
      }
    } catch (error) {
      failures.push({ event: c, error });
    }
  }
  return { items, failures, passive };
}

/** What the event says beyond the status, or null when it says nothing (most live events): the writer skips those. */
function insightsOf(payload: Record<string, unknown>, eventType: string, voicemail: boolean): CallInsightsEvidence | null {
  const insights = readCallInsights(payload, eventType, voicemail);
  return hasInsights(insights) ? insights : null;
}

export function toProcessedEvent(item: PreparedItem, result: WriteResult): ProcessedEvent {
  return {
    eventId: item.eventId,
    appId: item.appId,
    eventType: item.claimed.event_type,
    ...result,
    showAdminRecordings: item.claimed.show_admin_recordings,
    occurredAt: item.event.eventAt ?? new Date(),
    streamSeq: null,
    messageJson: null,
  };
}
