// `npm run test:soak`: a bounded soak of the built service (dist/, or BENCH_DIST).
//   1. measure: a burst of webhooks as fast as they are taken (SOAK_MEASURE_SECONDS, 10), then
//      the time to process them all; the sustainable maximum is the smaller of the two rates;
//   2. soak: webhooks at SOAK_LOAD (0.8) × that maximum for SOAK_SECONDS (90) over SOAK_LOAD_CONNECTIONS
//      (200; the burst uses SOAK_CONNECTIONS, 50), the event queue's
//      depth sampled every second;
//   3. drain, then check: queue depth stayed bounded (never more than SOAK_MAX_BACKLOG_SECONDS,
//      5, of load), every accepted webhook is stored once and processed into its call, none
//      failed or dead-lettered, no request refused.
// Exits 1 on a failed check. About 2 minutes with the defaults.
import pg from 'pg';
import { drained, ingestLoad, ServiceStack, sleep, waitingEvents, webhookTokens } from '../../bench/lib.mjs';

const MEASURE_SECONDS = Number(process.env.SOAK_MEASURE_SECONDS ?? 10);
const SOAK_SECONDS = Number(process.env.SOAK_SECONDS ?? 90);
const LOAD = Number(process.env.SOAK_LOAD ?? 0.8);
const MAX_BACKLOG_SECONDS = Number(process.env.SOAK_MAX_BACKLOG_SECONDS ?? 5);
const CONNECTIONS = Number(process.env.SOAK_CONNECTIONS ?? 50);
/**
 * The soak's connections: each holds one request at a time, so 50 could send 1,600/s only while answers took under
 * 31 ms on average, and the load the soak means to apply became a measure of latency. Dialpad does not wait for one
 * answer before it sends the next webhook; the checks on the queue say whether the service kept up.
 */
const SOAK_CONNECTIONS = Number(process.env.SOAK_LOAD_CONNECTIONS ?? 200);
const log = (m) => process.stderr.write(`soak: ${m}\n`);

/** Posts `tokens` in order (each a new call; sized so none repeats), at `rate` per second overall (0: as fast as taken). */
const load = (url, tokens, seconds, rate, connections = CONNECTIONS) => ingestLoad(url, undefined, { seconds, connections, rate, tokens });

async function totals(pool) {
  const { rows } = await pool.query(
    `SELECT (SELECT count(*)::int FROM webhook_events) AS events,
            (SELECT count(*)::int FROM webhook_events WHERE processed_at IS NOT NULL) AS processed,
            (SELECT count(*)::int FROM webhook_events WHERE attempts > 0 OR dead_at IS NOT NULL) AS failed,
            (SELECT count(DISTINCT dialpad_event_id)::int FROM webhook_events) AS identities,
            (SELECT count(*)::int FROM calls) AS calls`,
  );
  return rows[0];
}

const stack = await ServiceStack.create('soak');
const failures = [];
const check = (ok, what) => {
  log(`${ok ? 'ok  ' : 'FAIL'} ${what}`);
  if (!ok) failures.push(what);
};
try {
  const { base } = await stack.start({ RETENTION_JOB_ENABLED: 'true' });
  const app = await stack.createApp(base, 'soak');
  const url = `${base}/webhooks/dialpad/${app.id}`;
  const pool = new pg.Pool({ connectionString: stack.databaseUrl, max: 2 });

  // 1. the sustainable maximum
  log(`measuring: ${MEASURE_SECONDS} s as fast as taken`);
  const burstTokens = webhookTokens(app.webhook_secret, 60_000);
  const t0 = Date.now();
  const burst = await load(url, burstTokens, MEASURE_SECONDS, 0);
  const ingestRate = burst['2xx'] / MEASURE_SECONDS;
  await drained(pool, 120_000);
  const drainedAt = Date.now();
  const processRate = burst['2xx'] / ((drainedAt - t0) / 1000);
  const max = Math.min(ingestRate, processRate);
  const rate = Math.max(1, Math.round(LOAD * max));
  log(`ingest ${Math.round(ingestRate)}/s, processed ${Math.round(processRate)}/s (burst to drained): maximum ${Math.round(max)}/s, soak at ${rate}/s`);
  check(burst.non2xx === 0 && burst.errors === 0 && burst.timeouts === 0, `burst: every request answered 2xx (${burst['2xx']} 2xx, ${burst.non2xx} other, ${burst.errors} errors)`);

  // 2. the soak
  const before = await totals(pool);
  const soakTokens = webhookTokens(app.webhook_secret, Math.ceil(rate * SOAK_SECONDS * 1.1) + 1000);
  const depths = [];
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      depths.push(await waitingEvents(pool));
      await sleep(1000);
    }
  })();
  log(`soaking: ${SOAK_SECONDS} s at ${rate}/s`);
  const soak = await load(url, soakTokens, SOAK_SECONDS, rate, SOAK_CONNECTIONS);
  sampling = false;
  await sampler;
  const soakDrainStart = Date.now();
  await drained(pool, 60_000);
  const after = await totals(pool);

  // 3. the checks
  const accepted = soak['2xx'];
  const achieved = accepted / SOAK_SECONDS;
  const maxDepth = Math.max(0, ...depths);
  const bound = Math.max(100, Math.ceil(rate * MAX_BACKLOG_SECONDS));
  const third = Math.max(1, Math.floor(depths.length / 3));
  const firstThird = Math.max(0, ...depths.slice(0, third));
  const lastThird = Math.max(0, ...depths.slice(-third));
  log(`answers: latency mean ${soak.latency.average} ms, p99 ${soak.latency.p99} ms, max ${soak.latency.max} ms (${SOAK_CONNECTIONS} connections)`);
  log(`sent ${accepted} at ${achieved.toFixed(0)}/s; queue depth max ${maxDepth} (first third ${firstThird}, last third ${lastThird}); drained in ${Date.now() - soakDrainStart} ms`);
  check(soak.non2xx === 0 && soak.errors === 0 && soak.timeouts === 0, `soak: every request answered 2xx (${accepted} 2xx, ${soak.non2xx} other, ${soak.errors} errors, ${soak.timeouts} timeouts)`);
  check(achieved >= rate * 0.9, `soak: the load was sustained (${achieved.toFixed(0)}/s of ${rate}/s)`);
  check(maxDepth <= bound, `queue depth stayed bounded: max ${maxDepth} ≤ ${bound} (${MAX_BACKLOG_SECONDS} s of load)`);
  check(lastThird <= Math.max(bound / 2, firstThird * 2), `queue depth did not grow over the run (last third ${lastThird}, first third ${firstThird})`);
  // requests still in flight when the duration ends are sent (and stored) but their answers are not counted
  const stored = after.events - before.events;
  check(stored >= accepted && stored <= soak.sent, `every accepted webhook stored: ${stored} new events for ${accepted} 2xx answers and ${soak.sent} requests sent`);
  check(after.identities === after.events, `no event stored twice (${after.identities} identities, ${after.events} rows)`);
  check(after.processed === after.events, `every event processed (${after.processed} of ${after.events})`);
  check(after.calls === after.events, `every event became its call (${after.calls} calls for ${after.events} events)`);
  check(after.failed === 0, `no event failed or dead-lettered (${after.failed})`);
  await pool.end();
  process.stdout.write(
    `${JSON.stringify({ ingest_per_s: Math.round(ingestRate), processed_per_s: Math.round(processRate), soak_rate_per_s: rate, soak_seconds: SOAK_SECONDS, accepted, max_queue_depth: maxDepth, bound, failures }, null, 2)}\n`,
  );
} finally {
  await stack.close();
}
process.exit(failures.length > 0 ? 1 : 0);
