// The naive baseline for ingest: bare Fastify + pg, the same JWT check (jose, HS256)
// and one INSERT per request into a copy of webhook_events, committed before the 200.
import Fastify from 'fastify';
import { jwtVerify } from 'jose';
import pg from 'pg';

const { DATABASE_URL, PORT, SECRET } = process.env;
const pool = new pg.Pool({ connectionString: DATABASE_URL, max: 20 });
const key = new TextEncoder().encode(SECRET);
const app = Fastify({ bodyLimit: 1024 * 1024 });
app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));

app.post('/webhooks/dialpad/:app_id', async (req, reply) => {
  const token = req.body.toString('utf8').trim();
  let payload;
  try {
    ({ payload } = await jwtVerify(token, key, { algorithms: ['HS256'] }));
  } catch {
    return reply.code(401).send({ message: 'bad signature' });
  }
  const eventId = `${payload.call_id}:${payload.state}:${payload.event_timestamp}`;
  const json = Buffer.from(token.split('.')[1], 'base64url').toString('utf8');
  const { rows } = await pool.query(
    `INSERT INTO bench_baseline_events (app_id, dialpad_event_id, event_type, dialpad_call_id, payload)
     VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING RETURNING id`,
    [req.params.app_id, eventId, 'call.' + payload.state, String(payload.call_id), json],
  );
  return { received: true, event_id: rows[0]?.id ?? null, duplicate: rows.length === 0 };
});

await app.listen({ port: Number(PORT), host: '127.0.0.1' });
process.on('SIGTERM', async () => {
  await app.close();
  await pool.end();
  process.exit(0);
});
