import type { AppId } from '../common/app-id.js';
import type { CallSnapshot, CallStatus } from './domain/call-state.js';
import type { CallPosition } from '../integrations/dialpad/wire/call-states.js';
import type { DialpadContact } from '../integrations/dialpad/wire/payload-readers.js';

/** A `calls` row as the repository reads it, and its mappings to the state machine's snapshot and the contact. */
export interface CallRow {
  id: string;
  app_id: AppId;
  dialpad_call_id: string;
  master_call_id: string | null;
  entry_point_call_id: string | null;
  direction: 'inbound' | 'outbound' | null;
  from_number: string | null;
  to_number: string | null;
  status: CallStatus;
  dialpad_user_id: string | null;
  crm_user_id: string | null;
  started_at: Date | null;
  queued_at: Date | null;
  ringing_at: Date | null;
  connected_at: Date | null;
  ended_at: Date | null;
  duration_ms: number | null;
  recording_url: string | null;
  custom_data: string | null;
  last_event_at: Date | null;
  contact_id: string | null;
  contact_name: string | null;
  contact_email: string | null;
  contact_phone: string | null;
  contact_type: string | null;
  /** the event time the contact came from (the contact register's key) */
  contact_at: Date | null;
  /** a connected call's position register: connected, on_hold, parked */
  position: CallPosition | null;
  position_at: Date | null;
  /** the conversation: the entry-point call, else the master call, else this call (a column PostgreSQL computes) */
  conversation_id: string;
  created_at: Date;
  updated_at: Date;
  raw_payload?: unknown;
}

export function snapshotOf(row: CallRow): CallSnapshot {
  return {
    status: row.status,
    direction: row.direction,
    fromNumber: row.from_number,
    toNumber: row.to_number,
    dialpadUserId: row.dialpad_user_id,
    masterCallId: row.master_call_id,
    entryPointCallId: row.entry_point_call_id,
    startedAt: row.started_at,
    queuedAt: row.queued_at,
    ringingAt: row.ringing_at,
    connectedAt: row.connected_at,
    endedAt: row.ended_at,
    durationMs: row.duration_ms,
    recordingUrl: row.recording_url,
    customData: row.custom_data,
    lastEventAt: row.last_event_at,
    contact: contactOf(row),
    contactAt: row.contact_at,
    position: row.position,
    positionAt: row.position_at,
  };
}

/** The call's contact as one object, or null when none is known. */
export function contactOf(row: Pick<CallRow, 'contact_id' | 'contact_name' | 'contact_email' | 'contact_phone' | 'contact_type'>): DialpadContact | null {
  const contact = { id: row.contact_id, name: row.contact_name, email: row.contact_email, phone: row.contact_phone, type: row.contact_type };
  return Object.values(contact).some((v) => v !== null) ? contact : null;
}
