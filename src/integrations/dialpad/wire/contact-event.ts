import { createHash } from 'node:crypto';
import {
  type DialpadContact,
  type JsonObject,
  isJsonObject,
  own,
  readBoundedText,
  readDate,
  readGivenEventId,
  readLooseId,
  readPhoneOrText,
  readText,
  readTextList,
} from './payload-readers.js';

/**
 * A Dialpad contact event (developers.dialpad.com/docs/contact-events), normalised:
 * `{event: "Created" | "Updated" | "Deleted", contact: {id, type, first_name, last_name,
 * display_name, phones, primary_phone, emails, primary_email, company_name, job_title,
 * urls, trunk_group, extension}}`. The docs show no timestamp and no event id.
 */
export interface NormalizedContactEvent {
  /** `contact.created`, `contact.updated`, `contact.deleted` (another word w becomes `contact.w`) */
  eventType: string;
  dialpadEventId: string;
  contact: DialpadContact;
  phones: string[];
  emails: string[];
  companyName: string | null;
  jobTitle: string | null;
  /** `event_timestamp` if Dialpad ever sends one; the docs show none */
  eventAt: Date | null;
}

export type ContactEventResult = { ok: true; event: NormalizedContactEvent } | { ok: false; message: string };

const EVENT_WORD = /^[a-z][a-z0-9_]{0,31}$/;

export function looksLikeContactEvent(payload: JsonObject): boolean {
  return typeof own(payload, 'event') === 'string' && isJsonObject(own(payload, 'contact'));
}

export function normalizeContactEvent(payload: JsonObject): ContactEventResult {
  const word = readText(own(payload, 'event'))?.toLowerCase() ?? '';
  if (!EVENT_WORD.test(word)) return { ok: false, message: 'contact event: event must be a word such as "Created", "Updated" or "Deleted"' };
  const given = readGivenEventId(payload);
  if (!given.ok) return given;
  const raw = own(payload, 'contact') as JsonObject;
  const phones = readTextList(own(raw, 'phones')).map((p) => readPhoneOrText(p) ?? p);
  const emails = readTextList(own(raw, 'emails'));
  const first = readBoundedText(own(raw, 'first_name'));
  const last = readBoundedText(own(raw, 'last_name'));
  const contact: DialpadContact = {
    id: readLooseId(own(raw, 'id')),
    name: readBoundedText(own(raw, 'display_name')) ?? ([first, last].filter(Boolean).join(' ') || null),
    email: readBoundedText(own(raw, 'primary_email'), 320) ?? emails[0] ?? null,
    phone: readPhoneOrText(own(raw, 'primary_phone')) ?? phones[0] ?? null,
    type: readBoundedText(own(raw, 'type'), 64),
  };
  return {
    ok: true,
    event: {
      eventType: `contact.${word}`,
      // no timestamp or id in Dialpad's payload: two different updates of a contact must not read as
      // one event redelivered, so the identity hashes the whole payload (a true redelivery hashes the same)
      dialpadEventId: given.value ?? `contact:${contact.id ?? ''}:${word}:${digest(payload)}`,
      contact,
      phones,
      emails,
      companyName: readBoundedText(own(raw, 'company_name')),
      jobTitle: readBoundedText(own(raw, 'job_title')),
      eventAt: readDate(own(payload, 'event_timestamp')),
    },
  };
}

function digest(payload: JsonObject): string {
  return createHash('sha256').update(JSON.stringify(payload)).digest('hex').slice(0, 32);
}
