// Helpers shared by the benchmark scripts (plain Node, run against the built service in dist/).
import { spawn } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import { pathToFileURL } from 'node:url';
import autocannon from 'autocannon';
import pg from 'pg';

export const PG_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';

export function dbUrl(name) {
  const url = new URL(PG_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

export async function admin(sql) {
  const c = new pg.Client({ connectionString: PG_URL });
  await c.connect();
  try {
    return await c.query(sql);
  } finally {
    await c.end();
  }
}

/** A port free on `host` right now (the kernel's pick; closed again before it resolves). */
export function freePort(host = '127.0.0.1') {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, host, () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** Whether something accepts connections on 127.0.0.1:`port` (a connect that hangs a second counts as open). */
export function portOpen(port) {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.setTimeout(1000);
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('timeout', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

export function startProcess(script, env, label) {
  const child = spawn(process.execPath, [script], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const tail = [];
  const keep = (d) => {
    tail.push(...d.toString().split('\n').filter(Boolean));
    if (tail.length > 50) tail.splice(0, tail.length - 50);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  child.on('exit', (code, signal) => {
    if (code && code !== 0 && !child.stopping) process.stderr.write(`${label} exited ${code ?? signal}\n${tail.join('\n')}\n`);
  });
  child.tail = tail;
  child.stop = () =>
    new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.stopping = true;
      child.once('exit', resolve);
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 10_000).unref();
    });
  return child;
}

export async function waitHttp(url, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const res = await fetch(url);
      if (res.ok) return;
    } catch {
      /* not up yet */
    }
    if (Date.now() > deadline) throw new Error(`${url} not ready after ${timeoutMs} ms`);
    await sleep(100);
  }
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Whether a process still runs (EPERM: it does, as another user). */
export function isAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return err.code === 'EPERM';
  }
}

/** An HS256 JWT over the exact JSON text given (as Dialpad sends events when a secret is set). */
export function signJwt(json, secret) {
  const header = Buffer.from('{"alg":"HS256","typ":"JWT"}').toString('base64url');
  const body = Buffer.from(json).toString('base64url');
  const sig = createHmac('sha256', secret).update(`${header}.${body}`).digest('base64url');
  return `${header}.${body}.${sig}`;
}

const FIXTURE = readFileSync(new URL('../test/fixtures/dialpad/inbound-ringing.json', import.meta.url), 'utf8');
let nextCall = BigInt(6_000_000_000_000_000) + BigInt(randomBytes(4).readUInt32BE(0)) * 1000n;

/** A real-format Dialpad event (the inbound ringing fixture) for a fresh call id; returns [callId, json]. */
export function freshEvent(state = 'ringing') {
  const callId = String(nextCall++);
  const json = FIXTURE.replace(/"call_id": \d+/, `"call_id": ${callId}`).replace(/"state": "ringing"/, `"state": "${state}"`);
  return [callId, json];
}

export function percentile(values, p) {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

export function machine() {
  const cpus = os.cpus();
  return {
    cpu: `${cpus[0]?.model ?? 'unknown'} × ${cpus.length}`,
    memory_gib: Math.round(os.totalmem() / 2 ** 30),
    os: `${os.type()} ${os.release()}`,
    node: process.version,
  };
}

/** The build the scripts run: dist/, or BENCH_DIST (another build of the same tree, e.g. one a concurrent `npm run build` will not wipe). */
export const DIST = process.env.BENCH_DIST ? pathToFileURL(`${process.env.BENCH_DIST.replace(/\/$/, '')}/`) : new URL('../dist/', import.meta.url);

/**
 * The built service (dist/) as separate processes on a fresh, migrated database
 * of its own, sharing one Redis under its own key prefix — what the benchmark,
 * the cluster test and the fault test run against.
 */
export class ServiceStack {
  static async create(label) {
    if (!existsSync(new URL('src/main.js', DIST))) {
      process.stderr.write('dist/ is missing: run `npm run build` first\n');
      process.exit(1);
    }
    const { mintAdminToken } = await import(new URL('src/auth/admin-token.js', DIST).href);
    const stack = new ServiceStack(`${label}_${randomBytes(4).toString('hex')}`);
    stack.adminToken = await mintAdminToken(stack.secrets.INTERNAL_JWT_SECRET, label);
    await admin(`CREATE DATABASE ${stack.dbName}`);
    const migrate = startProcess(new URL('src/cli/migrate.js', DIST).pathname, { DATABASE_URL: stack.databaseUrl, ...stack.secrets }, 'migrate');
    await new Promise((resolve) => migrate.once('exit', resolve));
    return stack;
  }

  constructor(dbName) {
    this.dbName = dbName;
    this.databaseUrl = dbUrl(dbName);
    this.secrets = { INTERNAL_JWT_SECRET: randomBytes(32).toString('base64url'), ENCRYPTION_KEY: randomBytes(32).toString('hex') };
    this.children = [];
  }

  /** Starts one node on a free port (or `env.PORT`); resolves when /health answers. */
  async start(env = {}, label = 'service') {
    const port = env.PORT ? Number(env.PORT) : await freePort();
    const child = startProcess(
      new URL('src/main.js', DIST).pathname,
      {
        DATABASE_URL: this.databaseUrl,
        REDIS_URL,
        REDIS_KEY_PREFIX: `${this.dbName}:`,
        PORT: String(port),
        HOST: '127.0.0.1',
        LOG_LEVEL: 'warn',
        SWAGGER_UI: 'false',
        ...this.secrets,
        ...env,
      },
      label,
    );
    this.children.push(child);
    const base = `http://127.0.0.1:${port}`;
    // a node refused at start (bad configuration) says so at once, not after the wait
    const exited = new Promise((_, reject) => child.once('exit', (code, signal) => reject(new Error(`${label} exited ${code ?? signal} before /health answered`))));
    exited.catch(() => undefined);
    await Promise.race([waitHttp(`${base}/health`), exited]);
    return { child, base };
  }

  /** Creates an app (tenant) through a node's admin API: {id, api_key, webhook_secret, …}. */
  async createApp(base, name) {
    const res = await fetch(`${base}/internal/apps`, {
      method: 'POST',
      headers: { authorization: `Bearer ${this.adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name }),
    });
    if (res.status !== 201) throw new Error(`create app: ${res.status} ${await res.text()}`);
    return res.json();
  }

  /** Stops every node and drops the database. */
  async close() {
    await Promise.all(this.children.map((c) => c.stop()));
    await admin(`DROP DATABASE IF EXISTS ${this.dbName} WITH (FORCE)`).catch(() => undefined);
  }
}

/** The flags the console's browser runs use: headless, no sandbox, nothing fetched in the background. */
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** The machine's Chromium (CHROMIUM_PATH, default /usr/bin/chromium) driven by playwright-core, which never downloads one. */
export async function launchChromium() {
  const { chromium } = await import('playwright-core');
  return chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: CHROMIUM_ARGS });
}

/**
 * The demo's world (demo/world.ts, built) around one node of `stack`: the fake Google Sheets
 * (router + campaign) and the fake Dialpad (realistic calls, `realistic` timings) in this
 * process, the service pointed at them, an app with Dialpad connected and the dialer
 * configured. Returns the world (console and calls-board links, the app's key and webhook
 * secret), `base`, the fakes and `close()` (the fakes and the node; the stack drops the database).
 */
export async function startConsoleWorld(stack, { realistic = {}, leads, env = {} } = {}) {
  const world = await import(new URL('demo/world.js', DIST).href);
  const { sheets } = await world.startFakeSheets(leads ? { leads } : {});
  const dialpad = await world.startFakeDialpad({ realistic });
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  let svc = null;
  const close = async () => {
    await dialpad.close().catch(() => undefined);
    await svc?.child.stop();
    await sheets.close().catch(() => undefined);
  };
  try {
    svc = await stack.start({ PORT: String(port), ...world.fakesEnv({ dialpad, sheets, publicBase: base }), ...env });
    const links = await world.setUpWorld({ base, adminToken: stack.adminToken, appName: 'console world' });
    return { ...links, base, svc, dialpad, sheets, close };
  } catch (err) {
    await close();
    throw err;
  }
}

/** `n` webhook bodies, each a new call's event signed with the app's secret. */
export const webhookTokens = (secret, n) => Array.from({ length: n }, () => signJwt(freshEvent()[1], secret));

/**
 * Webhooks for `seconds`: autocannon with `connections` connections, each request the next of `tokens` (by
 * default 60,000 new calls' events, signed before the clock starts; they repeat only if used up), as fast as
 * they are taken or at `rate` per second overall. Resolves with autocannon's result and `sent`, the requests sent.
 */
export function ingestLoad(url, secret, { seconds = 10, connections = 50, rate = 0, tokens = webhookTokens(secret, 60_000) } = {}) {
  let i = 0;
  return new Promise((resolve, reject) => {
    autocannon(
      {
        url,
        method: 'POST',
        connections,
        duration: seconds,
        ...(rate > 0 ? { overallRate: rate } : {}),
        headers: { 'content-type': 'application/jwt' },
        requests: [{ setupRequest: (req) => ({ ...req, body: tokens[i++ % tokens.length] }) }],
      },
      (err, result) => (err ? reject(err) : resolve({ ...result, sent: i })),
    );
  });
}

/** How many stored events wait to be processed (neither processed nor dead-lettered). */
export async function waitingEvents(pool) {
  const { rows } = await pool.query(`SELECT count(*)::int AS n FROM webhook_events WHERE processed_at IS NULL AND dead_at IS NULL`);
  return rows[0].n;
}

/** Resolves with the milliseconds it took until no event waits; throws after `timeoutMs`. */
export async function drained(pool, timeoutMs = 60_000) {
  const started = Date.now();
  for (;;) {
    if ((await waitingEvents(pool)) === 0) return Date.now() - started;
    if (Date.now() - started > timeoutMs) throw new Error(`the event queue did not drain within ${timeoutMs} ms`);
    await sleep(100);
  }
}
