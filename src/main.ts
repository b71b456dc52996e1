// First thing, before any dependency loads (static imports would run before this check:
// the application is loaded with import() below): the Node.js this code needs, as
// package.json's `engines` says (>=22.12 <23 || >=24).
/** Exit code when the environment cannot run the service (configuration, Node version). */
const EX_CONFIG = 78;
const [nodeMajor = 0, nodeMinor = 0] = process.versions.node.split('.').map(Number);
if (nodeMajor < 22 || (nodeMajor === 22 && nodeMinor < 12)) {
  process.stderr.write(
    `Turbo CTI needs Node.js 22.12 or newer (22 LTS or 24+), and this is Node ${process.version}. ` +
      'Get it with `source scripts/toolchain.sh` (a project-local Node 22, nothing else touched) or `nvm install 22 && nvm use 22`, then start again.\n',
  );
  process.exit(EX_CONFIG);
}

async function main(): Promise<void> {
  await import('reflect-metadata');
  const { Logger } = await import('@nestjs/common');
  const { PinoLogger } = await import('nestjs-pino');
  const { closeApp, createApp } = await import('./bootstrap.js');
  const { ConfigError } = await import('./infra/config/app-config.js');
  const { loadConfig } = await import('./infra/config/load-config.js');
  const { startEmbeddedPostgres } = await import('./infra/database/embedded-postgres.js');
  const { ensureDemoApp } = await import('./cli/demo.js');

  let loaded;
  try {
    loaded = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(EX_CONFIG);
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
    (async () => {
      await closeApp(app, (config.SHUTDOWN_GRACE_SECONDS * 1000) / 2);
      await stopEmbedded?.();
      process.exit(0);
    })().catch((err: unknown) => {
      logger.error(`shutdown failed: ${(err as Error).message}`, (err as Error).stack);
      process.exit(1);
    });
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
  await app.listen({ port: config.PORT, host: config.HOST });
  const base = config.PUBLIC_BASE_URL ?? `http://localhost:${config.PORT}`;
  logger.log(`listening on ${config.HOST}:${config.PORT} — docs ${base}/docs`);
  if (stopEmbedded) {
    const banner = await ensureDemoApp(app, config, base);
    // last and plain: after every start-up log line (a pretty-log transport writes from a worker thread)
    await new Promise<void>((resolve) => PinoLogger.root.flush(() => resolve()));
    process.stdout.write(banner);
  }
}

main().catch(async (err: unknown) => {
  // the real reason, whatever was thrown (embedded-postgres, for one, rejects with undefined)
  const { EmbeddedPostgresError } = await import('./infra/database/embedded-postgres.js').catch(() => ({ EmbeddedPostgresError: undefined }));
  const clear = EmbeddedPostgresError !== undefined && err instanceof EmbeddedPostgresError;
  const detail = err instanceof Error ? (clear ? err.message : (err.stack ?? err.message)) : `${String(err)} (a ${err === null ? 'null' : typeof err} was thrown, not an Error)`;
  console.error(`fatal: could not start: ${detail}`);
  process.exit(1);
});
