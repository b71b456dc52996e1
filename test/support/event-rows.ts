import type pg from 'pg';
import { fixtureWith } from './webhooks.js';

/** Dialpad `state` → our event_type (docs/wire-protocol.md, "Dialpad call states"), for the states the fixtures use. */
const STATE_TYPES: Record<string, string> = {
  calling: 'call.started',
  ringing: 'call.ring',
  connected: 'call.connected',
  hangup: 'call.ended',
  missed: 'call.missed',
  recording: 'call.recording.completed',
  voicemail_uploaded: 'voicemail.received',
};

/** A webhook_events row as the ingest path would store it. */
export interface RawEvent {
  dialpadEventId: string;
  eventType: string;
  dialpadCallId: string | null;
  /** the exact JSON text stored as payload */
  json: string;
}

/**
 * A real-format fixture for another call: dialpad_event_id is
 * `<call_id>:<state>:<event_timestamp>` and event_type follows the state (docs/wire-protocol.md, "Event identity").
 */
export function realEvent(fixture: string, callId: string, replace: Record<string, string | number | null> = {}): RawEvent {
  const json = fixtureWith(fixture, { call_id: callId, ...replace });
  const state = /"state"\s*:\s*"([a-z_]+)"/.exec(json)?.[1];
  const stamp = /"event_timestamp"\s*:\s*(\d+)/.exec(json)?.[1];
  const eventType = state ? STATE_TYPES[state] : undefined;
  if (!state || !stamp || !eventType) throw new Error(`fixture ${fixture} has no known state/event_timestamp`);
  return { dialpadEventId: `${callId}:${state}:${stamp}`, eventType, dialpadCallId: callId, json };
}

/** An event the processor cannot normalise (no call_id) but stored as a `call.ring`. */
export function poisonEvent(tag: string): RawEvent {
  return {
    dialpadEventId: `poison:${tag}`,
    eventType: 'call.ring',
    dialpadCallId: null,
    json: JSON.stringify({ state: 'ringing', event_timestamp: 1731700001300, note: tag }),
  };
}

/** Ids of the events, in order: a tuple of as many strings as a literal list of events has. */
export type EventIds<E extends readonly RawEvent[]> = { -readonly [K in keyof E]: string };

/** Inserts the events with one statement (one NOTIFY), as the ingest path does. Returns their ids, in order. */
export async function insertEvents<const E extends readonly RawEvent[]>(
  db: pg.Pool | pg.Client | pg.PoolClient,
  appId: string,
  events: E,
): Promise<EventIds<E>> {
  const { rows } = await db.query<{ id: string; dialpad_event_id: string }>(
    `INSERT INTO webhook_events (app_id, dialpad_event_id, event_type, dialpad_call_id, payload)
     SELECT $1::uuid, e.dialpad_event_id, e.event_type, e.dialpad_call_id, e.payload
       FROM unnest($2::text[], $3::text[], $4::text[], $5::jsonb[]) WITH ORDINALITY
            AS e(dialpad_event_id, event_type, dialpad_call_id, payload, n)
      ORDER BY e.n
     RETURNING id::text, dialpad_event_id`,
    [
      appId,
      events.map((e) => e.dialpadEventId),
      events.map((e) => e.eventType),
      events.map((e) => e.dialpadCallId),
      events.map((e) => e.json),
    ],
  );
  const ids = new Map(rows.map((r) => [r.dialpad_event_id, r.id]));
  return events.map((e) => {
    const id = ids.get(e.dialpadEventId);
    if (!id) throw new Error(`event ${e.dialpadEventId} was not inserted`);
    return id;
  }) as EventIds<E>;
}

export interface EventState {
  id: string;
  processed_at: Date | null;
  attempts: number;
  last_error: string | null;
  next_attempt_at: Date;
  dead_at: Date | null;
}

export async function eventStates(db: pg.Pool, ids: string[]): Promise<EventState[]> {
  const { rows } = await db.query<EventState>(
    `SELECT id::text, processed_at, attempts, last_error, next_attempt_at, dead_at
       FROM webhook_events WHERE id = ANY($1::bigint[]) ORDER BY id`,
    [ids],
  );
  return rows;
}

export async function eventState(db: pg.Pool, id: string): Promise<EventState> {
  const [row] = await eventStates(db, [id]);
  if (!row) throw new Error(`no event ${id}`);
  return row;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
