// The agent console and the calls board, measured (issue "The agent console in the browser"):
//   (a) the console's bundle: gzip size of dist/web/assets/*.js (target ≤ 150 kB);
//   (b) keypress → request on the wire, in Chromium: with the Disposition dialog open, a
//       disposition key + Enter, from the Enter's keydown (a capturing listener) to the
//       window.fetch call of POST /disposition (a wrapper installed before the page's scripts),
//       both on the page's performance.now() clock (target p99 < 16 ms, one frame);
//   (c) POST /webhooks → the toast on the calls board: inbound ringing events signed with the
//       app's secret, from just before the POST to the toast node entering the DOM (a
//       MutationObserver), both on the epoch clock (performance.timeOrigin + performance.now())
//       of the same machine (target p99 < 100 ms).
// Invoked by bench/run.mjs on its ServiceStack; `node bench/console.mjs` runs it alone (after
// `npm run build`) on a stack of its own.
/* global document, window, MutationObserver */
import { readdirSync, readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { DIST, launchChromium, percentile, ServiceStack, sleep, startConsoleWorld } from './lib.mjs';

/** (a) The gzip size (kB) of the console's JavaScript, every file of dist/web/assets. */
export function consoleBundleSize() {
  const dir = new URL('web/assets/', DIST);
  const files = readdirSync(dir).filter((f) => f.endsWith('.js'));
  if (files.length === 0) throw new Error('dist/web/assets has no .js: build the console first (npm run build)');
  const bytes = files.reduce((sum, f) => sum + gzipSync(readFileSync(new URL(f, dir))).length, 0);
  return { files: files.length, gzip_kb: bytes / 1000 };
}

/** In the page before its scripts: Enter keydowns (capturing, first of all listeners) and fetch calls, timed. */
function instrumentKeys() {
  const timing = { keys: [], fetches: [] };
  window.__bench = timing;
  window.addEventListener('keydown', (e) => {
    if (e.key === 'Enter') timing.keys.push(performance.now());
  }, { capture: true });
  const original = window.fetch;
  window.fetch = function (input, init) {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    timing.fetches.push({ at: performance.now(), url });
    return original.call(this, input, init);
  };
}

/** (b) `samples` dispositions by keyboard (after `warmup`), each timed from the Enter's keydown to its fetch. */
async function keypressToRequest(world, browser, { samples, warmup }) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  await context.addInitScript(instrumentKeys);
  const page = await context.newPage();
  try {
    await page.goto(world.consoleUrl);
    await page.getByRole('button', { name: 'Play' }).waitFor();
    await page.locator('.socket-open').waitFor();
    await page.keyboard.press('Space');
    let summary = null;
    const latencies = [];
    for (let i = 0; i < samples + warmup; i++) {
      // the next call's dialog (its summary names another lead), with the focus in it
      const handle = await page.waitForFunction(
        (previous) => {
          const text = document.querySelector('[role="dialog"] #dispo-summary')?.textContent ?? null;
          return text !== null && text !== previous && document.activeElement?.closest('[role="dialog"]') ? text : null;
        },
        summary,
        { timeout: 15_000, polling: 'raf' },
      );
      summary = await handle.jsonValue();
      await page.keyboard.press('1');
      const before = await page.evaluate(() => ({ keys: window.__bench.keys.length, fetches: window.__bench.fetches.length }));
      await page.keyboard.press('Enter');
      const pair = await page.waitForFunction(
        (b) => {
          const t = window.__bench;
          const key = t.keys[b.keys];
          const request = t.fetches.slice(b.fetches).find((f) => f.url.includes('/disposition'));
          // an object: a latency of 0 ms is an answer, not a falsy "not yet"
          return key !== undefined && request ? { ms: request.at - key } : null;
        },
        before,
        { timeout: 5000, polling: 'raf' },
      );
      const { ms } = await pair.jsonValue();
      if (i >= warmup) latencies.push(ms);
    }
    return { samples: latencies.length, p50_ms: percentile(latencies, 50), p99_ms: percentile(latencies, 99), max_ms: Math.max(...latencies) };
  } finally {
    await context.close();
  }
}

/**
 * (c) `count` inbound calls posted as signed webhooks (after `warmup`: a node holds the first
 * events it sees of an app GAP_WAIT_MS, src/realtime/stream-orderer.ts), each timed from its
 * POST to its toast in the board's DOM.
 */
async function webhookToToast(world, browser, { count, warmup, gapMs }) {
  const { callEventJson } = await import(new URL('demo/fakes/fake-dialpad-call-events.js', DIST).href);
  const { signDialpadJwt } = await import(new URL('demo/fakes/dialpad-jwt.js', DIST).href);
  const { DEMO_DIALPAD_USER } = await import(new URL('demo/seed.js', DIST).href);
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  const epochNow = () => performance.timeOrigin + performance.now();
  try {
    await page.goto(world.boardUrl);
    await page.locator('.socket-open').waitFor();
    await page.evaluate(() => {
      window.__toasts = {};
      new MutationObserver(() => {
        const at = performance.timeOrigin + performance.now();
        for (const toast of document.querySelectorAll('[data-testid="toast"]')) window.__toasts[toast.getAttribute('data-call-id')] ??= at;
      }).observe(document.body, { subtree: true, childList: true });
    });
    const post = async (call, state, startedMs) => {
      const json = callEventJson(call, DEMO_DIALPAD_USER, state, startedMs, Date.now(), null);
      const sentAt = epochNow();
      const res = await fetch(`${world.base}/webhooks/dialpad/${world.appId}`, { method: 'POST', headers: { 'content-type': 'application/jwt' }, body: signDialpadJwt(json, world.webhookSecret) });
      if (res.status !== 200) throw new Error(`webhook answered ${res.status}: ${await res.text()}`);
      return sentAt;
    };
    const base = 9007199254740992n + BigInt(Date.now()) * 1000n;
    const latencies = [];
    for (let i = 0; i < count + warmup; i++) {
      const started = Date.now();
      const call = { call_id: String(base + BigInt(i)), direction: 'inbound', phone_number: `+1312555${String(1000 + i).padStart(4, '0')}`, contact_name: `Caller ${i + 1}`, custom_data: null, rang_at: started };
      const sentAt = await post(call, 'ringing', started);
      const handle = await page.waitForFunction((id) => window.__toasts[id] ?? null, call.call_id, { timeout: 5000, polling: 'raf' });
      if (i >= warmup) latencies.push((await handle.jsonValue()) - sentAt);
      await post(call, 'hangup', started); // the board stays small: the call leaves after its linger
      await sleep(gapMs);
    }
    return { samples: latencies.length, p50_ms: percentile(latencies, 50), p99_ms: percentile(latencies, 99), max_ms: Math.max(...latencies) };
  } finally {
    await context.close();
  }
}

/** (a), (b) and (c) on one node of `stack` with the demo's world (fake Sheets, fake Dialpad whose calls end at once). */
export async function measureConsole(stack, { samples = 200, warmup = 10, toasts = 100 } = {}) {
  const bundle = consoleBundleSize();
  const world = await startConsoleWorld(stack, {
    // every call rings out at once: the dialog is back as soon as the pipeline has the hangup
    realistic: { timeScale: 0, answerProbability: 0, voicemailProbability: 0 },
    leads: samples + warmup + 20,
    env: { DIALPAD_CALLS_PER_USER_PER_MINUTE: '1000', DIALPAD_REQUESTS_PER_SECOND: '10000', LOG_LEVEL: 'error' },
  });
  const browser = await launchChromium();
  try {
    const keys = await keypressToRequest(world, browser, { samples, warmup });
    const toast = await webhookToToast(world, browser, { count: toasts, warmup, gapMs: 50 });
    return { bundle, keys, toast };
  } finally {
    await browser.close();
    await world.close();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const stack = await ServiceStack.create('bench_console');
  try {
    const r = await measureConsole(stack);
    process.stdout.write(`console bundle (gzip, ${r.bundle.files} JS files): ${r.bundle.gzip_kb.toFixed(1)} kB\n`);
    process.stdout.write(`keypress → request (${r.keys.samples}): p50 ${r.keys.p50_ms.toFixed(2)} ms, p99 ${r.keys.p99_ms.toFixed(2)} ms, max ${r.keys.max_ms.toFixed(2)} ms\n`);
    process.stdout.write(`POST /webhooks → toast (${r.toast.samples}): p50 ${r.toast.p50_ms.toFixed(2)} ms, p99 ${r.toast.p99_ms.toFixed(2)} ms, max ${r.toast.max_ms.toFixed(2)} ms\n`);
  } finally {
    await stack.close();
  }
}
