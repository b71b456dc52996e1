import type { LoggerService } from '@nestjs/common';
import { type AppId, asAppId } from '../../src/common/app-id.js';
import { Test, type TestingModule } from '@nestjs/testing';
import type { AppConfig } from '../../src/infra/config/app-config.js';
import { ConfigModule } from '../../src/infra/config/config.module.js';
import { DatabaseModule } from '../../src/infra/database/database.module.js';
import { Sql } from '../../src/infra/database/sql.js';
import { MetricsModule } from '../../src/infra/metrics/metrics.module.js';
import { SheetsModule } from '../../src/integrations/sheets/sheets.module.js';
import { SheetsGateway } from '../../src/integrations/sheets/sheets.gateway.js';
import { createTestDatabase, testConfig, type TestDatabase } from './test-app.js';

export interface SheetsHarness {
  module: TestingModule;
  gateway: SheetsGateway;
  config: AppConfig;
  db: TestDatabase;
  sql: Sql;
  /** a tenant to own queued writes */
  appId: AppId;
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
  const module = await Test.createTestingModule({ imports: [ConfigModule.forRoot(config), DatabaseModule, MetricsModule, SheetsModule] })
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
    close: async () => {
      await module.close();
      if (!db) await database.drop();
    },
  };
}
