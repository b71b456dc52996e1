import { Inject, Injectable } from '@nestjs/common';
import type { Pool, PoolClient, QueryResultRow } from 'pg';
import { DataSource } from 'typeorm';

/**
 * Plain SQL over the DataSource's pg pool: what the repositories use. TypeORM
 * keeps migrations and the connection; queries here return rows for every
 * statement kind (TypeORM's `query()` returns `[rows, count]` for UPDATE/DELETE).
 */
@Injectable()
export class Sql {
  constructor(@Inject(DataSource) private readonly dataSource: DataSource) {}

  get pool(): Pool {
    return (this.dataSource.driver as unknown as { master: Pool }).master;
  }

  async query<T extends QueryResultRow = QueryResultRow>(text: string, params: unknown[] = []): Promise<T[]> {
    return (await this.pool.query<T>(text, params)).rows;
  }

  /** Number of rows the statement touched. */
  async execute(text: string, params: unknown[] = []): Promise<number> {
    return (await this.pool.query(text, params)).rowCount ?? 0;
  }

  /**
   * From here to the end of the caller's transaction, statements are planned for their
   * parameters each time (`plan_cache_mode = force_custom_plan`). For batch statements over
   * tables that grow from empty: a named statement otherwise settles on a generic plan after
   * five executions, and one made while `calls` or today's event partition was nearly empty
   * (a seq scan, a hash join over every partition) is kept for the connection's life unless an
   * ANALYZE invalidates it. The statements stay named, so they are still parsed once per connection.
   */
  async useCustomPlans(client: PoolClient): Promise<void> {
    await client.query('SET LOCAL plan_cache_mode = force_custom_plan');
  }

  /** Runs `fn` in a transaction on one connection; a connection that failed is not returned to the pool. */
  async transaction<T>(fn: (client: PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    // a connection killed mid-transaction emits 'error' on the client: the failing query reports it
    const ignore = () => undefined;
    client.on('error', ignore);
    try {
      await client.query('BEGIN');
      const result = await fn(client);
      await client.query('COMMIT');
      client.off('error', ignore);
      client.release();
      return result;
    } catch (err) {
      // the error that got us here is rethrown and the connection is discarded: a failed ROLLBACK adds nothing
      await client.query('ROLLBACK').catch(() => undefined);
      client.off('error', ignore);
      client.release(err as Error);
      throw err;
    }
  }
}
