import { randomBytes } from 'node:crypto';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DataSource } from 'typeorm';
import pg from 'pg';
import { mintAdminToken } from '../../src/auth/admin-token.js';
import { closeApp, createApp } from '../../src/bootstrap.js';
import { AppConfig, parseConfig } from '../../src/infra/config/app-config.js';
import { dataSourceOptions } from '../../src/infra/database/data-source-options.js';
import { runMigrations } from '../../src/infra/database/migrate.js';
import { databaseUrl, TEMPLATE_ENV, TEST_REDIS_CLUSTER_NODES, TEST_REDIS_URL, withAdminClient } from './pg-admin.js';

export interface TestDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

/** Creates and migrates the run's template database once (workers take turns under an advisory lock). */
async function ensureTemplate(template: string): Promise<void> {
  await withAdminClient(async (c) => {
    await c.query('SELECT pg_advisory_lock(hashtext($1))', [template]);
    try {
      const { rowCount } = await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [template]);
      if (rowCount) return;
      await c.query(`CREATE DATABASE ${template}`);
      const ds = new DataSource(dataSourceOptions(databaseUrl(template), { extra: { max: 2 } }));
      await ds.initialize();
      try {
        await runMigrations(ds);
      } finally {
        await ds.destroy();
      }
    } finally {
      await c.query('SELECT pg_advisory_unlock(hashtext($1))', [template]);
    }
  });
}

/** A fresh database cloned from the run's migrated template; dropped by `drop()`. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const template = process.env[TEMPLATE_ENV];
  if (!template) throw new Error('no template database: run e2e tests through jest (globalSetup)');
  await ensureTemplate(template);
  const name = `cti_t_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  await withAdminClient((c) => c.query(`CREATE DATABASE ${name} TEMPLATE ${template}`));
  return {
    name,
    url: databaseUrl(name),
    drop: () => withAdminClient((c) => dropDatabase(c, name)),
  };
}

/**
 * Drops a test database, first giving its connections up to a second to close: `pg.Pool.end()` resolves
 * before its clients have said goodbye, and a connection FORCE terminates while it is closing reaches the
 * test's pool as an unhandled 'error' event.
 */
async function dropDatabase(c: pg.Client, name: string): Promise<void> {
  for (let waited = 0; waited < 1000; waited += 20) {
    const { rows } = await c.query<{ n: number }>('SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1', [name]);
    if (rows[0]!.n === 0) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
}

export function testConfig(databaseUrlValue: string, env: Record<string, string> = {}): AppConfig {
  return parseConfig({
    DATABASE_URL: databaseUrlValue,
    ...(TEST_REDIS_CLUSTER_NODES ? { REDIS_CLUSTER_NODES: TEST_REDIS_CLUSTER_NODES } : { REDIS_URL: TEST_REDIS_URL }),
    REDIS_KEY_PREFIX: `t${randomBytes(4).toString('hex')}:`,
    INTERNAL_JWT_SECRET: randomBytes(32).toString('base64url'),
    ENCRYPTION_KEY: randomBytes(32).toString('hex'),
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    PORT: '0',
    // Swagger UI's static files load a CommonJS→ESM chain Jest cannot require on Node 22;
    // `npm run test:smoke` checks /docs on the built service instead
    SWAGGER_UI: 'false',
    // Google's per-user quotas are a test of their own (sheets-quota): elsewhere they never bind,
    // and a spreadsheet's queue is flushed every 20 ms instead of every second
    SHEETS_WRITE_REQUESTS_PER_MINUTE: '100000',
    SHEETS_READ_REQUESTS_PER_MINUTE: '100000',
    SHEETS_FLUSH_INTERVAL_MS: '20',
    ...env,
  });
}

export interface TestApp {
  app: NestFastifyApplication;
  config: AppConfig;
  db: TestDatabase;
  /** http://127.0.0.1:<port> */
  baseUrl: string;
  adminToken: string;
  close(): Promise<void>;
}

/** The whole service on a random port, over real PostgreSQL (own database) and Redis (own key prefix). */
export async function startTestApp(env: Record<string, string> = {}, db?: TestDatabase): Promise<TestApp> {
  const database = db ?? (await createTestDatabase());
  const config = testConfig(database.url, env);
  const app = await createApp(config);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    app,
    config,
    db: database,
    baseUrl: `http://127.0.0.1:${port}`,
    adminToken: await mintAdminToken(config.INTERNAL_JWT_SECRET, 'test-admin'),
    close: async () => {
      await closeApp(app, 2000);
      if (!db) await database.drop();
    },
  };
}
