import {
  type JsonObject,
  firstPresent,
  isJsonObject,
  own,
  readBoolean,
  readBoundedText,
  readDate,
  readGivenEventId,
  readOptionalId,
  readPhoneOrText,
  readTextList,
  stampOf,
  wordOf,
} from './payload-readers.js';

/**
 * A Dialpad agent status event (developers.dialpad.com/docs/agent-status-events), normalised.
 * Fields: `availability_status`, `call_center_ids`, `date` (when `on_duty_status` last
 * changed), `event_timestamp` (when the event was generated), `on_duty_status` (available,
 * unavailable, occupied, wrapup, busy), `on_duty_status_reason`, `powerdialer_mode`,
 * `powerdialer_session`, `target {email, id, name, phone, type}`. The docs' field table
 * names the agent's number `phone_number`, their sample payload `phone`: both are read.
 */
export interface NormalizedAgentStatus {
  eventType: 'agent.status';
  dialpadEventId: string;
  /** the agent (`target.id`); null when the payload does not say who */
  dialpadUserId: string | null;
  agentName: string | null;
  agentEmail: string | null;
  agentPhone: string | null;
  /** the on-duty status as Dialpad words it, lower-cased (available, unavailable, occupied, wrapup, busy, …) */
  onDutyStatus: string | null;
  /** available, or not (DND, or in a call) */
  availabilityStatus: string | null;
  onDutyStatusReason: string | null;
  callCenterIds: string[];
  powerdialerMode: boolean | null;
  powerdialerSession: string | null;
  /** `date`: when the on-duty status changed */
  changedAt: Date | null;
  /** `event_timestamp`, else `date`: orders the statuses of one agent (the latest wins) */
  eventAt: Date | null;
}

export type AgentStatusResult = { ok: true; event: NormalizedAgentStatus } | { ok: false; message: string };

export function looksLikeAgentStatus(payload: JsonObject): boolean {
  return ['on_duty_status', 'availability_status'].some((key) => own(payload, key) !== undefined && own(payload, key) !== null);
}

export function normalizeAgentStatusEvent(payload: JsonObject): AgentStatusResult {
  const given = readGivenEventId(payload);
  if (!given.ok) return given;
  const target = own(payload, 'target');
  const userId = isJsonObject(target) ? readOptionalId(own(target, 'id')) : null;
  const onDuty = wordOf(own(payload, 'on_duty_status')) || null;
  const availability = wordOf(own(payload, 'availability_status')) || null;
  const changedAt = readDate(own(payload, 'date'));
  return {
    ok: true,
    event: {
      eventType: 'agent.status',
      dialpadEventId:
        given.value ??
        `agent:${userId ?? ''}:${stampOf(firstPresent(payload, ['event_timestamp', 'date']))}:${onDuty ?? ''}:${availability ?? ''}`,
      dialpadUserId: userId,
      agentName: isJsonObject(target) ? readBoundedText(own(target, 'name')) : null,
      agentEmail: isJsonObject(target) ? readBoundedText(own(target, 'email'), 320) : null,
      agentPhone: isJsonObject(target) ? readPhoneOrText(firstPresent(target, ['phone', 'phone_number'])) : null,
      onDutyStatus: onDuty,
      availabilityStatus: availability,
      onDutyStatusReason: readBoundedText(own(payload, 'on_duty_status_reason')),
      callCenterIds: readTextList(own(payload, 'call_center_ids'), 200),
      powerdialerMode: readBoolean(own(payload, 'powerdialer_mode')),
      powerdialerSession: readBoundedText(own(payload, 'powerdialer_session'), 255),
      changedAt,
      eventAt: readDate(own(payload, 'event_timestamp')) ?? changedAt,
    },
  };
}
