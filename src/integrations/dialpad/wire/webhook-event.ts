import { type NormalizedAgentStatus, looksLikeAgentStatus, normalizeAgentStatusEvent } from './agent-status-event.js';
import { type NormalizedContactEvent, looksLikeContactEvent, normalizeContactEvent } from './contact-event.js';
import { type NormalizedEvent, normalizeDialpadEvent } from './dialpad-event.js';
import { isJsonObject, own } from './payload-readers.js';
import { type NormalizedSms, looksLikeSms, normalizeSmsEvent } from './sms-event.js';

/** Any event Dialpad posts to a webhook, by kind (docs/wire-protocol.md, "Body formats"). */
export type WebhookEvent =
  | { kind: 'call'; event: NormalizedEvent }
  | { kind: 'sms'; event: NormalizedSms }
  | { kind: 'agent_status'; event: NormalizedAgentStatus }
  | { kind: 'contact'; event: NormalizedContactEvent };

export type WebhookEventResult = { ok: true; value: WebhookEvent } | { ok: false; message: string };

/** What the event log stores of any kind. */
export interface EventHeader {
  eventType: string;
  dialpadEventId: string;
  /** call events only */
  dialpadCallId: string | null;
}

/**
 * Sorts a payload into its kind, then normalises it. A call event is anything with a
 * `state`, an `event_type` or a call id (so a call event missing its id or its state is
 * refused as such); then agent status (`on_duty_status` / `availability_status`), contact
 * events (`event` and a `contact` object), SMS (`id`, `direction` and a date, text or
 * numbers). Anything else is refused: nothing could be done with it.
 */
export function normalizeWebhookEvent(payload: Record<string, unknown>): WebhookEventResult {
  if (!isJsonObject(payload)) return { ok: false, message: 'the event must be a JSON object' };
  const present = (key: string) => own(payload, key) !== undefined && own(payload, key) !== null;
  if (['state', 'event_type', 'call_id', 'dialpad_call_id'].some(present)) return wrap('call', normalizeDialpadEvent(payload));
  if (looksLikeAgentStatus(payload)) return wrap('agent_status', normalizeAgentStatusEvent(payload));
  if (looksLikeContactEvent(payload)) return wrap('contact', normalizeContactEvent(payload));
  if (looksLikeSms(payload)) return wrap('sms', normalizeSmsEvent(payload));
  return {
    ok: false,
    message:
      'payload is not a Dialpad event: a call event needs call_id and state (or event_type); an SMS event id and direction; ' +
      'an agent status event on_duty_status; a contact event event and contact',
  };
}

export function headerOf(e: WebhookEvent): EventHeader {
  return {
    eventType: e.event.eventType,
    dialpadEventId: e.event.dialpadEventId,
    dialpadCallId: e.kind === 'call' ? e.event.dialpadCallId : null,
  };
}

function wrap<K extends WebhookEvent['kind']>(
  kind: K,
  result: { ok: true; event: Extract<WebhookEvent, { kind: K }>['event'] } | { ok: false; message: string },
): WebhookEventResult {
  if (!result.ok) return result;
  return { ok: true, value: { kind, event: result.event } as WebhookEvent };
}
