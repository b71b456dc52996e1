import { contactOf } from '../calls/calls.repository.js';
import { EventTypes } from '../integrations/dialpad/wire/call-states.js';
import type { DialpadContact } from '../integrations/dialpad/wire/payload-readers.js';
import type { ProcessedEvent } from './processed-events.bus.js';
import { type CsatView, csatView, type RecapView, recapView, type RecordingView, recordingsView } from '../calls/call-details.view.js';
import type { CallDetails } from '../calls/domain/call-details.js';

/** What every WebSocket event message carries (docs/wire-protocol.md, "Event messages"); the socket filters read `user_id` and `target_crm_user`. */
interface MessageBase {
  /** the event's position in its app's stream (dense, commit-ordered): resume with `?since=<seq>` */
  seq?: number;
  /** the event's id in webhook_events */
  event_id: string;
  event: string;
  /** Dialpad user id */
  user_id: string | null;
  timestamp: string;
  /** the mapped CRM user (the seed's broadcastToUser enrichment) */
  target_crm_user?: string;
}

/** A call event (`call.*`, `voicemail.received`, `voicemail.updated`). */
export interface CallEventMessage extends MessageBase {
  /** Dialpad call id, as a string */
  call_id: string;
  /** the call's conversation: its entry-point call, else its master call, else the call itself (GET /api/conversations/:id) */
  conversation_id: string;
  direction: 'inbound' | 'outbound' | null;
  from_number: string | null;
  to_number: string | null;
  status: string | null;
  /** who is calling (inbound) or called (outbound), as Dialpad names them */
  contact: DialpadContact | null;
  voicemail_url?: string;
  /** `voicemail.received`, `voicemail.updated`: the voicemail's id (GET /internal/apps/:app_id/voicemails/:id), its own length, its transcript when sent */
  voicemail_id?: string;
  voicemail_duration_ms?: number | null;
  transcription?: string | null;
  recording_url?: string;
  /** `call.recording.completed`: every recording of the call the CRM may see (admin recordings only if the app allows) */
  recordings?: RecordingView[];
  /** `call.transcription`: the call's transcript (GET /api/calls/:id/transcript) */
  transcript?: string | null;
  /** `call.recap_*`: the AI recap as it stands */
  recap?: RecapView | null;
  /** `call.csat`, `call.pcsat` */
  csat?: CsatView | null;
  /** `call.dispositions`: Dialpad's dispositions, and every label of the call */
  dispositions?: string[];
  labels?: string[];
}

/** `sms.received`, `sms.sent`: the event as Dialpad sent it. */
export interface SmsEventMessage extends MessageBase {
  sms_id: string;
  direction: 'inbound' | 'outbound';
  from_number: string | null;
  to_numbers: string[];
  text: string | null;
  mms: boolean | null;
  mms_url: string | null;
  message_status: string | null;
  /** the external party */
  contact: DialpadContact | null;
  /** the Dialpad user, department or call centre that sent or received it */
  target: { id: string | null; type: string | null; name: string | null; phone: string | null } | null;
  sender_id: string | null;
}

/** `agent.status` */
export interface AgentStatusMessage extends MessageBase {
  /** Dialpad's on-duty status: available, unavailable, occupied, wrapup, busy … */
  on_duty_status: string | null;
  availability_status: string | null;
  on_duty_status_reason: string | null;
  call_center_ids: string[];
  agent: { name: string | null; email: string | null; phone: string | null };
  /** always null: an agent's status names no outside party (kept so every message has `contact`) */
  contact: null;
}

/** `contact.created`, `contact.updated`, `contact.deleted` */
export interface ContactEventMessage extends MessageBase {
  contact: DialpadContact;
  phones: string[];
  emails: string[];
  company_name: string | null;
  job_title: string | null;
}

/** The WebSocket message of one processed event. */
export type EventMessage = CallEventMessage | SmsEventMessage | AgentStatusMessage | ContactEventMessage;

/** Pure: what a CRM frontend receives for a processed event (without `seq`, assigned at commit); null when there is nothing to show. */
export function toEventMessage(e: ProcessedEvent): EventMessage | null {
  const base = { event_id: e.eventId, event: e.eventType, timestamp: e.occurredAt.toISOString() };
  const withCrm = <M extends MessageBase>(message: M, crmUser: string | null): M => (crmUser ? { ...message, target_crm_user: crmUser } : message);
  if (e.sms) {
    const s = e.sms.event;
    return withCrm<SmsEventMessage>(
      {
        ...base,
        sms_id: s.smsId,
        direction: s.direction,
        from_number: s.fromNumber,
        to_numbers: s.toNumbers,
        text: s.text,
        mms: s.mms,
        mms_url: s.mmsUrl,
        message_status: s.messageStatus,
        user_id: s.dialpadUserId,
        contact: s.contact,
        target: s.target,
        sender_id: s.senderId,
      },
      e.sms.crmUserId,
    );
  }
  if (e.agentStatus) {
    const a = e.agentStatus.event;
    return withCrm<AgentStatusMessage>(
      {
        ...base,
        user_id: a.dialpadUserId,
        on_duty_status: a.onDutyStatus,
        availability_status: a.availabilityStatus,
        on_duty_status_reason: a.onDutyStatusReason,
        call_center_ids: a.callCenterIds,
        agent: { name: a.agentName, email: a.agentEmail, phone: a.agentPhone },
        contact: null,
      },
      e.agentStatus.crmUserId,
    );
  }
  if (e.contactEvent) {
    const c = e.contactEvent;
    return { ...base, user_id: null, contact: c.contact, phones: c.phones, emails: c.emails, company_name: c.companyName, job_title: c.jobTitle };
  }
  return toCallMessage(e, base);
}

/**
 * A voicemail event's message says what it did (docs/wire-protocol.md, "Voicemail"): `voicemail.received`
 * once, from the event that brought the message; `voicemail.updated` when a later event changed it;
 * otherwise `call.voicemail` (the caller reached the voicemail box, or a repeat): never a second pop.
 */
function eventName(e: ProcessedEvent): string {
  if (e.eventType !== EventTypes.voicemail) return e.eventType;
  if (e.voicemailChange === 'received') return EventTypes.voicemail;
  return e.voicemailChange === 'updated' ? VOICEMAIL_UPDATED : VOICEMAIL_REACHED;
}

export const VOICEMAIL_UPDATED = 'voicemail.updated';
export const VOICEMAIL_REACHED = 'call.voicemail';

function toCallMessage(e: ProcessedEvent, base: Pick<MessageBase, 'event_id' | 'event' | 'timestamp'>): CallEventMessage | null {
  const call = e.call;
  const vm = e.voicemail;
  const callId = call?.dialpad_call_id ?? vm?.dialpad_call_id;
  if (!callId) return null;
  const crmUser = call?.crm_user_id ?? vm?.crm_user_id ?? null;
  const message: CallEventMessage = {
    event_id: base.event_id,
    event: eventName(e),
    call_id: callId,
    conversation_id: call?.conversation_id ?? callId,
    direction: call?.direction ?? null,
    from_number: call?.from_number ?? vm?.from_number ?? null,
    to_number: call?.to_number ?? vm?.to_number ?? null,
    status: call?.status ?? null,
    user_id: call?.dialpad_user_id ?? vm?.dialpad_user_id ?? null,
    timestamp: base.timestamp,
    contact: call ? contactOf(call) : null,
  };
  if (crmUser) message.target_crm_user = crmUser;
  if (vm?.voicemail_url) message.voicemail_url = vm.voicemail_url;
  if (vm && e.voicemailChange) {
    message.voicemail_id = vm.id;
    message.voicemail_duration_ms = vm.duration_ms;
    message.transcription = vm.transcription;
  }
  if (call?.recording_url && e.eventType === EventTypes.recording) message.recording_url = call.recording_url;
  if (e.details) addDetails(message, e.eventType, e.details, e.showAdminRecordings ?? false);
  return message;
}

const RECAP_TYPES: ReadonlySet<string> = new Set([EventTypes.recapSummary, EventTypes.recapOutcome, EventTypes.recapPurposes, EventTypes.recapActionItems]);

/** The part of the call's details an event type is about (docs/wire-protocol.md, "Call details"). */
function addDetails(message: CallEventMessage, eventType: string, details: CallDetails, showAdminRecordings: boolean): void {
  if (eventType === EventTypes.recording) message.recordings = recordingsView(details, showAdminRecordings);
  else if (eventType === EventTypes.transcription) message.transcript = details.transcript?.value ?? null;
  else if (RECAP_TYPES.has(eventType)) message.recap = recapView(details);
  else if (eventType === EventTypes.csat || eventType === EventTypes.pcsat) message.csat = csatView(details);
  else if (eventType === EventTypes.dispositions) {
    message.dispositions = details.dispositions;
    message.labels = details.labels;
  }
}
