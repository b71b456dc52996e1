// The processor's capacity on its own (dist/ must be built): N webhooks (each a new call) are stored by a node whose
// processor is off; then one node with the processor on drains them. The rate is taken from the database's own
// clock: N ÷ (last processed_at − first processed_at). `npm run bench` runs it; on its own:
//   node bench/drain.mjs                          N=5000 by default
//   EXTRA='{"EVENT_PROCESSOR_CONCURRENCY":"1"}'   settings for the draining node
//   PROBE_KEEP=1                                  stop after storing and print the database URL (to EXPLAIN the claim)
//   EXTRA='{"NODE_OPTIONS":"--import ./bench/query-times.mjs"}'   time per statement, in /tmp/query-times.txt
import { pathToFileURL } from 'node:url';
import pg from 'pg';
import { drained, ServiceStack, webhookTokens } from './lib.mjs';

/** Stores `n` events with the processor off, then drains them with it on; returns events/s and the batch shape. */
export async function measureDrainCapacity({ n = 5000, env = {}, keep = false } = {}) {
  const stack = await ServiceStack.create('drain');
  try {
    const off = await stack.start({ EVENT_PROCESSOR_ENABLED: 'false' });
    const app = await stack.createApp(off.base, 'drain');
    const tokens = webhookTokens(app.webhook_secret, n);
    let i = 0;
    await Promise.all(
      Array.from({ length: 20 }, async () => {
        while (i < tokens.length) {
          const body = tokens[i++];
          const r = await fetch(`${off.base}/webhooks/dialpad/${app.id}`, { method: 'POST', headers: { 'content-type': 'application/jwt' }, body });
          if (r.status !== 200) throw new Error(`webhook answered ${r.status}`);
          await r.arrayBuffer();
        }
      }),
    );
    await off.child.stop();
    if (keep) {
      const url = stack.databaseUrl;
      stack.children = []; // leave the database for EXPLAIN
      return { databaseUrl: url };
    }
    const pool = new pg.Pool({ connectionString: stack.databaseUrl, max: 1 });
    try {
      await stack.start({ EVENT_PROCESSOR_ENABLED: 'true', ...env });
      await drained(pool, 120_000);
      const { rows } = await pool.query(
        `SELECT count(*)::int AS n, extract(epoch FROM max(processed_at) - min(processed_at)) * 1000 AS ms,
                count(*) FILTER (WHERE last_error IS NOT NULL)::int AS failed FROM webhook_events`,
      );
      const { n: processed, ms, failed } = rows[0];
      return { events: processed, failed, drain_ms: Number(ms), per_second: processed / (Number(ms) / 1000) };
    } finally {
      await pool.end();
    }
  } finally {
    if (!keep) await stack.close();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const result = await measureDrainCapacity({
    n: Number(process.env.N ?? 5000),
    env: process.env.EXTRA ? JSON.parse(process.env.EXTRA) : {},
    keep: Boolean(process.env.PROBE_KEEP),
  });
  process.stdout.write(`${JSON.stringify(result)}\n`);
}
