import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { createApp } from './bootstrap.js';
import { ConfigError } from './infra/config/app-config.js';
import { loadConfig } from './infra/config/load-config.js';
import { startEmbeddedPostgres } from './infra/database/embedded-postgres.js';
import { ensureDemoApp } from './cli/demo.js';

async function main(): Promise<void> {
  let loaded;
  try {
    loaded = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(78); // EX_CONFIG
    }
    throw err;
  }
  const { config, notes } = loaded;
  const logger = new Logger('Bootstrap');
  notes.forEach((n) => logger.warn(n));

  let stopEmbedded: (() => Promise<void>) | undefined;
  if (!config.DATABASE_URL) {
    logger.warn('DATABASE_URL is not set: starting an embedded PostgreSQL (single node, data in ' + config.DATA_DIR + ')');
    const pg = await startEmbeddedPostgres(config.DATA_DIR, config.EMBEDDED_PG_PORT, (m) => logger.log(m));
    config.DATABASE_URL = pg.url;
    stopEmbedded = pg.stop;
  }

  const app = await createApp(config);
  // Graceful shutdown: stop taking requests, let providers finish their work
  // (onModuleDestroy / beforeApplicationShutdown hooks), then stop the embedded database.
  const shutdown = (signal: string) => {
    logger.log(`${signal} received: shutting down`);
    setTimeout(() => {
      logger.error(`shutdown took longer than ${config.SHUTDOWN_GRACE_SECONDS}s: exiting`);
      process.exit(1);
    }, config.SHUTDOWN_GRACE_SECONDS * 1000).unref();
    void (async () => {
      await app.close();
      await stopEmbedded?.();
      process.exit(0);
    })();
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
  await app.listen({ port: config.PORT, host: config.HOST });
  const base = config.PUBLIC_BASE_URL ?? `http://localhost:${config.PORT}`;
  logger.log(`listening on ${config.HOST}:${config.PORT} — docs ${base}/docs`);
  if (stopEmbedded) await ensureDemoApp(app, config, base);
}

main().catch((err: unknown) => {
  console.error('fatal: could not start', err);
  process.exit(1);
});
