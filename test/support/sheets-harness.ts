import type { LoggerService } from '@nestjs/common';
import { type AppId, asAppId } from '../../src/common/app-id.js';
import { Test, type TestingModule } from '@nestjs/testing';
import type { AppConfig } from '../../src/infra/config/app-config.js';
import { ConfigModule } from '../../src/infra/config/config.module.js';
import { DatabaseModule } from '../../src/infra/database/database.module.js';
import { Sql } from '../../src/infra/database/sql.js';
import { MetricsModule } from '../../src/infra/metrics/metrics.module.js';
import { RedisModule } from '../../src/infra/redis/redis.module.js';
import { SheetsModule } from '../../src/integrations/sheets/sheets.module.js';
import { SheetsGateway } from '../../src/integrations/sheets/sheets.gateway.js';
import { SheetsOutboxWorker } from '../../src/integrations/sheets/sheets-outbox.worker.js';
import { createTestDatabase, testConfig, type TestDatabase } from './test-app.js';

export interface SheetsHarness {
  module: TestingModule;
  gateway: SheetsGateway;
  config: AppConfig;
  db: TestDatabase;
  sql: Sql;
  /** a tenant to own queued writes */
  appId: AppId;
  /** Resolves once every queued write Google can take now is applied (none pending but those held for a person). */
  flushed(timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

const quiet: LoggerService = { log: () => undefined, error: () => undefined, warn: () => undefined, debug: () => undefined, verbose: () => undefined };

/**
 * SheetsModule alone ("medium" test): its real repository on its own
 * PostgreSQL database, the real googleapis client talking HTTP to a fake
 * Sheets server (env SHEETS_API_ROOT_URL). Pass `db` to share a database
 * between two harnesses (a restart).
 */
export async function startSheetsHarness(env: Record<string, string>, db?: TestDatabase): Promise<SheetsHarness> {
  const database = db ?? (await createTestDatabase());
  const config = testConfig(database.url, env);
  const module = await Test.createTestingModule({ imports: [ConfigModule.forRoot(config), DatabaseModule, MetricsModule, RedisModule, SheetsModule] })
    .setLogger(process.env.TEST_LOG_LEVEL ? console : quiet)
    .compile();
  await module.init();
  const sql = module.get(Sql);
  const [app] = await sql.query<{ id: AppId }>(`SELECT id FROM apps ORDER BY created_at LIMIT 1`);
  const appId = app?.id ?? asAppId((await sql.query<{ id: string }>(`INSERT INTO apps (name, webhook_secret_enc) VALUES ('sheets test', 'unused') RETURNING id`))[0]!.id);
  return {
    module,
    gateway: module.get(SheetsGateway),
    config,
    db: database,
    sql,
    appId,
    flushed: (timeoutMs = 10_000) => waitForFlush(sql, module.get(SheetsOutboxWorker), timeoutMs),
    close: async () => {
      await module.close();
      if (!db) await database.drop();
    },
  };
}

/** Waits until no write is pending in the queue (held ones aside), then for the flusher's pass to end. */
export async function waitForFlush(sql: Sql, worker: SheetsOutboxWorker, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const [row] = await sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM sheets_outbox WHERE done_at IS NULL AND dead_at IS NULL AND NOT held`);
    if ((row?.n ?? 0) === 0) break;
    if (Date.now() > deadline) throw new Error(`${row?.n} Sheets write(s) still queued after ${timeoutMs} ms`);
    worker.wake();
    await new Promise((r) => setTimeout(r, 10));
  }
  const idle = await Promise.race([worker.idle().then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), Math.max(0, deadline - Date.now())).unref())]);
  if (!idle) throw new Error(`the Sheets flusher's pass did not end within ${timeoutMs} ms`);
}
