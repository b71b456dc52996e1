import { Injectable } from '@nestjs/common';
import type { AppId } from '../common/app-id.js';
import type { PoolClient } from 'pg';
import { rowsByKeys } from '../infra/database/rows-by-keys.js';
import { Sql } from '../infra/database/sql.js';
import { receivedAtBounds } from '../common/received-at.js';

export interface NewEvent {
  appId: AppId;
  dialpadEventId: string;
  eventType: string;
  dialpadCallId: string | null;
  /** The payload's exact JSON text, one valid JSON value (big integers keep every digit in jsonb). */
  payloadJson: string;
}

export interface StoredEventRef {
  id: string;
  appId: AppId;
  dialpadEventId: string;
  duplicate: boolean;
}

export interface ClaimedEvent {
  id: string;
  app_id: AppId;
  event_type: string;
  dialpad_call_id: string | null;
  received_at: Date;
  /**
   * received_at exactly (microseconds, which a Date drops), in UTC as `2026-12-06T14:04:40.309123Z`: with `id`, the
   * row's key in the partitioned log; one format for every row, so texts order as the instants do (receivedAtBounds)
   */
  received_at_exact: string;
  /** jsonb as text: parsed losslessly by the processor */
  payload: string;
  attempts: number;
  /** the app shows admin recordings to its CRM (its messages carry them) */
  show_admin_recordings: boolean;
}

export type EventStatus = 'pending' | 'failed' | 'processed' | 'dead';

export interface EventRow {
  id: string;
  dialpad_event_id: string;
  event_type: string;
  dialpad_call_id: string | null;
  status: EventStatus;
  received_at: Date;
  processed_at: Date | null;
  attempts: number;
  last_error: string | null;
  next_attempt_at: Date;
  dead_at: Date | null;
  payload?: unknown;
}

const STATUS_SQL = `CASE WHEN dead_at IS NOT NULL THEN 'dead'
  WHEN processed_at IS NOT NULL THEN 'processed'
  WHEN attempts > 0 THEN 'failed' ELSE 'pending' END`;

const STATUS_FILTER: Record<EventStatus, string> = {
  pending: 'processed_at IS NULL AND dead_at IS NULL AND attempts = 0',
  failed: 'processed_at IS NULL AND dead_at IS NULL AND attempts > 0',
  processed: 'processed_at IS NOT NULL',
  dead: 'dead_at IS NOT NULL',
};

/**
 * JSON texts (each one valid JSON value, as stored payloads and built messages are; null for none) as one JSON
 * array, for `jsonb_array_elements($n::jsonb)` beside unnest()s in ROWS FROM. A jsonb[] parameter would be an
 * array literal: each 1–2 KB text escaped character by character by the driver, unescaped again by PostgreSQL.
 */
function jsonArrayOf(texts: readonly (string | null)[]): string {
  return `[${texts.map((t) => t ?? 'null').join(',')}]`;
}

/** The only place SQL on `webhook_events` lives. */
@Injectable()
export class EventsRepository {
  constructor(private readonly db: Sql) {}

  /**
   * Stores many events in one statement (one commit, one NOTIFY). Events already
   * stored (same app and dialpad_event_id) come back as duplicates with their id.
   * The statement records the batch's identities in `webhook_event_keys` itself (one
   * INSERT … ON CONFLICT DO NOTHING; the dedup window, docs/architecture.md, "The event
   * log's lifecycle") and stores the events whose identity was new, marked `key_recorded`
   * so the per-row dedup trigger, there for every other writer, skips them (migration
   * 1732231300000). Of two identical events in one batch the first is stored.
   *
   * A named statement: its plan reads no table statistics (the batch comes from its parameters, the keys are
   * inserted through their primary key, the rows routed to their partition when executed), so the generic plan is
   * the custom one, and each micro-batch skips parsing and planning (0.3 ms of a 0.9–1.2 ms round trip on this
   * machine, 1 to 10 events).
   */
  async insertMany(events: NewEvent[]): Promise<StoredEventRef[]> {
    const inserted = await this.db.prepared<{ id: string; app_id: string; dialpad_event_id: string }>(
      'ingest-events',
      `WITH batch AS MATERIALIZED (
         SELECT nextval('webhook_events_id_seq') AS id, clock_timestamp() AS received_at, d.*
           FROM ROWS FROM (unnest($1::uuid[]), unnest($2::text[]), unnest($3::text[]), unnest($4::text[]), jsonb_array_elements($5::jsonb))
                WITH ORDINALITY AS d(app_id, dialpad_event_id, event_type, dialpad_call_id, payload, n)
       ), recorded AS (
         INSERT INTO webhook_event_keys (app_id, dialpad_event_id, event_id, received_at)
         -- in key order, as every batch: two batches holding the same identities wait on each other's keys in
         -- one order, never in a cycle (a deadlock would fail both with a 503)
         SELECT app_id, dialpad_event_id, id, received_at FROM batch ORDER BY app_id, dialpad_event_id, n
         ON CONFLICT DO NOTHING
         RETURNING event_id
       )
       INSERT INTO webhook_events (id, app_id, dialpad_event_id, event_type, dialpad_call_id, payload, received_at, key_recorded)
       SELECT b.id, b.app_id, b.dialpad_event_id, b.event_type, b.dialpad_call_id, b.payload, b.received_at, true
         FROM batch b JOIN recorded r ON r.event_id = b.id
        ORDER BY b.n
       RETURNING id::text, app_id, dialpad_event_id`,
      [
        events.map((e) => e.appId),
        events.map((e) => e.dialpadEventId),
        events.map((e) => e.eventType),
        events.map((e) => e.dialpadCallId),
        jsonArrayOf(events.map((e) => e.payloadJson)),
      ],
    );
    const keyOf = (appId: string, eventId: string) => `${appId}\u0000${eventId}`;
    const fresh = new Map(inserted.map((r) => [keyOf(r.app_id, r.dialpad_event_id), r.id]));
    const missing = events.filter((e) => !fresh.has(keyOf(e.appId, e.dialpadEventId)));
    const existing = new Map<string, string>();
    if (missing.length > 0) {
      const rows = await this.db.query<{ id: string; app_id: string; dialpad_event_id: string }>(
        rowsByKeys({ table: 'webhook_event_keys', keyColumn: 'dialpad_event_id', columns: 'event_id::text AS id, app_id, dialpad_event_id' }),
        [missing.map((e) => e.appId), missing.map((e) => e.dialpadEventId)],
      );
      for (const r of rows) existing.set(keyOf(r.app_id, r.dialpad_event_id), r.id);
    }
    // the first of two identical events in one batch is the stored one, the second a duplicate
    const claimed = new Set<string>();
    return events.map((e) => {
      const key = keyOf(e.appId, e.dialpadEventId);
      const freshId = fresh.get(key);
      if (freshId && !claimed.has(key)) {
        claimed.add(key);
        return { id: freshId, appId: e.appId, dialpadEventId: e.dialpadEventId, duplicate: false };
      }
      return { id: freshId ?? existing.get(key) ?? '', appId: e.appId, dialpadEventId: e.dialpadEventId, duplicate: true };
    });
  }

  /**
   * Claims due events of active apps inside the caller's transaction. Rows stay
   * locked until it commits (or its connection dies, which returns them to the queue).
   *
   * Shaped so the plan cannot depend on statistics: a fresh day's partition has none while a burst
   * fills it, and a join to `apps` inside the LIMIT let the planner hash-join and sort the whole
   * backlog (payloads included) on every claim — 100 ms at 5,000 waiting events. The inactive apps
   * are an InitPlan array, so the claim is one ordered walk of the due index that stops at `limit`;
   * apps are joined to the claimed rows only. A named statement: planned once per connection.
   *
   * `floor` (a timestamptz, or '-infinity' for the whole queue) is where the walk of the due index starts. A
   * processed event's entry stays in that index until VACUUM removes it (autovacuum visits a busy day's partition
   * rarely, and not at all where it is off), so a walk from the start reads every event processed since: 2 ms a
   * claim after 190,000. The processor passes a floor just below what it last claimed, and the whole queue at
   * least once a second (what is due below the floor: retries, replays, a crashed batch's events).
   */
  async claimDue(client: PoolClient, limit: number, floor = '-infinity'): Promise<ClaimedEvent[]> {
    const { rows } = await client.query<ClaimedEvent>({
      name: 'claim-due-events',
      text: `WITH claimed AS (
               SELECT e.id, e.app_id, e.event_type, e.dialpad_call_id, e.received_at, e.payload::text AS payload, e.attempts
                 FROM webhook_events e
                WHERE e.processed_at IS NULL AND e.dead_at IS NULL AND e.next_attempt_at <= clock_timestamp()
                  AND e.received_at >= $2::timestamptz
                  AND e.app_id <> ALL (ARRAY(SELECT id FROM apps WHERE NOT is_active))
                ORDER BY e.received_at, e.id
                LIMIT $1
                FOR UPDATE OF e SKIP LOCKED)
             SELECT c.id::text, c.app_id, c.event_type, c.dialpad_call_id, c.received_at, to_char(c.received_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS received_at_exact,
                    c.payload, c.attempts, a.show_admin_recordings
               FROM claimed c JOIN apps a ON a.id = c.app_id
              ORDER BY c.received_at, c.id`,
      values: [limit, floor],
    });
    return rows;
  }

  /**
   * Reserves the next `count` stream positions of each app. The counter rows stay
   * locked until the caller's transaction commits, so positions are committed in
   * order per app (what makes `?since=` resume exact). Returns each app's last position.
   */
  async allocateStreamSeqs(client: PoolClient, counts: Map<string, number>): Promise<Map<string, number>> {
    if (counts.size === 0) return new Map();
    const apps = [...counts.keys()].sort();
    const { rows } = await client.query<{ app_id: string; last_seq: string }>({
      name: 'allocate-stream-seqs',
      text: `INSERT INTO app_event_streams (app_id, last_seq)
       SELECT * FROM unnest($1::uuid[], $2::bigint[]) ORDER BY 1
       ON CONFLICT (app_id) DO UPDATE SET last_seq = app_event_streams.last_seq + EXCLUDED.last_seq
       RETURNING app_id, last_seq`,
      values: [apps, apps.map((a) => counts.get(a)!)],
    });
    return new Map(rows.map((r) => [r.app_id, Number(r.last_seq)]));
  }

  /** Marks claimed events processed, with their stream positions and messages; `receivedAt` completes the key (one partition each). */
  async markProcessed(
    client: PoolClient,
    events: { id: string; receivedAt: string; streamSeq: number | null; broadcast: string | null }[],
  ): Promise<void> {
    if (events.length === 0) return;
    // unnamed: planned for these keys and bounds each time, so it reaches only their partitions (receivedAtBounds;
    // "Statement plans" in events/event-processor.service.ts)
    await client.query({
      text: `UPDATE webhook_events e SET processed_at = clock_timestamp(), last_error = NULL,
              stream_seq = d.stream_seq, broadcast = NULLIF(d.broadcast, 'null'::jsonb)
         FROM ROWS FROM (unnest($1::bigint[]), unnest($2::timestamptz[]), unnest($3::bigint[]), jsonb_array_elements($4::jsonb))
              AS d(id, received_at, stream_seq, broadcast)
        WHERE e.received_at BETWEEN $5::timestamptz AND $6::timestamptz AND e.id = d.id AND e.received_at = d.received_at`,
      values: [
        events.map((e) => e.id),
        events.map((e) => e.receivedAt),
        events.map((e) => e.streamSeq),
        jsonArrayOf(events.map((e) => e.broadcast)),
        ...receivedAtBounds(events.map((e) => e.receivedAt)),
      ],
    });
  }

  /** Records a failure: retried after `delayMs`, or dead-lettered when `dead`. */
  async markFailed(client: PoolClient, id: string, error: string, delayMs: number, dead: boolean): Promise<void> {
    await client.query(
      `UPDATE webhook_events
          SET attempts = attempts + 1, last_error = $2,
              next_attempt_at = clock_timestamp() + make_interval(secs => $3::double precision / 1000),
              dead_at = CASE WHEN $4::boolean THEN clock_timestamp() END
        WHERE id = $1`,
      [id, error.slice(0, 2000), delayMs, dead],
    );
  }

  async list(appId: AppId, status: EventStatus | undefined, limit: number, beforeId?: string): Promise<EventRow[]> {
    return await this.db.query<EventRow>(
      `SELECT id::text, dialpad_event_id, event_type, dialpad_call_id, ${STATUS_SQL} AS status, received_at,
              processed_at, attempts, last_error, next_attempt_at, dead_at
         FROM webhook_events
        WHERE app_id = $1 AND ($3::bigint IS NULL OR id < $3::bigint) ${status ? `AND ${STATUS_FILTER[status]}` : ''}
        ORDER BY webhook_events.id DESC LIMIT $2`,
      [appId, limit, beforeId ?? null],
    );
  }

  async findOne(appId: AppId, id: string): Promise<(EventRow & { payload_json: string }) | null> {
    const rows = await this.db.query<EventRow & { payload_json: string }>(
      `SELECT id::text, dialpad_event_id, event_type, dialpad_call_id, ${STATUS_SQL} AS status, received_at,
              processed_at, attempts, last_error, next_attempt_at, dead_at, payload::text AS payload_json
         FROM webhook_events WHERE app_id = $1 AND id = $2`,
      [appId, id],
    );
    return rows[0] ?? null;
  }

  /** Puts a dead (or processed) event back in the queue, due now. */
  async requeue(appId: AppId, id: string): Promise<boolean> {
    const count = await this.db.execute(
      `UPDATE webhook_events
          SET processed_at = NULL, dead_at = NULL, attempts = 0, next_attempt_at = clock_timestamp()
        WHERE app_id = $1 AND id = $2`,
      [appId, id],
    );
    return count > 0;
  }

  /** Queue depth and the age of the oldest due event, for metrics. */
  async queueStats(): Promise<{ depth: number; oldestAgeSeconds: number }> {
    const rows = await this.db.query<{ depth: number; age: number }>(
      `SELECT count(*)::int AS depth,
              COALESCE(EXTRACT(EPOCH FROM clock_timestamp() - min(received_at)), 0)::float AS age
         FROM webhook_events WHERE processed_at IS NULL AND dead_at IS NULL`,
    );
    return { depth: rows[0]?.depth ?? 0, oldestAgeSeconds: rows[0]?.age ?? 0 };
  }
}
