/**
 * `npm run demo`: the whole loop on one machine, no accounts, no Docker.
 *
 * Starts a fake Google Sheets (a router tab and a 50-lead campaign) and a fake
 * Dialpad (realistic calls: ringing, answered / unanswered / voicemail, hangup),
 * then the built service (`node dist/src/main.js`, embedded PostgreSQL and the
 * in-process Redis stand-in, data in .data/demo), and sets the world up through
 * the service's public API as an administrator would: an app, Dialpad connected
 * through OAuth, the webhook subscription, the dialer configuration, and a
 * console link for the agent. Prints the URLs last. Ctrl-C stops everything.
 *
 * Environment (all optional):
 *   PORT / DEMO_PORT       the service's port (4000)
 *   DEMO_DIALPAD_PORT      the fake Dialpad's port (4010; `npm run demo:inbound` posts there)
 *   DEMO_SHEETS_PORT       the fake Google Sheets' port (4020)
 *   DEMO_PG_PORT           the embedded PostgreSQL's port (54339)
 *   DEMO_DATA_DIR          data directory (.data/demo)
 *   DEMO_FRESH=1           start from an empty data directory
 *   DEMO_PUBLIC_BASE_URL   the service's URL as the browser sees it (http://localhost:<port>)
 *   DEMO_TIME_SCALE        multiplies the fake calls' timings (1; e.g. 0.1 for quick calls)
 *   DEMO_CALLING_WINDOW    e.g. 08:00-21:00 for the real calling window in each lead's local time (default: all hours)
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { mintAdminToken } from '../src/auth/admin-token.js';
import type { FakeDialpad } from './fakes/fake-dialpad.js';
import type { FakeSheets } from './fakes/fake-sheets.js';
import { CAMPAIGN_TAB, DEFAULT_DIALPAD_PORT, DEFAULT_SHEETS_PORT, DEMO_AGENT_EMAIL } from './seed.js';
import { ALL_HOURS, fakesEnv, setUpWorld, startFakeDialpad, startFakeSheets, WorldError } from './world.js';

const DEFAULT_PORT = 4000;
const DEFAULT_PG_PORT = 54339; // not npm start's 54329: both can run side by side
const START_TIMEOUT_MS = 180_000;

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = findRoot(HERE);
/** the service of the same build: dist/demo/demo.js → dist/src/main.js */
const MAIN = resolve(HERE, '../src/main.js');

const out = (line = '') => process.stdout.write(line + '\n');
const step = (line: string) => out(`  - ${line}`);

class DemoError extends Error {}

interface Ports {
  service: number;
  dialpad: number;
  sheets: number;
  pg: number;
}

interface RunFile {
  demo: number;
  service?: number;
}

let child: ChildProcess | null = null;
let dialpad: FakeDialpad | null = null;
let sheets: FakeSheets | null = null;
let runFile = '';
/** set once this demo has written the run file (a demo refused at start leaves another's alone) */
let ownsRunFile = false;
let stopping = false;

async function main(): Promise<void> {
  const ports: Ports = {
    service: portFrom('DEMO_PORT', portFrom('PORT', DEFAULT_PORT)),
    dialpad: portFrom('DEMO_DIALPAD_PORT', DEFAULT_DIALPAD_PORT),
    sheets: portFrom('DEMO_SHEETS_PORT', DEFAULT_SHEETS_PORT),
    pg: portFrom('DEMO_PG_PORT', DEFAULT_PG_PORT),
  };
  const dataDir = resolve(process.env.DEMO_DATA_DIR ?? join(ROOT, '.data/demo'));
  const publicBase = (process.env.DEMO_PUBLIC_BASE_URL ?? `http://localhost:${ports.service}`).replace(/\/+$/, '');
  const internal = `http://127.0.0.1:${ports.service}`;
  const timeScale = Number(process.env.DEMO_TIME_SCALE ?? '1');
  if (!(timeScale >= 0)) throw new DemoError(`DEMO_TIME_SCALE must be a number ≥ 0, not ${process.env.DEMO_TIME_SCALE}`);
  const window = callingWindow(process.env.DEMO_CALLING_WINDOW);
  if (!existsSync(MAIN)) throw new DemoError(`${rel(MAIN)} is missing: build first (npm run build), or use npm run demo`);

  out('Turbo CTI demo: fake Dialpad + fake Google Sheets + the real service, on this machine.');
  mkdirSync(dataDir, { recursive: true });
  runFile = join(dataDir, 'demo.pid');
  await takeOverFromPreviousRun(runFile);
  if (process.env.DEMO_FRESH === '1') {
    await stopOrphanPostgres(join(dataDir, 'pg'));
    rmSync(dataDir, { recursive: true, force: true });
    mkdirSync(dataDir, { recursive: true });
    step(`fresh data directory ${rel(dataDir)}`);
  }
  writeRunFile({ demo: process.pid });
  await ensurePortFree(ports.service, 'PORT', 'the service');
  const secrets = demoSecrets(dataDir);

  const fakeSheets = await listenOrExplain(() => startFakeSheets({ port: ports.sheets }), ports.sheets, 'DEMO_SHEETS_PORT', 'the fake Google Sheets');
  sheets = fakeSheets.sheets;
  step(`fake Google Sheets on ${sheets.url.replace(/\/$/, '')}: router tab and "${CAMPAIGN_TAB}" (${fakeSheets.leads} leads)`);
  dialpad = await listenOrExplain(() => startFakeDialpad({ port: ports.dialpad, realistic: { timeScale } }), ports.dialpad, 'DEMO_DIALPAD_PORT', 'the fake Dialpad');
  step(`fake Dialpad on ${dialpad.url}: realistic calls${timeScale !== 1 ? ` (timings × ${timeScale})` : ''}`);

  const logFile = join(dataDir, 'service.log');
  const logFd = openSync(logFile, 'a');
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: String(ports.service),
    DATA_DIR: dataDir,
    EMBEDDED_PG_PORT: String(ports.pg),
    INTERNAL_JWT_SECRET: secrets.INTERNAL_JWT_SECRET,
    ENCRYPTION_KEY: secrets.ENCRYPTION_KEY,
    ...fakesEnv({ dialpad, sheets, publicBase }),
  };
  for (const name of ['DATABASE_URL', 'REDIS_URL', 'GOOGLE_APPLICATION_CREDENTIALS', 'ROUTER_SPREADSHEET_ID', 'DEMO_PORT']) delete env[name];
  const startedAt = Date.now();
  child = spawn(process.execPath, [MAIN], { cwd: ROOT, env, stdio: ['ignore', logFd, logFd], detached: true });
  closeSync(logFd);
  writeRunFile({ demo: process.pid, service: child.pid! });
  child.once('exit', (code, signal) => {
    if (!stopping) void fail(`the service stopped unexpectedly (${signal ?? `exit code ${code}`})`, logFile);
  });
  step(`service starting (embedded PostgreSQL, data in ${rel(dataDir)}); its logs go to ${rel(logFile)} (tail -f it to follow)`);
  await waitForHealth(internal, logFile);
  step(`service up on ${publicBase} in ${((Date.now() - startedAt) / 1000).toFixed(1)} s`);

  const admin = await mintAdminToken(secrets.INTERNAL_JWT_SECRET, 'demo-admin', '12h');
  const world = await setUpWorld({ base: internal, publicBase, adminToken: admin, policy: { callingWindow: window.policy }, policyLabel: `calling window ${window.label}`, onStep: step });
  const inboundCommand = `${ports.dialpad !== DEFAULT_DIALPAD_PORT ? `DEMO_DIALPAD_PORT=${ports.dialpad} ` : ''}npm run demo:inbound`;
  const rule = '='.repeat(78);
  out(
    [
      '',
      rule,
      '  Turbo CTI demo is ready.',
      '',
      `  Agent console:  ${world.consoleUrl}`,
      `                  (agent ${DEMO_AGENT_EMAIL}; press Play: the dialer calls the 50 leads one by one)`,
      `  Calls board:    ${world.boardUrl}`,
      `  Swagger UI:     ${publicBase}/docs`,
      `  Admin token:    ${admin}`,
      `  App API key:    ${world.apiKey}`,
      '',
      `  Fire an inbound call to the agent:   ${inboundCommand}`,
      `                                       ${inboundCommand} -- +13125550199 "Jane Caller"`,
      '',
      `  Calls ring 2-6 s; about 60 % answer and talk 8-40 s, the rest ring out or reach voicemail${timeScale !== 1 ? ` (timings × ${timeScale})` : ''}.`,
      `  Calling window: ${window.label}${window.allHours ? ', so the demo dials at any time of day (production default: 08:00-21:00 in each lead\'s local time; DEMO_CALLING_WINDOW=08:00-21:00 to try it)' : ''}.`,
      `  Console link valid until ${world.consoleExpiresAt}. Service logs: ${rel(logFile)}`,
      '  Ctrl-C stops everything.',
      rule,
    ].join('\n'),
  );
}

// --- options ------------------------------------------------------------------------------

function callingWindow(spec: string | undefined): { policy: object; label: string; allHours: boolean } {
  if (!spec) return { policy: ALL_HOURS, label: 'all hours (00:00-24:00)', allHours: true };
  const m = /^(\d{2}:\d{2})-(\d{2}:\d{2})$/.exec(spec.trim());
  if (!m) throw new DemoError(`DEMO_CALLING_WINDOW must look like 08:00-21:00, not ${spec}`);
  return { policy: { enabled: true, start: m[1], end: m[2] }, label: `${m[1]}-${m[2]} in each lead's local time`, allHours: false };
}

// --- processes, ports, files ---------------------------------------------------------------

/**
 * A demo killed without its Ctrl-C (terminal closed, kill -9) may leave its
 * service running: stop it (its embedded PostgreSQL, if left too, is stopped by
 * the service's own start). A demo still running is left alone.
 */
async function takeOverFromPreviousRun(file: string): Promise<void> {
  if (!existsSync(file)) return;
  let previous: RunFile;
  try {
    previous = JSON.parse(readFileSync(file, 'utf8')) as RunFile;
  } catch {
    rmSync(file, { force: true });
    return;
  }
  if (previous.demo !== process.pid && isAlive(previous.demo) && /demo/.test(commandOf(previous.demo) ?? '')) {
    throw new DemoError(`another demo is running (pid ${previous.demo}) with this data directory: stop it (Ctrl-C in its terminal, or kill ${previous.demo}), or set DEMO_DATA_DIR and the DEMO_*PORT variables`);
  }
  if (previous.service && isAlive(previous.service) && /src\/main\.js/.test(commandOf(previous.service) ?? '')) {
    step(`stopping the service a previous demo left running (pid ${previous.service})`);
    process.kill(previous.service, 'SIGTERM');
    if (!(await waitGone(previous.service, 20_000))) {
      process.kill(previous.service, 'SIGKILL');
      await waitGone(previous.service, 5_000);
    }
  }
  rmSync(file, { force: true });
}

/** Before wiping a data directory: a PostgreSQL left running on it by a killed run is stopped first. */
async function stopOrphanPostgres(databaseDir: string): Promise<void> {
  const lockFile = join(databaseDir, 'postmaster.pid');
  if (!existsSync(lockFile)) return;
  const pid = Number(readFileSync(lockFile, 'utf8').split('\n')[0]);
  if (!Number.isInteger(pid) || pid <= 0 || !isAlive(pid) || !/postgres/.test(commandOf(pid) ?? '')) return;
  step(`stopping the PostgreSQL a previous run left running (pid ${pid})`);
  process.kill(pid, 'SIGINT');
  if (!(await waitGone(pid, 20_000))) throw new DemoError(`the PostgreSQL left by a previous run (pid ${pid}) did not stop: kill ${pid}, then try again`);
}

function writeRunFile(run: RunFile): void {
  writeFileSync(runFile, JSON.stringify(run) + '\n');
  ownsRunFile = true;
}

/** Generated once per data directory, kept beside the database they protect (same file as the service's demo mode). */
function demoSecrets(dataDir: string): { INTERNAL_JWT_SECRET: string; ENCRYPTION_KEY: string } {
  const file = join(dataDir, 'secrets.json');
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as { INTERNAL_JWT_SECRET: string; ENCRYPTION_KEY: string };
  const secrets = { INTERNAL_JWT_SECRET: randomBytes(32).toString('base64url'), ENCRYPTION_KEY: randomBytes(32).toString('hex') };
  writeFileSync(file, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  return secrets;
}

async function waitForHealth(base: string, logFile: string): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (stopping) return new Promise(() => undefined); // shutting down: the stop path exits
    const ok = await fetch(`${base}/health`, { signal: AbortSignal.timeout(2000) })
      .then((r) => r.status === 200)
      .catch(() => false);
    if (ok) return;
    await sleep(250);
  }
  throw new DemoError(`the service did not answer /health within ${START_TIMEOUT_MS / 1000} s; see ${rel(logFile)}`);
}

async function listenOrExplain<T>(start: () => Promise<T>, port: number, variable: string, what: string): Promise<T> {
  try {
    return await start();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') throw new DemoError(portTaken(port, variable, what));
    throw err;
  }
}

async function ensurePortFree(port: number, variable: string, what: string): Promise<void> {
  const free = await new Promise<boolean>((done) => {
    const probe = net.createServer();
    probe.once('error', () => done(false));
    probe.listen(port, '0.0.0.0', () => probe.close(() => done(true)));
  });
  if (!free) throw new DemoError(portTaken(port, variable, what));
}

function portTaken(port: number, variable: string, what: string): string {
  const lsof = spawnSync('lsof', ['-nP', `-iTCP:${port}`, '-sTCP:LISTEN', '-t'], { encoding: 'utf8' });
  const pid = Number(lsof.stdout?.split('\n')[0]);
  const holder = Number.isInteger(pid) && pid > 0 ? ` by pid ${pid} (${(commandOf(pid) ?? '?').slice(0, 100)})` : '';
  return `port ${port}, for ${what}, is in use${holder}: stop that process, or choose another port with ${variable}=<port>`;
}

function portFrom(variable: string, fallback: number): number {
  const raw = process.env[variable];
  if (raw === undefined || raw === '') return fallback;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new DemoError(`${variable} must be a port number, not ${raw}`);
  return port;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function commandOf(pid: number): string | undefined {
  const ps = spawnSync('ps', ['-o', 'command=', '-p', String(pid)], { encoding: 'utf8' });
  return ps.status === 0 ? ps.stdout.trim() : undefined;
}

async function waitGone(pid: number, timeoutMs: number): Promise<boolean> {
  for (const deadline = Date.now() + timeoutMs; Date.now() < deadline; ) {
    if (!isAlive(pid)) return true;
    await sleep(100);
  }
  return !isAlive(pid);
}

function waitExit(proc: ChildProcess, timeoutMs: number): Promise<boolean> {
  if (proc.exitCode !== null || proc.signalCode !== null) return Promise.resolve(true);
  return new Promise((done) => {
    const timer = setTimeout(() => done(false), timeoutMs);
    proc.once('exit', () => {
      clearTimeout(timer);
      done(true);
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function rel(path: string): string {
  const r = relative(process.cwd(), path);
  return r && !r.startsWith('..') ? r : path;
}

function findRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'demo'))) return dir;
    if (dir === dirname(dir)) return resolve(from, '../..');
  }
}

function lastLines(file: string, count: number): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-count).join('\n');
  } catch {
    return '(no log)';
  }
}

// --- stopping ---------------------------------------------------------------------------------

/** Fake Dialpad first (no more webhooks), then the service (SIGTERM: graceful, it stops its PostgreSQL), then the fake Sheets. */
async function stopAll(): Promise<void> {
  await dialpad?.close().catch(() => undefined);
  if (child && child.exitCode === null && child.signalCode === null) {
    child.kill('SIGTERM');
    if (!(await waitExit(child, 25_000))) {
      out('  the service did not stop within 25 s: killing it');
      child.kill('SIGKILL');
      await waitExit(child, 5_000);
    }
  }
  await sheets?.close().catch(() => undefined);
  if (ownsRunFile) rmSync(runFile, { force: true });
}

async function shutdown(signal: string): Promise<void> {
  if (stopping) {
    out(`${signal} again: killing the service now`);
    child?.kill('SIGKILL');
    process.exit(130);
  }
  stopping = true;
  out('');
  out('Stopping the demo (the service, its embedded PostgreSQL, the fakes)...');
  await stopAll();
  out('Demo stopped.');
  process.exit(0);
}

async function fail(message: string, logFile?: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  process.stderr.write(`\ndemo: ${message}\n`);
  if (logFile) process.stderr.write(`last lines of ${rel(logFile)}:\n${lastLines(logFile, 25)}\n`);
  await stopAll();
  process.exit(1);
}

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => void shutdown(signal));

main().catch((err: unknown) => {
  const message = err instanceof DemoError || err instanceof WorldError ? err.message : err instanceof Error ? (err.stack ?? err.message) : String(err);
  void fail(message, child ? join(dirname(runFile), 'service.log') : undefined);
});
