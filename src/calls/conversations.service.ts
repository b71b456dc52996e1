import { Injectable } from '@nestjs/common';
import type { AppId } from '../common/app-id.js';
import { DomainError } from '../common/errors/domain-error.js';
import { DIGITS_ID_PATTERN } from '../common/ids.js';
import { VoicemailsRepository } from '../voicemails/voicemails.repository.js';
import { CallsRepository, contactOf, LIVE_STATUSES } from './calls.repository.js';
import type { CallRow } from './call-row.js';
import { toCallDto } from './calls.service.js';
import { conversationOutcome, orderLegs } from './domain/conversation.js';
import type { ConversationDto } from './dto/conversation.dto.js';

/** More legs than this and the conversation is cut (a real one has a handful). */
const MAX_LEGS = 500;

/** One caller's call with its legs, and its outcome (calls/domain/conversation.ts). */
@Injectable()
export class ConversationsService {
  constructor(
    private readonly calls: CallsRepository,
    private readonly voicemails: VoicemailsRepository,
  ) {}

  async get(appId: AppId, id: string): Promise<ConversationDto> {
    if (!DIGITS_ID_PATTERN.test(id)) throw new DomainError('INVALID_INPUT', 'conversation id must be a Dialpad call id (digits)');
    const conversationId = BigInt(id).toString();
    const rows = await this.calls.listConversation(appId, conversationId, MAX_LEGS);
    if (rows.length === 0) throw new DomainError('NOT_FOUND', `Conversation ${conversationId} not found`);
    const legs = orderLegs(rows.map((row) => ({ ...facts(row), row })));
    const voicemails = await this.voicemails.listForCalls(appId, legs.map((l) => l.dialpadCallId));
    const voicemail = voicemails.sort((a, b) => (a.received_at?.getTime() ?? 0) - (b.received_at?.getTime() ?? 0))[0] ?? null;
    const { outcome, answeredBy } = conversationOutcome(legs, voicemail !== null);
    const first = legs[0]!.row;
    const live = legs.some((l) => LIVE_STATUSES.includes(l.row.status));
    const ends = legs.flatMap((l) => (l.row.ended_at ? [l.row.ended_at.getTime()] : []));
    const named = [...legs].reverse().find((l) => contactOf(l.row) !== null);
    return {
      conversation_id: conversationId,
      outcome,
      answered_by: answeredBy
        ? {
            dialpad_call_id: answeredBy.dialpadCallId,
            dialpad_user_id: answeredBy.row.dialpad_user_id,
            crm_user_id: answeredBy.row.crm_user_id,
            connected_at: answeredBy.connectedAt!,
          }
        : null,
      voicemail: voicemail && {
        id: voicemail.id,
        dialpad_call_id: voicemail.dialpad_call_id,
        voicemail_url: voicemail.voicemail_url,
        duration_ms: voicemail.duration_ms,
        transcription: voicemail.transcription,
        received_at: voicemail.received_at,
      },
      direction: first.direction,
      from_number: first.from_number,
      to_number: first.to_number,
      contact: named ? contactOf(named.row) : null,
      started_at: first.started_at,
      ended_at: live || ends.length === 0 ? null : new Date(Math.max(...ends)),
      legs: legs.map((l) => toCallDto(l.row)),
    };
  }
}

function facts(row: CallRow) {
  return {
    dialpadCallId: row.dialpad_call_id,
    status: row.status,
    dialpadUserId: row.dialpad_user_id,
    startedAt: row.started_at,
    ringingAt: row.ringing_at,
    connectedAt: row.connected_at,
    createdAt: row.created_at,
  };
}
