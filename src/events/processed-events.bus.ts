import { Injectable, Logger } from '@nestjs/common';
import type { AppId } from '../common/app-id.js';
import type { CallRow } from '../calls/calls.repository.js';
import type { CallDetails } from '../calls/domain/call-details.js';
import type { VoicemailRow } from '../voicemails/voicemails.repository.js';
import type { NormalizedAgentStatus } from '../integrations/dialpad/wire/agent-status-event.js';
import type { NormalizedContactEvent } from '../integrations/dialpad/wire/contact-event.js';
import type { NormalizedSms } from '../integrations/dialpad/wire/sms-event.js';

/** One processed event, as the realtime layer needs it. Published only after its transaction committed. */
export interface ProcessedEvent {
  /** webhook_events.id (the message's `event_id`) */
  eventId: string;
  appId: AppId;
  eventType: string;
  /** call events: the call right after this event (and its voicemail) */
  call: CallRow | null;
  voicemail: VoicemailRow | null;
  /** a voicemail event: `received` when it created the call's voicemail, `updated` when it changed it (absent or null: neither) */
  voicemailChange?: 'received' | 'updated' | null;
  /** call events that brought details (recordings, transcript, recap, CSAT, labels, times): the call's details after it */
  details?: CallDetails | null;
  /** whether this event changed the call's details */
  detailsChanged?: boolean;
  /** the app shows admin recordings to its CRM (apps.show_admin_recordings) */
  showAdminRecordings?: boolean;
  /** an SMS event, with the CRM user mapped to its Dialpad user */
  sms: { event: NormalizedSms; crmUserId: string | null } | null;
  /** an agent status event, with the CRM user mapped to the agent */
  agentStatus: { event: NormalizedAgentStatus; crmUserId: string | null } | null;
  /** a contact event */
  contactEvent: NormalizedContactEvent | null;
  /** when the event happened (Dialpad's event timestamp), else when it was processed */
  occurredAt: Date;
  /** the app's stream position (the message's `seq`), assigned just before commit; null: nothing to show */
  streamSeq: number | null;
  /** the WebSocket message, serialised once (null: nothing to show) */
  messageJson: string | null;
  /** whom the message is for (its `user_id` and `target_crm_user`): sockets filter on them without parsing the frame */
  messageTargets?: { dialpadUserId: string | null; crmUserId: string | null };
}

type Listener = (events: ProcessedEvent[]) => void;

/**
 * The processor's after-commit hook, in process. Listeners get each committed
 * batch in `seq` order; a throwing listener is logged and never affects the others
 * or the processor.
 */
@Injectable()
export class ProcessedEventsBus {
  private readonly logger = new Logger(ProcessedEventsBus.name);
  private readonly listeners = new Set<Listener>();

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  publish(events: ProcessedEvent[]): void {
    if (events.length === 0) return;
    for (const listener of this.listeners) {
      try {
        listener(events);
      } catch (err) {
        this.logger.error(`processed-event listener failed: ${(err as Error).message}`);
      }
    }
  }
}
