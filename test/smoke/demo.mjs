// Smoke test of `npm run demo` (the BUILT demo): `npm run build && node test/smoke/demo.mjs`.
// Plain Node ESM (no Jest). Runs `node dist/demo/demo.js` on spare ports with its own data
// directory and compressed call timings, waits for its banner, then checks what a person
// trying the demo would do: the console URL answers, the agent token starts a session and
// dials (the fake Dialpad rings and ends the call, the call row ends, a disposition is
// written to the fake Google Sheet), `demo:inbound` makes an inbound call row appear, and
// Ctrl-C (SIGINT) stops the demo, the service, its embedded PostgreSQL and the fakes.
// Prints one line per check; exits non-zero on the first failure, with the demo's last lines.
// Needs nothing running (embedded PostgreSQL, in-process Redis). DEMO_JS overrides the script.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, isAlive, portOpen, sleep } from '../../bench/lib.mjs';
import { check, CheckFailed, describeExit, fail, out, waitFor as waitForChild } from './checks.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const DEMO = resolve(ROOT, process.env.DEMO_JS ?? 'dist/demo/demo.js');
const INBOUND = join(dirname(DEMO), 'inbound.js');
const CAMPAIGN_SHEET = '1TurboCtiDemoCampaignSheet00000000000000000';
const CAMPAIGN_TAB = 'Spring Outreach';
const INBOUND_FROM = '+13125550142';

const started = Date.now();

/** Waits while the demo runs (fails at once if it exits). */
const waitFor = (what, timeoutMs, probe) => waitForChild(what, timeoutMs, probe, demo);

function startNode(script, args, env) {
  const proc = spawn(process.execPath, [script, ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const child = { proc, stdout: '', stderr: '', exit: undefined };
  child.exited = new Promise((resolveExit) => {
    proc.on('exit', (code, signal) => resolveExit((child.exit = { code, signal })));
    proc.on('error', (error) => resolveExit((child.exit = { code: null, signal: null, error })));
  });
  for (const stream of ['stdout', 'stderr']) {
    proc[stream].setEncoding('utf8');
    proc[stream].on('data', (chunk) => (child[stream] += chunk));
  }
  return child;
}

const waitExit = (child, ms) => Promise.race([child.exited, sleep(ms).then(() => undefined)]);

async function http(method, url, { headers = {}, body } = {}) {
  const res = await fetch(url, {
    method,
    headers: { ...headers, ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
    redirect: 'manual',
    signal: AbortSignal.timeout(10_000),
  });
  const text = await res.text();
  let json;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: res.status, text, json };
}

/** The fake Sheets' cells of one lead (by RowID), read over its HTTP API as the service reads them. */
async function leadCells(sheetsPort, rowId) {
  const range = encodeURIComponent(`'${CAMPAIGN_TAB}'`);
  const res = await http('GET', `http://127.0.0.1:${sheetsPort}/v4/spreadsheets/${CAMPAIGN_SHEET}/values/${range}`);
  const [header, ...rows] = res.json?.values ?? [];
  const row = rows.find((r) => r[header.indexOf('RowID')] === rowId);
  return row ? Object.fromEntries(header.map((h, i) => [h, row[i] ?? ''])) : undefined;
}

let demo;
let dataDir;

async function main() {
  if (!existsSync(DEMO)) fail(`${DEMO} is missing: run \`npm run build\` first`);
  const ports = { service: await freePort('0.0.0.0'), dialpad: await freePort('0.0.0.0'), sheets: await freePort('0.0.0.0'), pg: await freePort('0.0.0.0') };
  dataDir = await mkdtemp(join(tmpdir(), 'cti-demo-smoke-'));
  const env = { ...process.env, PORT: String(ports.service), DEMO_DIALPAD_PORT: String(ports.dialpad), DEMO_SHEETS_PORT: String(ports.sheets), DEMO_PG_PORT: String(ports.pg), DEMO_DATA_DIR: dataDir, DEMO_TIME_SCALE: '0.05' };
  for (const name of ['DEMO_PORT', 'DEMO_PUBLIC_BASE_URL', 'DEMO_FRESH', 'DEMO_CALLING_WINDOW', 'DATABASE_URL', 'REDIS_URL']) delete env[name];
  const base = `http://localhost:${ports.service}`;
  demo = startNode(DEMO, [], env);
  demo.label = 'the demo';

  let banner;
  await check('the demo prints its banner last: console URL, calls board, Swagger, the inbound command', async () => {
    await waitFor('the banner', 180_000, async () => /Ctrl-C stops everything\.\n=+\n$/.test(demo.stdout));
    const field = (label) => new RegExp(`^\\s*${label}:\\s+(\\S+)`, 'm').exec(demo.stdout)?.[1];
    banner = { console: field('Agent console'), board: field('Calls board'), swagger: field('Swagger UI') };
    if (!banner.console?.startsWith(`${base}/console`) || !/[#?&]token=/.test(banner.console)) fail(`console URL: ${banner.console}`);
    if (!banner.board?.startsWith(`${base}/console/calls#api_key=ctk_`)) fail(`calls board URL: ${banner.board}`);
    if (banner.swagger !== `${base}/docs`) fail(`Swagger URL: ${banner.swagger}`);
    if (!demo.stdout.includes(`DEMO_DIALPAD_PORT=${ports.dialpad} npm run demo:inbound`)) fail('no inbound command with the port');
    if (!/calling window: all hours/i.test(demo.stdout)) fail('does not say the calling window is all hours');
    banner.token = /[#?&]token=([^&#\s]+)/.exec(banner.console)?.[1];
    banner.apiKey = /api_key=(ctk_\w+)/.exec(banner.board)[1];
    if (!banner.token) fail('no token in the console URL');
    return `${((Date.now() - started) / 1000).toFixed(1)} s`;
  });

  const run = JSON.parse(readFileSync(join(dataDir, 'demo.pid'), 'utf8'));
  const postmaster = Number(readFileSync(join(dataDir, 'pg', 'postmaster.pid'), 'utf8').split('\n')[0]);

  await check('the console URL answers (404 until the console is built) and /health is ready', async () => {
    const page = await http('GET', banner.console.split('#')[0]);
    if (page.status !== 200 && page.status !== 404) fail(`GET /console answered ${page.status}`);
    const health = await http('GET', `${base}/health`);
    if (health.status !== 200) fail(`/health answered ${health.status}: ${health.text}`);
    return `/console ${page.status}${page.status === 404 ? ': console not built yet' : ''}`;
  });

  const agent = { authorization: `Bearer ${banner.token}` };
  await check("the console link's token starts a dialer session on the demo campaign", async () => {
    const res = await http('POST', `${base}/session/start`, { headers: { ...agent, 'idempotency-key': 'smoke-start' } });
    if (res.status !== 200 && res.status !== 201) fail(`POST /session/start answered ${res.status}: ${res.text}`);
    const session = res.json.session ?? res.json;
    if (session.state !== 'PLAY') fail(`session state ${session.state}`);
    return `${session.campaign_name}, agent ${session.agent_email}`;
  });

  const key = { 'x-app-api-key': banner.apiKey };
  let dial;
  await check('POST /dial: the fake Dialpad rings, then ends the call by itself; the call row ends', async () => {
    const res = await http('POST', `${base}/dial`, { headers: { ...agent, 'idempotency-key': 'smoke-dial-1' } });
    if (res.status !== 200 && res.status !== 201) fail(`POST /dial answered ${res.status}: ${res.text}`);
    dial = res.json;
    if (!dial.dialpad_call_id) fail(`no call placed: ${res.text}`);
    const call = await waitFor('the call to end', 20_000, async () => {
      const c = await http('GET', `${base}/api/calls/${dial.dialpad_call_id}`, { headers: key });
      return c.status === 200 && ['ended', 'missed'].includes(c.json.status) ? c.json : undefined;
    });
    return `${dial.name} ${dial.phone}: ${call.status}`;
  });

  await check('POST /disposition writes the lead to the (fake) Google Sheet', async () => {
    await waitFor('the attempt to end', 10_000, async () => {
      const s = await http('GET', `${base}/session/current`, { headers: agent });
      return s.json?.current_attempt?.status === 'ended';
    });
    // paused: the disposition does not chain the next dial, and the session can then stop
    const pause = await http('POST', `${base}/session/pause`, { headers: { ...agent, 'idempotency-key': 'smoke-pause' } });
    if (pause.status >= 300) fail(`POST /session/pause answered ${pause.status}: ${pause.text}`);
    const res = await http('POST', `${base}/disposition`, { headers: { ...agent, 'idempotency-key': 'smoke-dispo-1' }, body: { attempt_id: dial.attempt_id, code: 'NO_ANSWER' } });
    if (res.status !== 200 && res.status !== 201) fail(`POST /disposition answered ${res.status}: ${res.text}`);
    if (res.json.next) fail(`a paused session dialed on: ${res.text}`);
    const stop = await http('POST', `${base}/session/stop`, { headers: { ...agent, 'idempotency-key': 'smoke-stop' } });
    if (stop.status >= 300) fail(`POST /session/stop answered ${stop.status}: ${stop.text}`);
    const cells = await waitFor('the sheet write', 10_000, async () => {
      const c = await leadCells(ports.sheets, dial.row_id);
      return c?.[`Status${dial.number_index}`] === 'NO_ANSWER' ? c : undefined;
    });
    return `${dial.row_id} Status${dial.number_index}=NO_ANSWER, AttemptCount=${cells.AttemptCount}`;
  });

  await check('demo:inbound fires an inbound call: its row appears in GET /api/calls, then ends', async () => {
    const inbound = startNode(INBOUND, [INBOUND_FROM, 'Smoke Caller'], { ...process.env, DEMO_DIALPAD_PORT: String(ports.dialpad) });
    const exit = await waitExit(inbound, 15_000);
    if (exit?.code !== 0) fail(`inbound.js ${exit ? describeExit(exit) : 'hung'}: ${inbound.stderr || inbound.stdout}`);
    const row = await waitFor('the inbound call row', 10_000, async () => {
      const res = await http('GET', `${base}/api/calls?direction=inbound`, { headers: key });
      return res.json?.items?.find((c) => c.from_number === INBOUND_FROM);
    });
    const ended = await waitFor('the inbound call to end', 20_000, async () => {
      const c = await http('GET', `${base}/api/calls/${row.dialpad_call_id}`, { headers: key });
      return c.json?.status === 'ended' ? c.json : undefined;
    });
    return `${row.dialpad_call_id} ${row.status} → ${ended.status}, ${ended.duration_ms} ms`;
  });

  await check('Ctrl-C stops the demo, the service, its embedded PostgreSQL and the fakes', async () => {
    demo.proc.kill('SIGINT');
    const exit = await waitExit(demo, 45_000);
    if (!exit) fail('the demo did not exit within 45 s');
    if (exit.code !== 0) fail(`the demo exited with ${describeExit(exit)}`);
    if (!demo.stdout.includes('Demo stopped.')) fail('no "Demo stopped." line');
    for (const [what, pid] of [['service', run.service], ['PostgreSQL', postmaster]]) if (isAlive(pid)) fail(`the ${what} (pid ${pid}) still runs`);
    for (const [what, port] of Object.entries(ports)) if (await portOpen(port)) fail(`port ${port} (${what}) still open`);
    if (existsSync(join(dataDir, 'demo.pid'))) fail('demo.pid left behind');
    return `exit 0, service pid ${run.service} and PostgreSQL pid ${postmaster} gone, 4 ports closed`;
  });
}

async function cleanup() {
  if (demo && !demo.exit) {
    demo.proc.kill('SIGINT');
    if (!(await waitExit(demo, 30_000))) demo.proc.kill('SIGKILL');
  }
  // a service or PostgreSQL left by a failed run: stop them by their pids (never by name)
  if (dataDir) {
    try {
      const run = JSON.parse(readFileSync(join(dataDir, 'demo.pid'), 'utf8'));
      if (run.service && isAlive(run.service)) process.kill(run.service, 'SIGKILL');
    } catch {
      /* no run file */
    }
    try {
      const pid = Number(readFileSync(join(dataDir, 'pg', 'postmaster.pid'), 'utf8').split('\n')[0]);
      if (pid > 0 && isAlive(pid) && /postgres/.test(spawnSync('ps', ['-o', 'command=', '-p', String(pid)], { encoding: 'utf8' }).stdout)) process.kill(pid, 'SIGINT');
      await sleep(1000);
    } catch {
      /* no PostgreSQL */
    }
    await rm(dataDir, { recursive: true, force: true }).catch(() => undefined);
  }
}

try {
  await main();
  await cleanup();
  out(`\ndemo smoke: all checks passed in ${((Date.now() - started) / 1000).toFixed(1)} s`);
} catch (err) {
  if (!(err instanceof CheckFailed)) out(`FAIL  ${err instanceof Error ? err.stack : String(err)}`);
  if (demo) {
    out('\n--- demo stdout (last 40 lines) ---\n' + demo.stdout.trimEnd().split('\n').slice(-40).join('\n'));
    if (demo.stderr) out('--- demo stderr ---\n' + demo.stderr.trimEnd().split('\n').slice(-40).join('\n'));
  }
  if (dataDir && existsSync(join(dataDir, 'service.log'))) {
    out('--- service.log (last 30 lines) ---\n' + readFileSync(join(dataDir, 'service.log'), 'utf8').trimEnd().split('\n').slice(-30).join('\n'));
  }
  await cleanup();
  process.exitCode = 1;
}
