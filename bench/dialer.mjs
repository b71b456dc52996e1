// The agent's loop, timed: POST /disposition → its answer carrying the next dial (issue 7:
// p99 < 50 ms), against the built service with fake Sheets and fake Dialpad servers answering at once.
// Invoked by bench/run.mjs, which starts the service (`startService(env)`) on its benchmark database.
import http from 'node:http';
import { percentile } from './lib.mjs';

const ROUTER_BOOK = 'bench-router-book';
const AGENT_BOOK = 'bench-agent-book';
const HEADER = ['RowID', 'Name', ...Array.from({ length: 10 }, (_, i) => [`Num${i + 1}`, `Status${i + 1}`]).flat(), 'Notes', 'LastOutcome', 'AttemptCount', 'NextIndex', 'LastCalledAt'];
const DIALPAD_USER = '4785129047965697';

/**
 * A Dialpad that answers at once: the OAuth token exchange, users/me (who connected) and
 * POST /api/v2/call. No webhooks: a disposition does not wait for the call's end.
 */
async function startInstantDialpad() {
  let calls = 0;
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const send = (body) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      const path = new URL(req.url ?? '/', 'http://fake').pathname;
      if (path === '/oauth2/token') return send({ access_token: 'bench-access', refresh_token: 'bench-refresh', expires_in: 86_400, token_type: 'bearer' });
      if (path === '/api/v2/users/me') return send({ id: DIALPAD_USER, company_id: '5629499534213120', emails: ['agent@bench.test'], state: 'active' });
      if (path === '/api/v2/call') return send({ call_id: String(9007199254740992n + BigInt(++calls)) });
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end('{"error":{"code":404,"message":"not found"}}');
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${server.address().port}`, close: () => new Promise((resolve) => server.close(resolve)) };
}

async function json(res, expected, what) {
  const text = await res.text();
  if (res.status !== expected) throw new Error(`${what}: ${res.status} ${text.slice(0, 300)}`);
  return text && /json/.test(res.headers.get('content-type') ?? '') ? JSON.parse(text) : null;
}

/** Dispositions `samples` calls in a row (after `warmup`), each answered with the next dial; returns the latencies' p50/p99. */
export async function measureDispositionToNextDial({ startService, createTenant, adminToken, samples = 200, warmup = 20 }) {
  // the fake is TypeScript without non-erasable syntax: Node 22.18+ loads it directly
  const { FakeSheets } = await import(new URL('../demo/fakes/fake-sheets.ts', import.meta.url).href);
  const sheets = await FakeSheets.start();
  const dialpad = await startInstantDialpad();
  let svc = null;
  try {
    const leads = samples + warmup + 5;
    const rows = Array.from({ length: leads }, (_, i) => {
      const cells = Object.fromEntries(HEADER.map((h) => [h, '']));
      Object.assign(cells, { RowID: `L${i + 1}`, Name: `Lead ${i + 1}`, Num1: `(212) 555-${String(1000 + i).padStart(4, '0')}`, Status1: 'NEW' });
      return HEADER.map((h) => cells[h]);
    });
    sheets.setSheet(AGENT_BOOK, 'Leads', [HEADER, ...rows], { sheetId: 7 });
    sheets.setSheet(ROUTER_BOOK, 'Router', [
      ['AgentEmail', 'DialpadUserID', 'SpreadsheetId', 'TabId', 'CampaignName', 'Active'],
      ['agent@bench.test', DIALPAD_USER, AGENT_BOOK, '7', 'Bench', 'TRUE'],
    ]);
    svc = await startService({
      SHEETS_API_ROOT_URL: sheets.url,
      DIALPAD_BASE_URL: dialpad.url,
      DIALPAD_CLIENT_ID: 'bench-client',
      DIALPAD_CLIENT_SECRET: 'bench-secret',
      DIALPAD_REDIRECT_URI: 'https://cti.bench.test/auth/dialpad/callback',
      // Dialpad's limits are the fake's business here: what is timed is the service itself
      DIALPAD_CALLS_PER_USER_PER_MINUTE: '1000',
      DIALPAD_REQUESTS_PER_SECOND: '10000',
    });
    const admin = { authorization: `Bearer ${adminToken}` };
    const app = await createTenant(svc.base, 'bench dialer');

    // connect Dialpad: the consent page is skipped, the callback gets the state the service issued
    const connect = await fetch(`${svc.base}/auth/dialpad/connect?app_id=${app.id}`, { headers: admin, redirect: 'manual' });
    const state = new URL(connect.headers.get('location')).searchParams.get('state');
    await json(await fetch(`${svc.base}/auth/dialpad/callback?code=bench-code&state=${encodeURIComponent(state)}`), 200, 'dialpad callback');

    const put = await fetch(`${svc.base}/internal/apps/${app.id}/dialer-config`, {
      method: 'PUT',
      headers: { ...admin, 'content-type': 'application/json' },
      body: JSON.stringify({ router_spreadsheet_id: ROUTER_BOOK, policy: { callingWindow: { enabled: false } } }),
    });
    await json(put, 200, 'dialer-config');
    const { token } = await json(
      await fetch(`${svc.base}/api/agents/token`, { method: 'POST', headers: { 'x-app-api-key': app.api_key, 'content-type': 'application/json' }, body: '{"agent_email":"agent@bench.test"}' }),
      201,
      'agent token',
    );
    const agent = { authorization: `Bearer ${token}` };
    await json(await fetch(`${svc.base}/session/start`, { method: 'POST', headers: agent }), 200, 'session start');
    let current = await json(await fetch(`${svc.base}/dial`, { method: 'POST', headers: agent }), 200, 'dial');

    const latencies = [];
    for (let i = 0; i < samples + warmup; i++) {
      const t0 = performance.now();
      const res = await fetch(`${svc.base}/disposition`, {
        method: 'POST',
        headers: { ...agent, 'content-type': 'application/json', 'idempotency-key': `bench-${i}` },
        body: JSON.stringify({ attempt_id: current.attempt_id, code: 2 }),
      });
      const body = await json(res, 200, 'disposition');
      const ms = performance.now() - t0;
      if (!body.next?.attempt_id) throw new Error(`disposition ${i} chained no dial: ${JSON.stringify(body).slice(0, 300)}`);
      if (i >= warmup) latencies.push(ms);
      current = body.next;
    }
    return { samples: latencies.length, p50_ms: percentile(latencies, 50), p99_ms: percentile(latencies, 99) };
  } finally {
    await svc?.child.stop();
    await dialpad.close();
    await sheets.close();
  }
}
