import { Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';

/** Arbitrary but fixed: every node takes the same advisory lock while migrating. */
const MIGRATION_LOCK_KEY = 727_001;

/**
 * Runs pending migrations under a session-level advisory lock, so nodes that
 * start together migrate one after the other (the later ones find nothing to do).
 * Needs two pool connections: one holds the lock while TypeORM migrates on another.
 */
export async function runMigrations(dataSource: DataSource): Promise<string[]> {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    await runner.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    return applied.map((m) => m.name);
  } finally {
    // a lock left held blocks the next migration until this connection closes: say so
    await runner.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch((err: unknown) => {
      new Logger('Migrations').error(`could not release the migration lock (${(err as Error).message}): other nodes wait until this connection closes`);
    });
    await runner.release();
  }
}
