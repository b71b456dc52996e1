import { Injectable } from '@nestjs/common';
import type { PoolClient } from 'pg';
import { CallRow, CallsRepository, snapshotOf } from '../calls/calls.repository.js';
import { UserMappingLookup } from '../user-mapping/user-mapping.lookup.js';
import { VoicemailRow, VoicemailsRepository } from '../voicemails/voicemails.repository.js';
import { applyEvent } from '../webhooks/domain/call-state.js';
import { EventTypes, NormalizedEvent } from '../webhooks/domain/dialpad-event.js';

export interface HandlerInput {
  client: PoolClient;
  appId: string;
  event: NormalizedEvent;
  payloadJson: string;
}

export interface HandlerOutput {
  call: CallRow | null;
  voicemail: VoicemailRow | null;
}

type Handler = (input: HandlerInput) => Promise<HandlerOutput>;

/** Event types that move a call through the state machine (or fill its fields). */
const CALL_EVENT_TYPES = [
  EventTypes.started,
  EventTypes.ring,
  EventTypes.connected,
  EventTypes.ended,
  EventTypes.missed,
  EventTypes.recording,
  EventTypes.hold,
  EventTypes.transcription,
];

/**
 * event_type → handler. Every handler runs inside the processor's transaction;
 * an event type without a handler is stored and marked processed, never an error.
 */
@Injectable()
export class EventHandlerRegistry {
  private readonly handlers = new Map<string, Handler>();

  constructor(
    private readonly calls: CallsRepository,
    private readonly voicemails: VoicemailsRepository,
    private readonly mappings: UserMappingLookup,
  ) {
    for (const type of CALL_EVENT_TYPES) this.handlers.set(type, (input) => this.applyToCall(input));
    this.handlers.set(EventTypes.voicemail, (input) => this.voicemailReceived(input));
  }

  handlerFor(eventType: string): Handler | undefined {
    return this.handlers.get(eventType);
  }

  private async applyToCall({ client, appId, event, payloadJson }: HandlerInput): Promise<HandlerOutput> {
    const current = await this.calls.lockForEvent(client, appId, event.dialpadCallId);
    const next = applyEvent(current ? snapshotOf(current) : null, event);
    const crmUserId = await this.mappings.crmUserFor(client, appId, next.dialpadUserId);
    // raw_payload keeps the newest event's payload
    const isNewest = !current?.last_event_at || !event.eventAt || event.eventAt >= current.last_event_at;
    const call = await this.calls.writeSnapshot(client, appId, event.dialpadCallId, next, {
      crmUserId,
      rawPayloadJson: isNewest ? payloadJson : null,
    });
    return { call, voicemail: null };
  }

  private async voicemailReceived(input: HandlerInput): Promise<HandlerOutput> {
    const { call } = await this.applyToCall(input);
    const voicemail = await this.voicemails.upsertFromEvent(
      input.client,
      input.appId,
      input.event,
      call?.crm_user_id ?? null,
      input.payloadJson,
    );
    return { call, voicemail };
  }
}
