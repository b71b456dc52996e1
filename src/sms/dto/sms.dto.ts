import { ContactDto } from '../../common/dto/contact.dto.js';
import { ActivityQueryDto } from '../../common/dto/activity-query.dto.js';

/** `GET /api/sms`: created between `from` and `to`, by direction (inbound: received; outbound: sent), user, cursor. */
export class ListSmsQueryDto extends ActivityQueryDto {}

/** The Dialpad user, department or call centre that sent or received the message. */
export class SmsTargetDto {
  id!: string | null;
  /** `user`, `department`, `callcenter`, `office` … as Dialpad names it. */
  type!: string | null;
  name!: string | null;
  phone!: string | null;
}

export class SmsDto {
  id!: string;
  /** Dialpad's message id (a string: Dialpad ids exceed JavaScript's safe integers). */
  dialpad_sms_id!: string;
  direction!: 'inbound' | 'outbound';
  /** E.164 when it is a phone number. */
  from_number!: string | null;
  to_numbers!: string[];
  /** The message text; null when Dialpad withholds it (the message_content_export scope is needed). */
  text!: string | null;
  mms!: boolean | null;
  mms_url!: string | null;
  /** The newest delivery status Dialpad reported (`pending`, `success`, `failed` …). */
  message_status!: string | null;
  delivery_result!: string | null;
  /** The Dialpad user of the message: the target when it is a user, else the group member who sent it. */
  dialpad_user_id!: string | null;
  crm_user_id!: string | null;
  sender_id!: string | null;
  target!: SmsTargetDto | null;
  /** The external party (sender of an inbound message, recipient of an outbound one). */
  contact!: ContactDto | null;
  /** Dialpad's created_date. */
  sent_at!: Date | null;
  last_event_at!: Date | null;
  created_at!: Date;
  updated_at!: Date;
}

export class SmsPageDto {
  items!: SmsDto[];
  /** Pass as `cursor` for the next page; null at the end. */
  next_cursor!: string | null;
}
