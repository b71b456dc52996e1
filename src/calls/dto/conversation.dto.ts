import { ApiProperty } from '@nestjs/swagger';
import { CONVERSATION_OUTCOMES, type ConversationOutcome } from '../domain/conversation.js';
import { ContactDto } from '../../common/dto/contact.dto.js';
import { CallDto } from './calls.dto.js';

/** The leg that answered the conversation. */
export class AnsweredByDto {
  /** The leg's Dialpad call id. */
  dialpad_call_id!: string;
  /** The Dialpad user who answered (null when the answering leg targets no user, e.g. an office line). */
  dialpad_user_id!: string | null;
  /** The CRM user mapped to that Dialpad user. */
  crm_user_id!: string | null;
  connected_at!: Date;
}

/** The message the caller left. */
export class ConversationVoicemailDto {
  id!: string;
  /** The leg that took the message. */
  dialpad_call_id!: string;
  voicemail_url!: string | null;
  /** The message's own length (its recording's duration), not the call's; null when Dialpad does not say. */
  duration_ms!: number | null;
  transcription!: string | null;
  received_at!: Date | null;
}

/** `GET /api/conversations/{id}`: one caller's call with all its legs (entry point, ring-group members, transfers). */
export class ConversationDto {
  /** The conversation's id: the Dialpad call id its legs name as `entry_point_call_id` or `master_call_id`. */
  conversation_id!: string;
  /**
   * Computed once from all the legs: `answered` (a leg connected), `voicemail` (nobody answered, the caller left a
   * message), `in_progress` (nobody answered yet, a leg is live), `blocked`, `missed` (every leg ended unanswered).
   */
  @ApiProperty({ enum: CONVERSATION_OUTCOMES })
  outcome!: ConversationOutcome;
  /** The first leg to connect that targets a user (else the first to connect); null unless `answered`. */
  answered_by!: AnsweredByDto | null;
  /** The voicemail left in the conversation, if any. */
  voicemail!: ConversationVoicemailDto | null;
  direction!: 'inbound' | 'outbound' | null;
  /** The first leg's numbers (E.164). */
  from_number!: string | null;
  to_number!: string | null;
  /** The caller (inbound) or callee (outbound), as the newest leg that names one. */
  contact!: ContactDto | null;
  /** The first leg's start. */
  started_at!: Date | null;
  /** The last leg's end, once no leg is live. */
  ended_at!: Date | null;
  /** The legs in the order they happened (by start, then by Dialpad call id). */
  legs!: CallDto[];
}
