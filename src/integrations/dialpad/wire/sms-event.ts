import {
  type CallDirection,
  type DialpadContact,
  type JsonObject,
  firstPresent,
  isJsonObject,
  own,
  readBoolean,
  readBoundedText,
  readContact,
  readDate,
  readDirection,
  readGivenEventId,
  readId,
  readLooseId,
  readOptionalId,
  readPhone,
  readPhoneOrText,
  readTextList,
  stampOf,
  wordOf,
} from './payload-readers.js';

/**
 * A Dialpad SMS event (developers.dialpad.com/docs/sms-events), normalised. Fields, as the
 * docs list them: `id`, `created_date`, `direction`, `target {id, type, name, phone_number}`,
 * `contact {id, name, phone_number}`, `sender_id`, `from_number`, `to_number` (a list),
 * `mms`, `mms_url`, `text` (only with the message_content_export scope). The delivery-status
 * fields `message_status` and `message_delivery_result` are read as Dialpad's SMS object
 * names them (SMSProto in the OpenAPI document), since status events reuse the payload; the
 * docs' field table is silent on their names.
 */
export interface NormalizedSms {
  eventType: 'sms.received' | 'sms.sent';
  dialpadEventId: string;
  /** Dialpad's message id, canonical decimal */
  smsId: string;
  direction: CallDirection;
  createdAt: Date | null;
  /** `event_timestamp` when sent, else `created_date` */
  eventAt: Date | null;
  /** E.164, or the text as sent */
  fromNumber: string | null;
  toNumbers: string[];
  text: string | null;
  mms: boolean | null;
  mmsUrl: string | null;
  messageStatus: string | null;
  deliveryResult: string | null;
  target: SmsTarget | null;
  /** the user who actually sent it when the target is a group (office, department, call centre) */
  senderId: string | null;
  /** the Dialpad user of the message: the target when it is a user, else the sender */
  dialpadUserId: string | null;
  /** the external party, inbound or outbound */
  contact: DialpadContact | null;
}

export interface SmsTarget {
  id: string | null;
  type: string | null;
  name: string | null;
  phone: string | null;
}

export type SmsResult = { ok: true; event: NormalizedSms } | { ok: false; message: string };

/** True for a payload shaped like an SMS event: a message `id` with a `direction` and a date, a text or numbers. */
export function looksLikeSms(payload: JsonObject): boolean {
  const has = (key: string) => own(payload, key) !== undefined && own(payload, key) !== null;
  return has('id') && has('direction') && ['created_date', 'text', 'to_number', 'from_number'].some(has);
}

export function normalizeSmsEvent(payload: JsonObject): SmsResult {
  const smsId = readId(own(payload, 'id'));
  if (smsId === null || smsId === 'invalid') return { ok: false, message: 'SMS event: id must be a non-negative integer' };
  const direction = readDirection(own(payload, 'direction'));
  if (direction === null) return { ok: false, message: 'SMS event: direction must be "inbound" or "outbound"' };
  const given = readGivenEventId(payload);
  if (!given.ok) return given;
  const messageStatus = wordOf(own(payload, 'message_status')) || null;
  const at = firstPresent(payload, ['event_timestamp', 'created_date']);
  const target = readTarget(own(payload, 'target'));
  const senderId = readOptionalId(own(payload, 'sender_id'));
  return {
    ok: true,
    event: {
      eventType: direction === 'inbound' ? 'sms.received' : 'sms.sent',
      // a delivery-status event repeats the message with a new status: the status is part of its identity
      dialpadEventId: given.value ?? `sms:${smsId}:${direction}:${messageStatus ?? ''}:${stampOf(at)}`,
      smsId,
      direction,
      createdAt: readDate(own(payload, 'created_date')),
      eventAt: readDate(own(payload, 'event_timestamp')) ?? readDate(own(payload, 'created_date')),
      fromNumber: readPhoneOrText(own(payload, 'from_number')),
      toNumbers: readTextList(own(payload, 'to_number')).map((n) => readPhone(n) ?? n),
      text: readBoundedText(own(payload, 'text'), 20_000),
      mms: readBoolean(own(payload, 'mms')),
      mmsUrl: readBoundedText(own(payload, 'mms_url'), 2000),
      messageStatus,
      deliveryResult: wordOf(own(payload, 'message_delivery_result')) || null,
      target,
      senderId,
      dialpadUserId: target?.type === 'user' && target.id !== null && /^\d+$/.test(target.id) ? target.id : senderId,
      contact: readContact(own(payload, 'contact')),
    },
  };
}

function readTarget(value: unknown): SmsTarget | null {
  if (!isJsonObject(value)) return null;
  const target: SmsTarget = {
    id: readLooseId(own(value, 'id')),
    type: readBoundedText(own(value, 'type'), 64)?.toLowerCase() ?? null,
    name: readBoundedText(own(value, 'name')),
    phone: readPhoneOrText(firstPresent(value, ['phone_number', 'phone'])),
  };
  return Object.values(target).some((v) => v !== null) ? target : null;
}
