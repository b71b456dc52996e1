import type { ProcessedEvent } from './processed-events.bus.js';

/** The WebSocket message of one processed event (docs/wire-protocol.md, "Event messages"). */
export interface EventMessage {
  /** the event's position in its app's stream (dense, commit-ordered): resume with `?since=<seq>` */
  seq?: number;
  /** the event's id in webhook_events */
  event_id: string;
  event: string;
  /** Dialpad call id, as a string */
  call_id: string;
  direction: 'inbound' | 'outbound' | null;
  from_number: string | null;
  to_number: string | null;
  status: string | null;
  /** Dialpad user id */
  user_id: string | null;
  timestamp: string;
  /** the mapped CRM user (the seed's broadcastToUser enrichment) */
  target_crm_user?: string;
  voicemail_url?: string;
  recording_url?: string;
}

/** Pure: what a CRM frontend receives for a processed event (without `seq`, assigned at commit); null when there is nothing to show. */
export function toEventMessage(e: ProcessedEvent): EventMessage | null {
  const call = e.call;
  const vm = e.voicemail;
  const callId = call?.dialpad_call_id ?? vm?.dialpad_call_id;
  if (!callId) return null;
  const crmUser = call?.crm_user_id ?? vm?.crm_user_id ?? null;
  const message: EventMessage = {
    event_id: e.eventId,
    event: e.eventType,
    call_id: callId,
    direction: call?.direction ?? null,
    from_number: call?.from_number ?? vm?.from_number ?? null,
    to_number: call?.to_number ?? vm?.to_number ?? null,
    status: call?.status ?? null,
    user_id: call?.dialpad_user_id ?? vm?.dialpad_user_id ?? null,
    timestamp: e.occurredAt.toISOString(),
  };
  if (crmUser) message.target_crm_user = crmUser;
  if (vm?.voicemail_url) message.voicemail_url = vm.voicemail_url;
  if (call?.recording_url && e.eventType === 'call.recording.completed') message.recording_url = call.recording_url;
  return message;
}
