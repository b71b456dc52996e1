import { Injectable } from '@nestjs/common';
import type { PoolClient } from 'pg';
import { Sql } from '../infra/database/sql.js';
import type { ExistingPartition, NewPartition } from './partition-plan.js';

/** The partitioned tables the retention job keeps. */
export const EVENT_LOG_TABLE = 'webhook_events';

/** A statement that would wait longer than this for a lock (a long query on the table) gives up: the next run tries again. */
const LOCK_TIMEOUT = '5s';
const KEY_BATCH = 10_000;
const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;

function ident(name: string): string {
  if (!IDENTIFIER.test(name)) throw new Error(`not a plain identifier: ${name}`);
  return `"${name}"`;
}

/**
 * The DDL of the event log's lifecycle (the rows' SQL stays in EventsRepository):
 * partitions as PostgreSQL lists them, created and dropped by day, and the
 * dedup keys (`webhook_event_keys`) trimmed to their window. Every method runs on
 * the caller's connection, the one holding the job's advisory lock.
 */
@Injectable()
export class EventLogPartitionsRepository {
  constructor(private readonly db: Sql) {}

  async withLockTimeout<T>(client: PoolClient, fn: () => Promise<T>): Promise<T> {
    await client.query(`SET lock_timeout = '${LOCK_TIMEOUT}'`);
    try {
      return await fn();
    } finally {
      await client.query('RESET lock_timeout');
    }
  }

  /** The table's partitions with their upper bounds (read back from the bound expression; null for MAXVALUE). */
  async list(client: PoolClient, table: string): Promise<ExistingPartition[]> {
    const { rows } = await client.query<{ name: string; upper: Date | null }>(
      `SELECT c.relname AS name,
              substring(pg_get_expr(c.relpartbound, c.oid) FROM $$TO \\('([^']+)'\\)$$)::timestamptz AS upper
         FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
        WHERE i.inhparent = $1::regclass
        ORDER BY upper NULLS LAST`,
      [table],
    );
    return rows;
  }

  async create(client: PoolClient, table: string, p: NewPartition): Promise<void> {
    await client.query(
      `CREATE TABLE IF NOT EXISTS ${ident(p.name)} PARTITION OF ${ident(table)}
         FOR VALUES FROM ('${p.from.toISOString()}') TO ('${p.to.toISOString()}')`,
    );
  }

  /** Drops a partition; answers how many rows it held and how many of them were never processed. */
  async drop(client: PoolClient, name: string): Promise<{ rows: number; unprocessed: number }> {
    const { rows } = await client.query<{ rows: number; unprocessed: number }>(
      `SELECT count(*)::int AS rows, count(*) FILTER (WHERE processed_at IS NULL AND dead_at IS NULL)::int AS unprocessed FROM ${ident(name)}`,
    );
    await client.query(`DROP TABLE ${ident(name)}`);
    return rows[0] ?? { rows: 0, unprocessed: 0 };
  }

  /** Forgets event identities received before `before`, in batches (short transactions). Returns how many. */
  async purgeKeys(before: Date): Promise<number> {
    let total = 0;
    for (;;) {
      const n = await this.db.execute(
        `DELETE FROM webhook_event_keys WHERE ctid IN (SELECT ctid FROM webhook_event_keys WHERE received_at < $1 LIMIT ${KEY_BATCH})`,
        [before],
      );
      total += n;
      if (n < KEY_BATCH) return total;
    }
  }

  /** Partition count and how far ahead (seconds from now to the newest upper bound), for metrics. */
  async stats(table: string): Promise<{ partitions: number; aheadSeconds: number }> {
    const rows = await this.db.query<{ partitions: number; ahead: number | null }>(
      `SELECT count(*)::int AS partitions,
              EXTRACT(EPOCH FROM max(substring(pg_get_expr(c.relpartbound, c.oid) FROM $$TO \\('([^']+)'\\)$$)::timestamptz) - now())::float AS ahead
         FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
        WHERE i.inhparent = $1::regclass`,
      [table],
    );
    return { partitions: rows[0]?.partitions ?? 0, aheadSeconds: rows[0]?.ahead ?? 0 };
  }
}
