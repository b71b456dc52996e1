import { Injectable } from '@nestjs/common';
import type { AppId } from '../../common/app-id.js';
import type { RowChanges } from '../../policy/policy.types.js';
import { Sql } from '../../infra/database/sql.js';

export interface NewOutboxEntry {
  spreadsheetId: string;
  tab: string;
  rowId: string;
  rowIndexHint: number | null;
  changes: RowChanges;
  /** why it was queued */
  reason: string;
  /** first try after this many ms */
  delayMs: number;
}

export interface OutboxEntry {
  id: string;
  appId: AppId;
  spreadsheetId: string;
  tab: string;
  rowId: string;
  rowIndexHint: number | null;
  changes: RowChanges;
  /** attempts so far, this one included */
  attempts: number;
}

export type OutboxStatus = 'pending' | 'done' | 'dead';

export interface OutboxRow extends OutboxEntry {
  status: OutboxStatus;
  lastError: string | null;
  createdAt: Date;
  doneAt: Date | null;
}

interface DbRow {
  id: string;
  app_id: AppId;
  spreadsheet_id: string;
  tab: string;
  row_id: string;
  row_index_hint: number | null;
  changes: RowChanges;
  attempts: number;
  last_error: string | null;
  created_at: Date;
  done_at: Date | null;
  dead_at: Date | null;
}

const PENDING = 'done_at IS NULL AND dead_at IS NULL';
const PENDING_O = 'o.done_at IS NULL AND o.dead_at IS NULL';
/**
 * A pending write the flusher may take now: due, not leased, and — unless the
 * sheet refused it (held: it waits for a person, the others go on) — no older
 * write of the spreadsheet still waiting for its retry: a newer write never
 * overtakes an older one that Google could not take yet.
 */
const CLAIMABLE = `o.next_attempt_at <= now() AND (o.locked_until IS NULL OR o.locked_until < now())
  AND (o.held OR NOT EXISTS (
    SELECT 1 FROM sheets_outbox w
    WHERE w.spreadsheet_id = o.spreadsheet_id AND w.id < o.id AND w.done_at IS NULL AND w.dead_at IS NULL AND NOT w.held
      AND (w.next_attempt_at > now() OR w.locked_until >= now())
  ))`;

/**
 * The only place SQL on `sheets_outbox` lives. Writes of one spreadsheet are
 * applied in id order: only the oldest pending entry of a spreadsheet is ever
 * claimed, under a lease (a node that dies mid-write lets it go when the lease
 * ends; the write is absolute values, so applying it twice is harmless).
 */
@Injectable()
export class SheetsOutboxRepository {
  constructor(private readonly db: Sql) {}

  /** Queues writes for one app, in order, in one statement. Returns their ids. */
  async enqueue(appId: AppId, entries: NewOutboxEntry[]): Promise<string[]> {
    if (entries.length === 0) return [];
    const rows = await this.db.query<{ id: string }>(
      `INSERT INTO sheets_outbox (app_id, spreadsheet_id, tab, row_id, row_index_hint, changes, last_error, next_attempt_at)
       SELECT $1, s, t, r, h, c, e, now() + make_interval(secs => d::double precision / 1000)
       FROM unnest($2::text[], $3::text[], $4::text[], $5::int[], $6::jsonb[], $7::text[], $8::int[]) WITH ORDINALITY AS u(s, t, r, h, c, e, d, n)
       ORDER BY n
       RETURNING id::text`,
      [
        appId,
        entries.map((e) => e.spreadsheetId),
        entries.map((e) => e.tab),
        entries.map((e) => e.rowId),
        entries.map((e) => e.rowIndexHint),
        entries.map((e) => JSON.stringify(e.changes)),
        entries.map((e) => e.reason),
        entries.map((e) => Math.max(0, Math.round(e.delayMs))),
      ],
    );
    return rows.map((r) => r.id);
  }

  /** Is any write to this spreadsheet still waiting? (a new write must queue behind it, or it would be overtaken) */
  async hasPending(spreadsheetId: string): Promise<boolean> {
    const rows = await this.db.query(`SELECT 1 FROM sheets_outbox WHERE spreadsheet_id = $1 AND ${PENDING} LIMIT 1`, [spreadsheetId]);
    return rows.length > 0;
  }

  /** Spreadsheets with writes the flusher may take now (see CLAIMABLE), oldest first. */
  async dueSpreadsheets(limit: number): Promise<string[]> {
    const rows = await this.db.query<{ spreadsheet_id: string }>(
      `SELECT o.spreadsheet_id FROM sheets_outbox o WHERE ${PENDING_O} AND ${CLAIMABLE}
       GROUP BY o.spreadsheet_id ORDER BY min(o.id) LIMIT $1`,
      [limit],
    );
    return rows.map((r) => r.spreadsheet_id);
  }

  /** Leases a spreadsheet's claimable writes, oldest first (up to `limit`), for one flush. */
  async claimSpreadsheet(spreadsheetId: string, limit: number, leaseMs: number): Promise<OutboxEntry[]> {
    const rows = await this.db.query<DbRow>(
      `UPDATE sheets_outbox u
       SET locked_until = now() + make_interval(secs => $3::double precision / 1000), attempts = u.attempts + 1
       WHERE u.id IN (
         SELECT o.id FROM sheets_outbox o
         WHERE o.spreadsheet_id = $1 AND ${PENDING_O} AND ${CLAIMABLE}
         ORDER BY o.id LIMIT $2 FOR UPDATE SKIP LOCKED
       )
       RETURNING u.id::text, u.app_id, u.spreadsheet_id, u.tab, u.row_id, u.row_index_hint, u.changes, u.attempts`,
      [spreadsheetId, limit, leaseMs],
    );
    return rows.map(toEntry).sort((a, b) => compareIds(a.id, b.id));
  }

  /** The sheet refused these (a lost column, a RowID twice): they wait for a person, out of the line the others keep. */
  async markHeld(ids: string[], delayMs: number, error: string): Promise<void> {
    if (ids.length === 0) return;
    await this.db.execute(
      `UPDATE sheets_outbox SET held = true, locked_until = NULL, last_error = $2, next_attempt_at = now() + make_interval(secs => $3::double precision / 1000)
       WHERE id = ANY($1::bigint[])`,
      [ids, error.slice(0, 2000), Math.max(0, Math.round(delayMs))],
    );
  }

  async markDoneMany(ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.db.execute(`UPDATE sheets_outbox SET done_at = now(), locked_until = NULL, last_error = NULL WHERE id = ANY($1::bigint[])`, [ids]);
  }

  async markRetryMany(ids: string[], delayMs: number, error: string): Promise<void> {
    if (ids.length === 0) return;
    await this.db.execute(
      `UPDATE sheets_outbox SET held = false, locked_until = NULL, last_error = $2, next_attempt_at = now() + make_interval(secs => $3::double precision / 1000)
       WHERE id = ANY($1::bigint[])`,
      [ids, error.slice(0, 2000), Math.max(0, Math.round(delayMs))],
    );
  }

  /**
   * The writes a read of the spreadsheet taken at `readAt` may not show yet:
   * every pending one, and those applied since (minus `marginMs` for clock
   * skew), oldest first. Decisions apply them on top of the cached tab.
   */
  async notYetRead(spreadsheetId: string, readAt: Date, marginMs = 2000): Promise<Pick<OutboxEntry, 'id' | 'tab' | 'rowId' | 'changes'>[]> {
    const rows = await this.db.query<Pick<DbRow, 'id' | 'tab' | 'row_id' | 'changes'>>(
      `SELECT id::text, tab, row_id, changes FROM sheets_outbox
       WHERE spreadsheet_id = $1 AND dead_at IS NULL
         AND (done_at IS NULL OR done_at >= $2::timestamptz - make_interval(secs => $3::double precision / 1000))
       ORDER BY sheets_outbox.id`,
      [spreadsheetId, readAt, marginMs],
    );
    return rows.map((r) => ({ id: r.id, tab: r.tab, rowId: r.row_id, changes: r.changes }));
  }

  /** The columns pending writes of these leads set, by tab NUL RowID. */
  async pendingColumns(spreadsheetId: string, rowIds: string[]): Promise<Map<string, Set<string>>> {
    const out = new Map<string, Set<string>>();
    if (rowIds.length === 0) return out;
    const rows = await this.db.query<{ tab: string; row_id: string; column: string }>(
      `SELECT DISTINCT tab, row_id, c->>'column' AS column
         FROM sheets_outbox, jsonb_array_elements(changes->'values') AS c
        WHERE spreadsheet_id = $1 AND row_id = ANY($2::text[]) AND ${PENDING}`,
      [spreadsheetId, rowIds],
    );
    for (const r of rows) {
      const key = `${r.tab}\u0000${r.row_id}`;
      out.set(key, (out.get(key) ?? new Set()).add(r.column));
    }
    return out;
  }

  /** Per spreadsheet: writes waiting and the oldest one's age (metrics). */
  async queueStats(): Promise<{ spreadsheetId: string; depth: number; oldestAgeMs: number }[]> {
    const rows = await this.db.query<{ spreadsheet_id: string; depth: number; age_ms: number }>(
      `SELECT spreadsheet_id, count(*)::int AS depth, (extract(epoch FROM now() - min(created_at)) * 1000)::float8 AS age_ms
       FROM sheets_outbox WHERE ${PENDING} GROUP BY spreadsheet_id`,
    );
    return rows.map((r) => ({ spreadsheetId: r.spreadsheet_id, depth: r.depth, oldestAgeMs: Math.max(0, r.age_ms) }));
  }

  /** Cannot ever be applied (the lead is gone, the sheet refuses it): kept, with the reason, never retried. */
  async markDead(id: string, error: string): Promise<void> {
    await this.db.execute(`UPDATE sheets_outbox SET dead_at = now(), locked_until = NULL, last_error = $2 WHERE id = $1`, [id, error.slice(0, 2000)]);
  }

  async depth(): Promise<number> {
    const rows = await this.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM sheets_outbox WHERE ${PENDING}`);
    return rows[0]?.n ?? 0;
  }

  /** An app's queued writes, newest first (ops). */
  async listForApp(appId: AppId, options: { status?: OutboxStatus; limit?: number } = {}): Promise<OutboxRow[]> {
    const filter = { pending: PENDING, done: 'done_at IS NOT NULL', dead: 'dead_at IS NOT NULL' }[options.status ?? 'pending'];
    const rows = await this.db.query<DbRow>(
      `SELECT id::text, app_id, spreadsheet_id, tab, row_id, row_index_hint, changes, attempts, last_error, created_at, done_at, dead_at
       FROM sheets_outbox WHERE app_id = $1 AND ${filter} ORDER BY sheets_outbox.id DESC LIMIT $2`,
      [appId, Math.min(options.limit ?? 100, 1000)],
    );
    return rows.map((r) => ({
      ...toEntry(r),
      status: r.dead_at ? 'dead' : r.done_at ? 'done' : 'pending',
      lastError: r.last_error,
      createdAt: r.created_at,
      doneAt: r.done_at,
    }));
  }

  /** Forgets applied writes older than `days`. */
  async purgeDone(days: number): Promise<number> {
    return this.db.execute(`DELETE FROM sheets_outbox WHERE done_at < now() - make_interval(days => $1::int)`, [days]);
  }
}

function toEntry(r: DbRow): OutboxEntry {
  return {
    id: r.id,
    appId: r.app_id,
    spreadsheetId: r.spreadsheet_id,
    tab: r.tab,
    rowId: r.row_id,
    rowIndexHint: r.row_index_hint,
    changes: r.changes,
    attempts: r.attempts,
  };
}

function compareIds(a: string, b: string): number {
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
}
