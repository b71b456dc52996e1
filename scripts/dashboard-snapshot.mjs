// `npm run snapshot:dashboard` (= `npm run build && node scripts/dashboard-snapshot.mjs`):
// a real screenshot of the ops dashboard, docs/dashboard.png, without Grafana.
//
// 1. starts the built demo (`node dist/demo/demo.js`: fake Dialpad, fake Google Sheets, the
//    service with its embedded PostgreSQL) on spare ports, in a temporary data directory;
// 2. starts the machine's Prometheus (`prometheus`, on PATH) scraping the service's /metrics
//    every second, with deploy/prometheus/alerts.yml as its rule file when promtool accepts it;
// 3. drives real traffic for TRAFFIC_SECONDS (150): inbound calls through the fake Dialpad
//    (POST /_demo/inbound, a few per second), an agent's dialer shift through the service's API
//    (session start, dial, disposition after each call), and two WebSocket clients (the calls
//    board's and the agent's);
// 4. queries Prometheus (query_range over the traffic window) for every target of every panel
//    of deploy/grafana/dashboards/turbo-cti.json and renders the panels (their gridPos on a
//    24-column grid, units, legendFormat) as HTML with inline SVG, which Chromium (playwright-core,
//    CHROMIUM_PATH or /usr/bin/chromium) screenshots at 1600 px wide to docs/dashboard.png.
//    A panel whose queries return nothing says "No data": no number here is made up;
// 5. stops what it started (Chromium, Prometheus, the demo) and removes its temporary files.
//
// Environment: TRAFFIC_SECONDS (150), SNAPSHOT_OUT (docs/dashboard.png), PROMETHEUS (prometheus),
// PROMTOOL (promtool), CHROMIUM_PATH (/usr/bin/chromium), KEEP_TMP=1 keeps the temporary directory.
// Exits 0 with the screenshot written, else non-zero with the step that failed.
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { freePort, isAlive, sleep } from '../bench/lib.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const DEMO = join(ROOT, 'dist/demo/demo.js');
const SEED = join(ROOT, 'dist/demo/seed.js');
const DASHBOARD = join(ROOT, 'deploy/grafana/dashboards/turbo-cti.json');
const ALERTS = join(ROOT, 'deploy/prometheus/alerts.yml');
const OUT = resolve(ROOT, process.env.SNAPSHOT_OUT ?? 'docs/dashboard.png');
const PROMETHEUS = process.env.PROMETHEUS ?? 'prometheus';
const PROMTOOL = process.env.PROMTOOL ?? 'promtool';
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const TRAFFIC_SECONDS = Number(process.env.TRAFFIC_SECONDS ?? '150');
const SCRAPE_SECONDS = 1;
const WIDTH = 1600;

const started = Date.now();
const out = (line = '') => process.stdout.write(line + '\n');
const elapsed = () => `${((Date.now() - started) / 1000).toFixed(0)} s`;
const step = (line) => out(`[${elapsed().padStart(5)}] ${line}`);

class StepFailed extends Error {}
const fail = (message) => {
  throw new StepFailed(message);
};

// --- processes --------------------------------------------------------------------------------

/** @type {{ proc: import('node:child_process').ChildProcess, name: string, output: string, exit?: {code: number|null, signal: string|null} }[]} */
const children = [];
let tmp = '';
let browser = null;
const sockets = [];

function startProcess(name, command, args, env = process.env) {
  const proc = spawn(command, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const child = { proc, name, output: '', exit: undefined };
  child.exited = new Promise((done) => {
    proc.on('exit', (code, signal) => done((child.exit = { code, signal })));
    proc.on('error', (error) => done((child.exit = { code: null, signal: null, error })));
  });
  for (const stream of [proc.stdout, proc.stderr]) {
    stream.setEncoding('utf8');
    stream.on('data', (chunk) => {
      child.output += chunk;
      if (child.output.length > 400_000) child.output = child.output.slice(-200_000);
    });
  }
  children.push(child);
  return child;
}

const describeExit = (exit) => (exit.error ? exit.error.message : exit.signal ? `signal ${exit.signal}` : `exit code ${exit.code}`);
const lastLines = (text, n = 20) => text.trimEnd().split('\n').slice(-n).join('\n');

async function stopProcess(child, signal, timeoutMs) {
  if (child.exit) return;
  child.proc.kill(signal);
  const gone = await Promise.race([child.exited.then(() => true), sleep(timeoutMs).then(() => false)]);
  if (!gone) {
    step(`${child.name} did not stop within ${timeoutMs / 1000} s: killing it`);
    child.proc.kill('SIGKILL');
    await Promise.race([child.exited, sleep(5000)]);
  }
}

async function waitFor(what, timeoutMs, child, probe) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child?.exit) fail(`${what}: ${child.name} exited first (${describeExit(child.exit)})\n${lastLines(child.output)}`);
    const result = await probe().catch(() => undefined);
    if (result) return result;
    if (Date.now() > deadline) fail(`${what}: not within ${Math.round(timeoutMs / 1000)} s${child ? `\n${lastLines(child.output)}` : ''}`);
    await sleep(250);
  }
}

async function http(method, url, { headers = {}, body, timeoutMs = 10_000 } = {}) {
  const res = await fetch(url, {
    method,
    headers: { ...headers, ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const text = await res.text();
  let json;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json };
}

// --- 1. the demo ------------------------------------------------------------------------------

async function startDemo() {
  if (!existsSync(DEMO)) fail(`${relative(ROOT, DEMO)} is missing: build first (npm run build), or use npm run snapshot:dashboard`);
  const ports = { service: await freePort(), dialpad: await freePort(), sheets: await freePort(), pg: await freePort() };
  const dataDir = join(tmp, 'demo');
  const env = {
    ...process.env,
    PORT: String(ports.service),
    DEMO_DIALPAD_PORT: String(ports.dialpad),
    DEMO_SHEETS_PORT: String(ports.sheets),
    DEMO_PG_PORT: String(ports.pg),
    DEMO_DATA_DIR: dataDir,
    DEMO_FRESH: '1',
    DEMO_TIME_SCALE: '0.1',
  };
  for (const name of ['DEMO_PORT', 'DEMO_PUBLIC_BASE_URL', 'DEMO_CALLING_WINDOW', 'DATABASE_URL', 'REDIS_URL']) delete env[name];
  const demo = startProcess('the demo', process.execPath, [DEMO], env);
  step(`demo starting (service :${ports.service}, fake Dialpad :${ports.dialpad}, fake Sheets :${ports.sheets}, PostgreSQL :${ports.pg})`);
  await waitFor('the demo banner', 240_000, demo, async () => /Ctrl-C stops everything\./.test(demo.output));
  const field = (label) => new RegExp(`^\\s*${label}:\\s+(\\S+)`, 'm').exec(demo.output)?.[1];
  const consoleUrl = field('Agent console');
  const boardUrl = field('Calls board');
  const token = consoleUrl && /[#?&]token=([^&#\s]+)/.exec(consoleUrl)?.[1];
  const apiKey = boardUrl && /api_key=(ctk_\w+)/.exec(boardUrl)?.[1];
  if (!token || !apiKey) fail(`the demo's banner has no agent token or API key:\n${lastLines(demo.output)}`);
  step('demo ready');
  return { demo, ports, dataDir, base: `http://127.0.0.1:${ports.service}`, token, apiKey };
}

// --- 2. Prometheus ----------------------------------------------------------------------------

async function startPrometheus(servicePort) {
  const which = spawnSync(PROMETHEUS, ['--version'], { encoding: 'utf8' });
  if (which.status !== 0) fail(`${PROMETHEUS} --version failed (${which.error?.message ?? which.stderr}): install Prometheus or set PROMETHEUS`);
  const dir = join(tmp, 'prometheus');
  mkdirSync(join(dir, 'data'), { recursive: true });
  const check = spawnSync(PROMTOOL, ['check', 'rules', ALERTS], { encoding: 'utf8' });
  const withRules = check.status === 0;
  if (!withRules) step(`promtool check rules ${relative(ROOT, ALERTS)} failed (${(check.error?.message ?? check.stdout + check.stderr).trim()}): Prometheus runs without the alert rules`);
  const config = [
    'global:',
    `  scrape_interval: ${SCRAPE_SECONDS}s`,
    `  scrape_timeout: ${SCRAPE_SECONDS}s`,
    `  evaluation_interval: ${SCRAPE_SECONDS}s`,
    ...(withRules ? ['rule_files:', `  - ${JSON.stringify(ALERTS)}`] : []),
    'scrape_configs:',
    '  - job_name: turbo-cti',
    '    metrics_path: /metrics',
    '    static_configs:',
    `      - targets: ['127.0.0.1:${servicePort}']`,
    '',
  ].join('\n');
  const configFile = join(dir, 'prometheus.yml');
  writeFileSync(configFile, config);
  const port = await freePort();
  const prom = startProcess('Prometheus', PROMETHEUS, [`--config.file=${configFile}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn']);
  const base = `http://127.0.0.1:${port}`;
  await waitFor('Prometheus ready', 60_000, prom, async () => (await http('GET', `${base}/-/ready`)).status === 200);
  await waitFor('the first scrape of /metrics', 30_000, prom, async () => {
    const res = await http('GET', `${base}/api/v1/targets`);
    const target = res.json?.data?.activeTargets?.[0];
    if (target?.health === 'down') step(`scrape of /metrics failing: ${target.lastError}`);
    return target?.health === 'up';
  });
  step(`Prometheus on ${base}, scraping /metrics every ${SCRAPE_SECONDS} s${withRules ? `, rules ${relative(ROOT, ALERTS)}` : ''}`);
  return { prom, base, withRules, firstScrapeAt: Date.now() };
}

// --- 3. traffic -------------------------------------------------------------------------------

const stats = { inbound: 0, inboundFailed: 0, dials: 0, dialsHeld: 0, dispositions: 0, dialerErrors: [], nothingToDial: '', wsMessages: 0, wsOpen: 0 };

async function inboundTraffic(ctx, until) {
  const { demoLeads } = await import(pathToFileURL(SEED).href);
  const leads = demoLeads();
  const inFlight = new Set();
  const t0 = Date.now();
  while (Date.now() < until) {
    // 2 calls/s in the first third, 5/s in the middle, 3/s at the end: a shape the charts can show
    const third = (Date.now() - t0) / (until - t0);
    const perSecond = third < 1 / 3 ? 2 : third < 2 / 3 ? 5 : 3;
    const lead = leads[Math.floor(Math.random() * leads.length)];
    const from = String(lead.Num1).replace(/[^\d+]/g, '');
    const body = { from: from.startsWith('+') ? from : `+1${from.replace(/^1(?=\d{10}$)/, '')}`, contact_name: String(lead.Name) };
    const p = http('POST', `http://127.0.0.1:${ctx.ports.dialpad}/_demo/inbound`, { body })
      .then((res) => (res.status < 300 ? stats.inbound++ : (stats.inboundFailed++, stats.lastInboundError = `${res.status} ${res.text.slice(0, 200)}`)))
      .catch((err) => (stats.inboundFailed++, (stats.lastInboundError = err.message)))
      .finally(() => inFlight.delete(p));
    inFlight.add(p);
    await sleep((1000 / perSecond) * (0.5 + Math.random()));
  }
  await Promise.all(inFlight);
}

/** One agent's shift, as the console does it: start, dial, and a disposition after each call; the next dial chains (or is scheduled by Dialpad's rate limit). */
async function dialerShift(ctx, until) {
  const agent = { authorization: `Bearer ${ctx.token}` };
  const api = (method, path, body) => http(method, `${ctx.base}${path}`, { headers: agent, body });
  const start = await api('POST', '/session/start', {});
  if (start.status !== 200 && start.status !== 201) {
    stats.dialerErrors.push(`POST /session/start ${start.status}: ${start.text.slice(0, 200)}`);
    return;
  }
  let notBefore = 0;
  const dial = async () => {
    const res = await api('POST', '/dial', {});
    if (res.status === 200 && res.json?.attempt_id) stats.dials++;
    else if (res.status === 200) {
      // the campaign has nothing to dial now (every lead done or waiting for its retry): try again later
      stats.nothingToDial = res.json?.reason ?? 'no lead to dial';
      notBefore = Date.now() + 5000;
    } else if (res.status === 429) {
      stats.dialsHeld++;
      notBefore = Date.now() + 1000 * Number(res.headers.get('retry-after') ?? 5);
    } else {
      stats.dialerErrors.push(`POST /dial ${res.status}: ${res.text.slice(0, 200)}`);
      notBefore = Date.now() + 5000;
    }
  };
  await dial();
  while (Date.now() < until) {
    await sleep(400);
    const current = await api('GET', '/session/current');
    if (current.status !== 200) continue;
    const attempt = current.json?.current_attempt;
    if (attempt?.status === 'ended') {
      const answered = Boolean(attempt.connected_at);
      const codes = answered ? ['CORRECT', 'CORRECT', 'WRONG', 'VM_SAME_NAME'] : ['NO_ANSWER', 'NO_ANSWER', 'VM_OR_NA_UNKNOWN'];
      const code = codes[Math.floor(Math.random() * codes.length)];
      const res = await api('POST', '/disposition', { attempt_id: attempt.attempt_id, code });
      if (res.status !== 200) {
        stats.dialerErrors.push(`POST /disposition ${res.status}: ${res.text.slice(0, 200)}`);
        continue;
      }
      stats.dispositions++;
      const next = res.json?.next;
      if (next?.attempt_id) stats.dials++;
      else if (next?.scheduled_at) notBefore = Date.parse(next.scheduled_at) + 3000; // the service dials then (DIAL_RESULT)
      else notBefore = Date.now() + 2000;
    } else if (!attempt && current.json?.state === 'PLAY' && Date.now() >= notBefore) {
      await dial();
    }
  }
  await api('POST', '/session/pause', { reason: 'Break' }).catch(() => undefined);
}

/** The calls board's socket (API key) and the agent console's (agent token), open for the traffic window. */
function openSockets(ctx) {
  const wsBase = ctx.base.replace(/^http/, 'ws');
  for (const query of [`api_key=${ctx.apiKey}`, `token=${ctx.token}`]) {
    const ws = new WebSocket(`${wsBase}/ws?${query}`);
    ws.addEventListener('open', () => stats.wsOpen++);
    ws.addEventListener('message', () => stats.wsMessages++);
    ws.addEventListener('error', () => undefined);
    sockets.push(ws);
  }
}

async function driveTraffic(ctx, firstScrapeAt) {
  step(`driving traffic for ${TRAFFIC_SECONDS} s: inbound calls (2-5/s), one agent's dialer shift, two WebSocket clients`);
  openSockets(ctx);
  const from = Date.now();
  const until = from + TRAFFIC_SECONDS * 1000;
  const progress = setInterval(() => step(`  ${stats.inbound} inbound calls, ${stats.dials} dials, ${stats.dispositions} dispositions, ${stats.wsMessages} WebSocket messages`), 30_000);
  try {
    await Promise.all([inboundTraffic(ctx, until), dialerShift(ctx, until)]);
  } finally {
    clearInterval(progress);
  }
  // the last calls end and are scraped (the WebSockets stay open until the end)
  await sleep(8000 + 2 * SCRAPE_SECONDS * 1000);
  const to = Date.now();
  step(
    `traffic done: ${stats.inbound} inbound calls (${stats.inboundFailed} refused), ${stats.dials} dials placed, ${stats.dialsHeld} held by the rate limit, ` +
      `${stats.dispositions} dispositions, ${stats.wsOpen} WebSockets opened, ${stats.wsMessages} messages received`,
  );
  if (stats.lastInboundError) step(`  last inbound error: ${stats.lastInboundError}`);
  if (stats.nothingToDial) step(`  the campaign ran out of leads to dial at some point: ${stats.nothingToDial}`);
  for (const e of stats.dialerErrors.slice(0, 5)) step(`  dialer error: ${e}`);
  if (stats.inbound === 0) fail('no inbound call was accepted by the fake Dialpad');
  // the window: a few seconds of quiet before the traffic (no earlier than Prometheus' first scrape), the traffic, its tail
  return { from: Math.max(firstScrapeAt, from - 10_000), to };
}

// --- 4. queries and the page -------------------------------------------------------------------

async function queryPanels(promBase, dashboard, range) {
  const stepSeconds = Math.max(2, Math.round((range.to - range.from) / 1000 / 150));
  const results = [];
  for (const panel of dashboard.panels) {
    const targets = [];
    for (const target of panel.targets ?? []) {
      const params = new URLSearchParams({ query: target.expr, start: String(range.from / 1000), end: String(range.to / 1000), step: `${stepSeconds}s` });
      const res = await http('GET', `${promBase}/api/v1/query_range?${params}`);
      if (res.status !== 200 || res.json?.status !== 'success') fail(`query of panel "${panel.title}" failed (${res.status}): ${target.expr}\n${res.text.slice(0, 300)}`);
      const series = res.json.data.result
        .map((s) => ({
          labels: s.metric,
          name: legendName(target, s.metric),
          // NaN (no observations in a histogram's window) and ±Inf are gaps, as Grafana draws them
          points: s.values.map(([t, v]) => [t * 1000, Number(v)]).map(([t, v]) => [t, Number.isFinite(v) ? v : null]),
        }))
        .filter((s) => s.points.some(([, v]) => v !== null))
        .sort((a, b) => a.name.localeCompare(b.name));
      targets.push({ ...target, series });
    }
    results.push({ panel, targets });
  }
  return { results, stepSeconds };
}

function legendName(target, labels) {
  if (target.legendFormat) return target.legendFormat.replace(/\{\{\s*(\w+)\s*\}\}/g, (_, l) => labels[l] ?? '').replace(/\s+/g, ' ').trim() || target.expr;
  const pairs = Object.entries(labels).filter(([k]) => k !== '__name__');
  if (pairs.length === 0) return labels.__name__ ?? target.expr;
  return `${labels.__name__ ?? ''}{${pairs.map(([k, v]) => `${k}="${v}"`).join(', ')}}`;
}

const PALETTE = ['#73BF69', '#F2CC0C', '#8AB8FF', '#FF780A', '#F2495C', '#5794F2', '#B877D9', '#705DA0', '#37872D', '#FADE2A', '#447EBC', '#C15C17'];

const esc = (s) => String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);

function trim(n, digits) {
  return Number(n.toFixed(digits)).toString();
}

function decimalsFor(abs, span = abs) {
  const ref = span > 0 ? span : abs;
  if (ref === 0) return 0;
  if (ref >= 100) return 0;
  if (ref >= 10) return 1;
  if (ref >= 1) return 2;
  return Math.min(6, 2 - Math.floor(Math.log10(ref)));
}

/** Grafana's units as the dashboard uses them: short, s, bytes, reqps, percentunit. `span` sets the precision (an axis's tick step). */
function formatValue(v, unit, span) {
  if (v === null || v === undefined || Number.isNaN(v)) return '–';
  const abs = Math.abs(v);
  switch (unit) {
    case 's': {
      if (abs === 0) return '0 s';
      if (abs < 1e-3) return `${trim(v * 1e6, decimalsFor(abs * 1e6, (span ?? abs) * 1e6))} µs`;
      if (abs < 1) return `${trim(v * 1e3, decimalsFor(abs * 1e3, (span ?? abs) * 1e3))} ms`;
      if (abs < 60) return `${trim(v, decimalsFor(abs, span))} s`;
      if (abs < 3600) return `${trim(v / 60, 1)} min`;
      return `${trim(v / 3600, 1)} hour`;
    }
    case 'bytes': {
      const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
      let i = 0;
      let x = v;
      for (; Math.abs(x) >= 1024 && i < units.length - 1; i++) x /= 1024;
      return `${trim(x, i === 0 ? 0 : 1)} ${units[i]}`;
    }
    case 'percentunit':
      return `${trim(v * 100, decimalsFor(abs * 100, (span ?? abs) * 100))}%`;
    case 'reqps':
      return `${shortNumber(v, span)} req/s`;
    default:
      return shortNumber(v, span);
  }
}

function shortNumber(v, span) {
  const abs = Math.abs(v);
  if (abs >= 1e9) return `${trim(v / 1e9, 2)} Bil`;
  if (abs >= 1e6) return `${trim(v / 1e6, 2)} Mil`;
  if (abs >= 1e3) return `${trim(v / 1e3, 2)} K`;
  return trim(v, decimalsFor(abs, span));
}

function niceStep(raw) {
  const pow = 10 ** Math.floor(Math.log10(raw));
  const f = raw / pow;
  return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 2.5 ? 2.5 : f <= 5 ? 5 : 10) * pow;
}

function hhmmss(t) {
  const d = new Date(t);
  return d.toISOString().slice(11, 19);
}

function timeseriesSvg(series, unit, range, width, height) {
  const left = 74;
  const right = 12;
  const top = 8;
  const bottom = 22;
  const plotW = width - left - right;
  const plotH = height - top - bottom;
  const values = series.flatMap((s) => s.points.map(([, v]) => v)).filter((v) => v !== null);
  let min = Math.min(0, ...values);
  let max = Math.max(...values);
  if (unit === 'percentunit') max = Math.max(max, 0.0001);
  if (max === min) max = min + (min === 0 ? 1 : Math.abs(min));
  const tick = niceStep((max - min) / 4);
  min = Math.floor(min / tick) * tick;
  max = Math.ceil(max / tick) * tick;
  const x = (t) => left + ((t - range.from) / (range.to - range.from)) * plotW;
  const y = (v) => top + plotH - ((v - min) / (max - min)) * plotH;
  const parts = [];
  for (let v = min; v <= max + tick / 2; v += tick) {
    parts.push(`<line x1="${left}" x2="${left + plotW}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}" stroke="#2c3235"/>`);
    parts.push(`<text x="${left - 8}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end">${esc(formatValue(Math.abs(v) < tick / 1e6 ? 0 : v, unit, tick))}</text>`);
  }
  const spanS = (range.to - range.from) / 1000;
  const tickS = [10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600].find((s) => plotW / (spanS / s) >= 70) ?? 3600;
  for (let t = Math.ceil(range.from / 1000 / tickS) * tickS * 1000; t <= range.to; t += tickS * 1000) {
    parts.push(`<line x1="${x(t).toFixed(1)}" x2="${x(t).toFixed(1)}" y1="${top}" y2="${top + plotH}" stroke="#2c3235"/>`);
    parts.push(`<text x="${x(t).toFixed(1)}" y="${height - 5}" text-anchor="middle">${hhmmss(t).slice(0, tickS >= 60 ? 5 : 8)}</text>`);
  }
  series.forEach((s, i) => {
    const color = PALETTE[i % PALETTE.length];
    let d = '';
    let pen = false;
    for (const [t, v] of s.points) {
      if (v === null) {
        pen = false;
        continue;
      }
      d += `${pen ? 'L' : 'M'}${x(t).toFixed(1)},${y(v).toFixed(1)}`;
      pen = true;
    }
    const lone = s.points.filter(([, v]) => v !== null).length === 1 ? s.points.find(([, v]) => v !== null) : null;
    if (lone) parts.push(`<circle cx="${x(lone[0]).toFixed(1)}" cy="${y(lone[1]).toFixed(1)}" r="2.5" fill="${color}"/>`);
    parts.push(`<path d="${d}" fill="none" stroke="${color}" stroke-width="1.5" stroke-linejoin="round"/>`);
  });
  return `<svg width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" xmlns="http://www.w3.org/2000/svg">${parts.join('')}</svg>`;
}

function renderPage(dashboard, results, range, stepSeconds, meta) {
  const margin = 8;
  const pad = 16;
  const colW = (WIDTH - 2 * pad + margin) / 24;
  const rowH = 30;
  const headerH = 80;
  const panelsHtml = results
    .map(({ panel, targets }) => {
      const { x, y, w, h } = panel.gridPos;
      const left = pad + x * colW;
      const top = headerH + y * (rowH + margin);
      const width = w * colW - margin;
      const height = h * (rowH + margin) - margin;
      const unit = panel.fieldConfig?.defaults?.unit ?? 'short';
      const series = targets.flatMap((t) => t.series);
      let body;
      if (series.length === 0) {
        body = '<div class="nodata">No data</div>';
      } else if (panel.type === 'stat') {
        // Grafana's default reducer: the last non-null value
        const s = series[0];
        const last = [...s.points].reverse().find(([, v]) => v !== null);
        const spark = timeseriesSparkline(s, range, width - 24, Math.round((height - 36) * 0.4));
        body = `<div class="stat"><span>${esc(formatValue(last[1], unit))}</span></div>${spark}`;
      } else {
        const legendRows = Math.ceil(series.length / Math.max(1, Math.floor(width / 260)));
        const chartH = height - 36 - Math.min(3, legendRows) * 18 - 6;
        const legend = series
          .map((s, i) => `<span class="item"><i style="background:${PALETTE[i % PALETTE.length]}"></i>${esc(s.name)}</span>`)
          .join('');
        body = `${timeseriesSvg(series, unit, range, width - 16, chartH)}<div class="legend">${legend}</div>`;
      }
      return `<section class="panel" style="left:${left.toFixed(1)}px;top:${top}px;width:${width.toFixed(1)}px;height:${height}px"><h2>${esc(panel.title)}</h2><div class="body">${body}</div></section>`;
    })
    .join('\n');
  const bottom = Math.max(...results.map(({ panel }) => panel.gridPos.y + panel.gridPos.h));
  const pageH = headerH + bottom * (rowH + margin) + pad;
  const fmt = (t) => new Date(t).toISOString().replace('T', ' ').slice(0, 19);
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>${esc(dashboard.title)}</title>
<style>
  * { box-sizing: border-box; }
  body { margin: 0; background: #111217; color: #ccccdc; font: 13px/1.4 Inter, "Helvetica Neue", Arial, sans-serif; width: ${WIDTH}px; height: ${pageH}px; position: relative; }
  header { position: absolute; left: ${pad}px; right: ${pad}px; top: 10px; }
  header h1 { margin: 0; font-size: 19px; font-weight: 500; color: #d8d9da; }
  header h1 small { color: #8e8e8e; font-size: 13px; margin-left: 10px; }
  header p { margin: 4px 0 0; color: #9fa7b3; font-size: 12.5px; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
  header code { color: #d8d9da; }
  .panel { position: absolute; background: #181b1f; border: 1px solid #2c3235; border-radius: 2px; overflow: hidden; }
  .panel h2 { margin: 0; height: 32px; line-height: 32px; padding: 0 10px; font-size: 13.5px; font-weight: 500; color: #ccccdc; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
  .panel .body { position: absolute; top: 32px; left: 8px; right: 8px; bottom: 4px; }
  .panel svg text { fill: #9fa7b3; font-size: 11px; font-family: Inter, "Helvetica Neue", Arial, sans-serif; }
  .nodata { height: 100%; display: flex; align-items: center; justify-content: center; color: #8e8e8e; font-size: 16px; }
  .stat { position: absolute; left: 0; right: 0; top: 0; bottom: 34%; display: flex; align-items: center; justify-content: center; z-index: 1; }
  .stat span { font-size: 38px; font-weight: 500; color: #73BF69; }
  .spark { position: absolute; left: 4px; bottom: 0; opacity: .9; }
  .legend { display: flex; flex-wrap: wrap; gap: 2px 16px; padding: 4px 6px 0 10px; font-size: 12px; max-height: 58px; overflow: hidden; }
  .legend .item { display: inline-flex; align-items: center; white-space: nowrap; }
  .legend i { display: inline-block; width: 14px; height: 4px; border-radius: 2px; margin-right: 6px; }
</style></head>
<body>
<header>
  <h1>${esc(dashboard.title)}<small>${fmt(range.from)} → ${fmt(range.to)} UTC · step ${stepSeconds} s</small></h1>
  <p>Rendered from Prometheus by <code>scripts/dashboard-snapshot.mjs</code> using the panels of <code>deploy/grafana/dashboards/turbo-cti.json</code> · ${esc(meta)}</p>
</header>
${panelsHtml}
</body></html>`;
}

/** A stat panel's background sparkline (Grafana's graphMode "area", its default). */
function timeseriesSparkline(s, range, width, height) {
  const vals = s.points.filter(([, v]) => v !== null).map(([, v]) => v);
  const min = Math.min(...vals);
  const max = Math.max(...vals);
  if (vals.length < 2 || height < 20) return '';
  const span = max - min || 1;
  const x = (t) => ((t - range.from) / (range.to - range.from)) * width;
  const y = (v) => height - 2 - ((v - min) / span) * (height - 6);
  const pts = s.points.filter(([, v]) => v !== null);
  const line = pts.map(([t, v], i) => `${i ? 'L' : 'M'}${x(t).toFixed(1)},${y(v).toFixed(1)}`).join('');
  const area = `${line}L${x(pts.at(-1)[0]).toFixed(1)},${height}L${x(pts[0][0]).toFixed(1)},${height}Z`;
  return `<svg class="spark" width="${width}" height="${height}"><path d="${area}" fill="#73BF69" fill-opacity=".12"/><path d="${line}" fill="none" stroke="#73BF69" stroke-width="1.2"/></svg>`;
}

async function screenshot(html) {
  const { chromium } = await import('playwright-core');
  if (!existsSync(CHROMIUM)) fail(`no Chromium at ${CHROMIUM}: set CHROMIUM_PATH`);
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
  const page = await browser.newPage({ viewport: { width: WIDTH, height: 900 }, deviceScaleFactor: 1 });
  await page.setContent(html, { waitUntil: 'load' });
  mkdirSync(dirname(OUT), { recursive: true });
  await page.screenshot({ path: OUT, fullPage: true });
  await browser.close();
  browser = null;
}

// --- 5. cleanup and main -----------------------------------------------------------------------

async function cleanup() {
  for (const ws of sockets) {
    try {
      ws.close();
    } catch {
      // already closed
    }
  }
  await browser?.close().catch(() => undefined);
  // Prometheus first, then the demo (SIGINT: it stops the service, which stops its PostgreSQL, and the fakes)
  for (const child of [...children].reverse()) await stopProcess(child, child.name === 'the demo' ? 'SIGINT' : 'SIGTERM', 40_000);
  // a demo killed hard may leave its service (detached) behind: its run file names it
  const runFile = tmp && join(tmp, 'demo', 'demo.pid');
  if (runFile && existsSync(runFile)) {
    try {
      const run = JSON.parse(readFileSync(runFile, 'utf8'));
      if (run.service && isAlive(run.service)) {
        process.kill(run.service, 'SIGTERM');
        for (let i = 0; i < 100 && isAlive(run.service); i++) await sleep(200);
      }
    } catch {
      // no run file to read
    }
  }
  if (tmp && process.env.KEEP_TMP !== '1') await rm(tmp, { recursive: true, force: true }).catch(() => undefined);
  else if (tmp) step(`kept ${tmp}`);
}

let interrupted = false;
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    if (interrupted) process.exit(130);
    interrupted = true;
    out(`\n${signal}: stopping what was started...`);
    void cleanup().finally(() => process.exit(130));
  });
}

async function main() {
  if (!(TRAFFIC_SECONDS > 0)) fail(`TRAFFIC_SECONDS must be a positive number, not ${process.env.TRAFFIC_SECONDS}`);
  const dashboard = JSON.parse(readFileSync(DASHBOARD, 'utf8'));
  tmp = await mkdtemp(join(tmpdir(), 'cti-dashboard-'));
  // run as root, the service starts its embedded PostgreSQL as the "postgres" user, which must reach the data directory
  chmodSync(tmp, 0o755);
  const ctx = await startDemo();
  const { base: promBase, withRules, firstScrapeAt } = await startPrometheus(ctx.ports.service);
  const range = await driveTraffic(ctx, firstScrapeAt);
  const { results, stepSeconds } = await queryPanels(promBase, dashboard, range);
  for (const { panel, targets } of results) {
    const parts = targets.map((t) => `${t.legendFormat ?? t.refId}: ${t.series.length ? t.series.map((s) => s.name).join(', ') : 'no data'}`);
    step(`  panel ${String(panel.id).padStart(2)} ${panel.title}: ${parts.join(' | ')}`);
  }
  const meta = `npm run demo traffic: ${stats.inbound} inbound calls, ${stats.dials} dialer calls, ${stats.dispositions} dispositions in ${TRAFFIC_SECONDS} s · scrape ${SCRAPE_SECONDS} s${withRules ? ' · alerts.yml loaded' : ''}`;
  const html = renderPage(dashboard, results, range, stepSeconds, meta);
  if (process.env.KEEP_TMP === '1') writeFileSync(join(tmp, 'dashboard.html'), html);
  await screenshot(html);
  step(`wrote ${relative(ROOT, OUT)}`);
}

main().then(
  async () => {
    await cleanup();
    step('done');
    process.exit(0);
  },
  async (err) => {
    const message = err instanceof StepFailed ? err.message : err instanceof Error ? (err.stack ?? err.message) : String(err);
    process.stderr.write(`\ndashboard-snapshot: ${message}\n`);
    await cleanup();
    process.exit(1);
  },
);
