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

  /**
   * A named statement: parsed and planned once per pooled connection, then reused (a generic plan after five
   * executions). Only for statements whose plan cannot depend on table statistics (no scan a growing table's size
   * could change); see "Statement plans" in src/events/event-processor.service.ts.
   */
  async prepared<T extends QueryResultRow = QueryResultRow>(name: string, text: string, params: unknown[] = []): Promise<T[]> {
    return (await this.pool.query<T>({ name, text, values: params })).rows;
  }

  /** Number of rows the statement touched. */
  async execute(text: string, params: unknown[] = []): Promise<number> {
    return (await this.pool.query(text, params)).rowCount ?? 0;
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
