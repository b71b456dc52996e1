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
  const { MetricsService } = await import('./infra/metrics/metrics.service.js');
  const { answerParent, isProcessorChild, ProcessorChild, processorInChild } = await import('./infra/process/processor-child.js');
  const { IngestPressure } = await import('./events/ingest-pressure.js');
  const { availableParallelism } = await import('node:os');

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

  // the processor child of a web process (EVENT_PROCESSOR_PROCESS): a node that processes and does not listen
  const asChild = isProcessorChild();
  let stopEmbedded: (() => Promise<void>) | undefined;
  if (!config.DATABASE_URL) {
    logger.warn('DATABASE_URL is not set: starting an embedded PostgreSQL (single node, data in ' + config.DATA_DIR + ')');
    const pg = await startEmbeddedPostgres(config.DATA_DIR, config.EMBEDDED_PG_PORT, (m) => logger.log(m));
    config.DATABASE_URL = pg.url;
    stopEmbedded = pg.stop;
  }
  const processorApart = !asChild && processorInChild(config, availableParallelism());
  if (processorApart) config.EVENT_PROCESSOR_ENABLED = false;

  const app = await createApp(config);
  const metrics = app.get(MetricsService);
  const processor = processorApart
    ? new ProcessorChild({ ...process.env, DATABASE_URL: config.DATABASE_URL, EVENT_PROCESSOR_ENABLED: 'true', EVENT_PROCESSOR_PROCESS: 'inline' })
    : null;
  // Graceful shutdown: stop taking requests, let providers finish their work
  // (onModuleDestroy / beforeApplicationShutdown hooks), then stop the embedded database.
  const shutdown = (signal: string) => {
    logger.log(`${signal} received: shutting down`);
    setTimeout(() => {
      logger.error(`shutdown took longer than ${config.SHUTDOWN_GRACE_SECONDS}s: exiting`);
      process.exit(1);
    }, config.SHUTDOWN_GRACE_SECONDS * 1000).unref();
    (async () => {
      const graceMs = (config.SHUTDOWN_GRACE_SECONDS * 1000) / 2;
      // the processor child lets its batch in flight commit while this process finishes its requests
      await Promise.all([closeApp(app, graceMs), processor?.stop(graceMs)]);
      await stopEmbedded?.();
      process.exit(0);
    })().catch((err: unknown) => {
      logger.error(`shutdown failed: ${(err as Error).message}`, (err as Error).stack);
      process.exit(1);
    });
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
  if (asChild) {
    metrics.labelProcess('processor');
    const pressure = app.get(IngestPressure);
    answerParent(
      () => metrics.registry.getMetricsAsJSON(),
      () => shutdown('parent process gone'),
      (pressing) => pressure.pressedByParent(pressing),
    );
    logger.log(`processing events (pid ${process.pid}; the web process ${process.ppid} serves HTTP and this process's metrics)`);
    return;
  }
  if (processor) {
    processor.start();
    metrics.addSource(() => processor.metrics());
    // webhooks first: the child defers its batches while this process's webhooks queue
    app.get(IngestPressure).watch((pressing) => processor.pressure(pressing));
    logger.log(`event processor in its own process (pid ${processor.pid}); EVENT_PROCESSOR_PROCESS=inline keeps it in this one`);
  }
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
