// Smoke test of the BUILT service (dist/): `npm run build && npm run test:smoke`.
// Plain Node ESM (no Jest): starts `node dist/src/main.js` as a child process in
//   a. production mode (real PostgreSQL + Redis, secrets from the environment),
//   b. with an invalid ENCRYPTION_KEY (must refuse to start, naming the variable),
//   c. zero-infrastructure mode (no DATABASE_URL / REDIS_URL / secrets: embedded PostgreSQL),
// prints one line per check and exits non-zero on the first failure, with the child's last log lines.
// Needs PostgreSQL on 127.0.0.1:5432 (user postgres, trust auth) and Redis on 127.0.0.1:6379
// (or TEST_DATABASE_URL / TEST_REDIS_URL, as the e2e tests).
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { freePort, freshEvent, isAlive, portOpen, signJwt, sleep } from '../../bench/lib.mjs';
import { check, CheckFailed, describeExit, fail, out, waitFor } from './checks.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const MAIN = join(ROOT, 'dist/src/main.js');
const ADMIN_CLI = join(ROOT, 'dist/src/cli/admin.js');
const PG_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const PHONE_DIGITS = '5105550100';
const SECRET_VARS = ['DATABASE_URL', 'REDIS_URL', 'INTERNAL_JWT_SECRET', 'ENCRYPTION_KEY'];

const started = Date.now();
/** Cleanup steps, run last-in first-out whatever happens. */
const cleanups = [];
/** The child whose log lines are shown on a failure. */
let current;

/** The pids of a process's children (pgrep -P). */
function childrenOf(pid) {
  const found = spawnSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' });
  return found.stdout.split('\n').filter(Boolean).map(Number);
}

/** Starts a node script of dist/ with the given environment; collects its output line by line. */
function startNode(label, script, args, env) {
  const proc = spawn(process.execPath, [script, ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const child = { label, proc, lines: [], stdout: '', stderr: '', exit: undefined };
  child.exited = new Promise((resolveExit) => {
    proc.on('exit', (code, signal) => {
      child.exit = { code, signal };
      resolveExit(child.exit);
    });
    proc.on('error', (err) => {
      child.exit = { code: null, signal: null, error: err };
      resolveExit(child.exit);
    });
  });
  for (const stream of ['stdout', 'stderr']) {
    let partial = '';
    proc[stream].setEncoding('utf8');
    proc[stream].on('data', (chunk) => {
      child[stream] += chunk;
      const parts = (partial + chunk).split('\n');
      partial = parts.pop();
      for (const text of parts) child.lines.push({ stream, text });
    });
    proc[stream].on('end', () => partial && child.lines.push({ stream, text: partial }));
  }
  return child;
}

/** Starts the service and registers a cleanup that kills it if it is still running. */
function startService(label, env) {
  const child = startNode(label, MAIN, [], env);
  current = child;
  cleanups.push(async () => {
    if (child.exit) return;
    child.proc.kill('SIGTERM'); // graceful first: it stops its embedded PostgreSQL
    if (!(await waitExit(child, 10_000))) {
      child.proc.kill('SIGKILL');
      await child.exited;
    }
  });
  return child;
}

async function waitExit(child, timeoutMs) {
  return Promise.race([child.exited, sleep(timeoutMs).then(() => undefined)]);
}

/** Runs `node dist/src/cli/admin.js ...` to completion. */
async function runAdminCli(args, env) {
  const child = startNode(`admin ${args[0]}`, ADMIN_CLI, args, env);
  const exit = await waitExit(child, 30_000);
  if (!exit) {
    child.proc.kill('SIGKILL');
    await child.exited;
    fail(`admin ${args[0]} did not finish within 30 s`);
  }
  if (exit.code !== 0) fail(`admin ${args[0]} exited with ${describeExit(exit)}: ${child.stderr.trim().slice(-500)}`);
  return child.stdout;
}

async function http(base, path, init = {}) {
  const res = await fetch(base + path, { ...init, signal: AbortSignal.timeout(10_000) });
  const text = await res.text();
  let json;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json };
}

function expectStatus(res, status, what) {
  if (res.status !== status) fail(`${what}: expected ${status}, got ${res.status}: ${res.text.slice(0, 300)}`);
}

async function withPg(fn) {
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

function databaseUrl(name) {
  const url = new URL(PG_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

/** The service's stdout lines parsed as JSON (undefined for a line that is not JSON). */
function jsonLines(child) {
  return child.lines
    .filter((l) => l.stream === 'stdout' && l.text.trim())
    .map((l) => {
      try {
        return JSON.parse(l.text);
      } catch {
        return undefined;
      }
    });
}

async function findLogLine(child, predicate, what) {
  return waitFor(what, 5000, async () => jsonLines(child).find((l) => l && predicate(l)), child);
}

// ---------------------------------------------------------------- a. production mode

async function productionMode() {
  out('# a. production mode (PostgreSQL + Redis, secrets from the environment)');
  const hex = randomBytes(4).toString('hex');
  const dbName = `smoke_${hex}`;
  await check(`create database ${dbName}`, async () => {
    await withPg((c) => c.query(`CREATE DATABASE ${dbName}`));
  });
  cleanups.push(() =>
    withPg((c) => c.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`)).then(
      () => out(`ok    drop database ${dbName}`),
      (err) => out(`warn  could not drop database ${dbName}: ${err.message}`),
    ),
  );

  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const env = {
    ...process.env,
    DATABASE_URL: databaseUrl(dbName),
    REDIS_URL,
    REDIS_KEY_PREFIX: `smoke${hex}:`,
    INTERNAL_JWT_SECRET: randomBytes(32).toString('base64url'),
    ENCRYPTION_KEY: randomBytes(32).toString('hex'),
    PORT: String(port),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'info',
    LOG_PRETTY: 'false',
    // the processor in a child process (src/infra/process/processor-child.ts): checked below
    EVENT_PROCESSOR_PROCESS: 'child',
  };
  const service = startService('service (production mode)', env);

  await check('GET /health → 200 (within 30 s)', async () => {
    const t0 = Date.now();
    await waitFor('GET /health 200', 30_000, async () => (await http(base, '/health')).status === 200, service);
    return `${((Date.now() - t0) / 1000).toFixed(1)} s`;
  });

  await check('GET /docs → 200 HTML (Swagger UI)', async () => {
    const res = await http(base, '/docs');
    expectStatus(res, 200, 'GET /docs');
    if (!String(res.headers.get('content-type')).includes('text/html')) fail(`content-type ${res.headers.get('content-type')}`);
    if (!/swagger-ui/i.test(res.text)) fail('the page does not mention swagger-ui');
  });

  await check('GET /docs-json: CreateAppDto.name (swagger CLI plugin) and security schemes admin + api-key', async () => {
    const res = await http(base, '/docs-json');
    expectStatus(res, 200, 'GET /docs-json');
    const components = res.json?.components ?? {};
    if (!components.schemas?.CreateAppDto?.properties?.name) {
      fail('components.schemas.CreateAppDto.properties.name is missing: was the @nestjs/swagger CLI plugin run at build?');
    }
    for (const scheme of ['admin', 'api-key']) {
      if (!components.securitySchemes?.[scheme]) fail(`components.securitySchemes.${scheme} is missing`);
    }
  });

  let adminToken;
  await check('admin CLI mint-admin-token prints a JWT', async () => {
    adminToken = (await runAdminCli(['mint-admin-token'], env)).trim();
    if (!/^[\w-]+\.[\w-]+\.[\w-]+$/.test(adminToken)) fail(`not a JWT: ${adminToken.slice(0, 80)}`);
  });

  let apiKey;
  let smokeApp;
  await check('POST /internal/apps {name:"smoke"} with the admin token → 201 with api_key', async () => {
    const res = await http(base, '/internal/apps', {
      method: 'POST',
      headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'smoke' }),
    });
    expectStatus(res, 201, 'POST /internal/apps');
    apiKey = res.json?.api_key;
    if (typeof apiKey !== 'string' || !apiKey) fail(`no api_key in ${res.text.slice(0, 200)}`);
    smokeApp = res.json;
  });

  const requestId = `smoke-${hex}-me`;
  await check('GET /api/me with the API key → 200, x-request-id echoed', async () => {
    const res = await http(base, '/api/me', { headers: { 'x-app-api-key': apiKey, 'x-request-id': requestId } });
    expectStatus(res, 200, 'GET /api/me');
    if (res.json?.name !== 'smoke') fail(`unexpected body ${res.text.slice(0, 200)}`);
    if (res.headers.get('x-request-id') !== requestId) fail(`x-request-id answered ${res.headers.get('x-request-id')}`);
  });

  await check('log: a JSON "request completed" line with the x-request-id sent', async () => {
    const line = await findLogLine(service, (l) => l.msg === 'request completed' && l.request_id === requestId, 'the log line');
    if (line.status !== 200) fail(`status ${line.status} in ${JSON.stringify(line)}`);
  });

  const phoneRequestId = `smoke-${hex}-phone`;
  await check('log: a phone number in the URL is masked', async () => {
    const res = await http(base, `/api/me?phone=%2B1${PHONE_DIGITS}`, {
      headers: { 'x-app-api-key': apiKey, 'x-request-id': phoneRequestId },
    });
    expectStatus(res, 200, 'GET /api/me?phone=…');
    const line = await findLogLine(service, (l) => l.msg === 'request completed' && l.request_id === phoneRequestId, 'the log line');
    if (typeof line.url !== 'string' || !line.url.startsWith('/api/me?phone=')) fail(`url logged as ${JSON.stringify(line.url)}`);
    if (service.stdout.includes(PHONE_DIGITS) || service.stderr.includes(PHONE_DIGITS)) fail(`${PHONE_DIGITS} appears in the logs`);
    return `logged as ${line.url}`;
  });

  await check('admin CLI create-app "cli app" prints JSON with api_key', async () => {
    const stdout = await runAdminCli(['create-app', 'cli app'], env);
    const start = stdout.indexOf('{\n');
    let created;
    try {
      created = JSON.parse(stdout.slice(start));
    } catch {
      fail(`output is not JSON: ${stdout.slice(0, 300)}`);
    }
    if (created.name !== 'cli app' || typeof created.api_key !== 'string') fail(`unexpected output ${stdout.slice(0, 300)}`);
    if (start !== 0) fail(`other output before the JSON: ${stdout.slice(0, Math.min(start, 300))}`);
  });

  // the processor in a child process of its own (EVENT_PROCESSOR_PROCESS, src/infra/process/processor-child.ts)
  const processorPid = async () => {
    const line = await findLogLine(service, (l) => /event processor in its own process \(pid \d+\)/.test(l.msg ?? ''), 'the processor child log line');
    return Number(/pid (\d+)/.exec(line.msg)[1]);
  };
  /** Posts a new call's webhook and waits until the call is listed (processed). */
  const webhookProcessed = async () => {
    const [callId, json] = freshEvent();
    const res = await http(base, `/webhooks/dialpad/${smokeApp.id}`, { method: 'POST', headers: { 'content-type': 'application/jwt' }, body: signJwt(json, smokeApp.webhook_secret) });
    expectStatus(res, 200, 'POST /webhooks/dialpad');
    await waitFor(`call ${callId} listed`, 10_000, async () => {
      const calls = await http(base, `/api/calls?limit=50`, { headers: { 'x-app-api-key': apiKey } });
      return calls.json?.items?.some((c) => c.dialpad_call_id === callId);
    }, service);
  };
  let firstChild;
  let processorChildren = [];
  await check('the event processor runs in a child process; a webhook is processed there; its metrics are on /metrics', async () => {
    firstChild = await processorPid();
    if (!isAlive(firstChild)) fail(`processor pid ${firstChild} is not running`);
    await webhookProcessed();
    const metrics = await http(base, '/metrics');
    expectStatus(metrics, 200, 'GET /metrics');
    if (!/^cti_events_processed_total\{[^}]*process="processor"[^}]*\} [1-9]/m.test(metrics.text)) fail('no cti_events_processed_total of the processor process in /metrics');
    const types = metrics.text.split('\n').filter((l) => l.startsWith('# TYPE process_resident_memory_bytes ')).length;
    if (types !== 1) fail(`${types} TYPE lines for process_resident_memory_bytes (families must be merged)`);
    return `pid ${firstChild}`;
  });
  await check('the processor child killed with SIGKILL → restarted, and processing goes on', async () => {
    process.kill(firstChild, 'SIGKILL');
    await findLogLine(service, (l) => String(l.msg ?? '').includes(`(pid ${firstChild}) exited with SIGKILL: restarting it`), 'the restart log line');
    await webhookProcessed();
    processorChildren = childrenOf(service.proc.pid);
    if (processorChildren.length !== 1 || processorChildren[0] === firstChild) fail(`children of the service: ${processorChildren.join(', ') || 'none'}`);
    return `pid ${processorChildren[0]}`;
  });

  await check('every stdout line of the service is JSON', async () => {
    const lines = service.lines.filter((l) => l.stream === 'stdout' && l.text.trim());
    const bad = lines.find((l) => {
      try {
        return typeof JSON.parse(l.text) !== 'object';
      } catch {
        return true;
      }
    });
    if (bad) fail(`not JSON: ${bad.text.slice(0, 200)}`);
    return `${lines.length} lines`;
  });

  await check('SIGTERM → exit code 0 within 15 s', async () => {
    const t0 = Date.now();
    service.proc.kill('SIGTERM');
    const exit = await waitExit(service, 15_000);
    if (!exit) fail('still running after 15 s');
    if (exit.code !== 0) fail(`exited with ${describeExit(exit)}`);
    return `${((Date.now() - t0) / 1000).toFixed(1)} s`;
  });
  await check('the processor child stopped with it', async () => {
    const left = processorChildren.filter((pid) => isAlive(pid));
    if (left.length > 0) fail(`still running: ${left.join(', ')}`);
  });
}

// ---------------------------------------------------------------- b. configuration validation

async function validation() {
  out('# b. configuration validation');
  const env = {
    ...process.env,
    DATABASE_URL: databaseUrl('smoke_never_used'),
    REDIS_URL,
    INTERNAL_JWT_SECRET: randomBytes(32).toString('base64url'),
    ENCRYPTION_KEY: 'short',
    PORT: String(await freePort()),
  };
  const service = startService('service (ENCRYPTION_KEY=short)', env);
  await check('ENCRYPTION_KEY=short → exits non-zero within 10 s, stderr names ENCRYPTION_KEY', async () => {
    const exit = await waitExit(service, 10_000);
    if (!exit) fail('still running after 10 s');
    if (exit.code === 0) fail('exited with code 0');
    await sleep(50); // let the pipes drain
    if (!service.stderr.includes('ENCRYPTION_KEY')) fail(`stderr does not name ENCRYPTION_KEY: ${service.stderr.slice(0, 300)}`);
    return `exit ${describeExit(exit)}`;
  });
}

// ---------------------------------------------------------------- c. zero-infrastructure mode

async function zeroInfrastructure() {
  out('# c. zero-infrastructure mode (no DATABASE_URL, REDIS_URL or secrets: embedded PostgreSQL)');
  if (process.env.SMOKE_SKIP_EMBEDDED === '1') {
    out('SKIP  zero-infrastructure mode: SMOKE_SKIP_EMBEDDED=1 is set');
    return;
  }
  const dataDir = await mkdtemp(join(tmpdir(), 'turbo-cti-smoke-'));
  const pgPidFile = join(dataDir, 'pg', 'postmaster.pid');
  cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
  // if the service died without stopping its PostgreSQL, stop that one (by the pid it recorded)
  cleanups.push(async () => {
    if (!existsSync(pgPidFile)) return;
    const pid = Number(readFileSync(pgPidFile, 'utf8').split('\n')[0]);
    if (!Number.isInteger(pid) || pid <= 0) return;
    try {
      process.kill(pid, 'SIGINT');
      out(`warn  stopped the embedded PostgreSQL left running (pid ${pid})`);
    } catch {
      return; // not running
    }
    for (let i = 0; i < 40 && existsSync(pgPidFile); i++) await sleep(250);
  });

  const port = await freePort();
  const pgPort = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const env = { ...process.env };
  for (const name of SECRET_VARS) delete env[name];
  Object.assign(env, { PORT: String(port), EMBEDDED_PG_PORT: String(pgPort), DATA_DIR: dataDir, LOG_PRETTY: 'false' });
  const service = startService('service (zero-infrastructure mode)', env);

  await check('GET /health → 200 (within 90 s: the first start initialises PostgreSQL)', async () => {
    const t0 = Date.now();
    await waitFor('GET /health 200', 90_000, async () => (await http(base, '/health')).status === 200, service);
    return `${((Date.now() - t0) / 1000).toFixed(1)} s`;
  });

  let demoKey;
  let demoAdminToken;
  await check('stdout prints "Demo API key" and an admin token', async () => {
    await waitFor('the demo banner', 10_000, async () => /Admin token[^:]*:\s*\S+/.test(service.stdout), service);
    demoKey = /Demo API key:\s*(\S+)/.exec(service.stdout)?.[1];
    demoAdminToken = /Admin token[^:]*:\s*(\S+)/.exec(service.stdout)?.[1];
    if (!demoKey) fail('no "Demo API key" line on stdout');
  });

  await check('GET /docs → 200', async () => {
    expectStatus(await http(base, '/docs'), 200, 'GET /docs');
  });

  await check('GET /api/me with the demo API key → 200', async () => {
    expectStatus(await http(base, '/api/me', { headers: { 'x-app-api-key': demoKey } }), 200, 'GET /api/me');
  });

  await check('GET /internal/apps with the printed admin token → 200', async () => {
    expectStatus(await http(base, '/internal/apps', { headers: { authorization: `Bearer ${demoAdminToken}` } }), 200, 'GET /internal/apps');
  });

  await check('SIGTERM → exit code 0 within 15 s', async () => {
    service.proc.kill('SIGTERM');
    const exit = await waitExit(service, 15_000);
    if (!exit) fail('still running after 15 s');
    if (exit.code !== 0) fail(`exited with ${describeExit(exit)}`);
  });

  await check(`no PostgreSQL left listening on EMBEDDED_PG_PORT ${pgPort}`, async () => {
    await waitFor(`port ${pgPort} closed`, 3000, async () => !(await portOpen(pgPort)));
    if (existsSync(pgPidFile)) fail(`${pgPidFile} is still there`);
  });
}

// ---------------------------------------------------------------- main

async function runCleanups() {
  while (cleanups.length) {
    const step = cleanups.pop();
    try {
      await step();
    } catch (err) {
      out(`warn  cleanup: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
}

function showLastLines(child) {
  if (!child) return;
  out(`--- last log lines of ${child.label}${child.exit ? ` (exited: ${describeExit(child.exit)})` : ''}:`);
  for (const { stream, text } of child.lines.slice(-40)) out(`${stream === 'stderr' ? '[stderr] ' : ''}${text}`);
  out('---');
}

let interrupted = false;
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    interrupted = true;
    out(`interrupted (${signal}): cleaning up`);
    void runCleanups().finally(() => process.exit(130));
  });
}

let code = 0;
if (!existsSync(MAIN) || !existsSync(ADMIN_CLI)) {
  out(`FAIL  ${MAIN} not found: run \`npm run build\` first`);
  process.exit(1);
}
try {
  await productionMode();
  await validation();
  await zeroInfrastructure();
} catch (err) {
  code = 1;
  if (!(err instanceof CheckFailed)) out(`FAIL  ${err instanceof Error ? err.stack : String(err)}`);
  showLastLines(current);
} finally {
  await runCleanups();
}
const elapsed = `${((Date.now() - started) / 1000).toFixed(1)} s`;
out(code === 0 ? `smoke: all checks passed in ${elapsed}` : `smoke: FAILED after ${elapsed}`);
if (!interrupted) process.exit(code);
