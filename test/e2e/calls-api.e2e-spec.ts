import { randomUUID } from 'node:crypto';
import pg from 'pg';
import request from 'supertest';
import { errorText, expectErrorShape } from '../support/http-expect.js';
import { startTestApp, TestApp } from '../support/test-app.js';
import { CreatedApp, createApp, fixtureWith, postJwt, waitFor } from '../support/webhooks.js';

/** GET /api/calls, /api/calls/active, /api/calls/:id — filters, pagination, tenancy, auth. */

interface SeedCall {
  dialpad_call_id: string;
  status: 'initiated' | 'ringing' | 'connected' | 'ended' | 'missed' | 'voicemail';
  direction?: 'inbound' | 'outbound' | null;
  started_at?: string | null;
  dialpad_user_id?: string | null;
  crm_user_id?: string | null;
  /** SQL expression; default now() */
  last_event_at_sql?: string;
}

interface CallItem {
  id: string;
  dialpad_call_id: string;
  status: string;
  direction: string | null;
  started_at: string | null;
  dialpad_user_id: string | null;
  crm_user_id: string | null;
}

interface CallPage {
  items: CallItem[];
  next_cursor: string | null;
}

describe('calls API (e2e)', () => {
  let t: TestApp;
  let a: CreatedApp;
  let b: CreatedApp;
  let db: pg.Pool;
  /** app A's seeded calls by dialpad id → uuid */
  const aIds = new Map<string, string>();

  const api = (key: string | undefined, path: string) => {
    const req = request(t.baseUrl).get(path);
    return key === undefined ? req : req.set('x-app-api-key', key);
  };
  const list = async (key: string, query: string): Promise<CallPage> => {
    const res = await api(key, `/api/calls${query}`);
    expect({ status: res.status, body: res.status === 200 ? undefined : (res.body as unknown) }).toEqual({ status: 200, body: undefined });
    return res.body as CallPage;
  };
  const callIds = (page: CallPage) => page.items.map((i) => i.dialpad_call_id);

  async function insertCall(appId: string, c: SeedCall): Promise<string> {
    const { rows } = await db.query<{ id: string }>(
      `INSERT INTO calls (app_id, dialpad_call_id, status, direction, started_at, dialpad_user_id, crm_user_id, last_event_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, ${c.last_event_at_sql ?? 'now()'}) RETURNING id`,
      [appId, c.dialpad_call_id, c.status, c.direction ?? null, c.started_at ?? null, c.dialpad_user_id ?? null, c.crm_user_id ?? null],
    );
    return rows[0]!.id;
  }

  /**
   * App A's calls (started_at in November 2024, one per hour from 10:00 UTC):
   *   id   status     direction  user  crm
   *   101  ended      inbound    u1    crm-1
   *   102  missed     outbound   u1    crm-1
   *   103  voicemail  inbound    u2    crm-2
   *   104  connected  inbound    u2    crm-2
   *   105  ringing    outbound   u3    null
   *   106  initiated  outbound   null  null
   *   107  ended      outbound   u3    null
   *   108  ringing    inbound    u1    crm-1   (silent for 13 h: not active)
   */
  const A_CALLS: SeedCall[] = [
    { dialpad_call_id: '101', status: 'ended', direction: 'inbound', dialpad_user_id: '11', crm_user_id: 'crm-1' },
    { dialpad_call_id: '102', status: 'missed', direction: 'outbound', dialpad_user_id: '11', crm_user_id: 'crm-1' },
    { dialpad_call_id: '103', status: 'voicemail', direction: 'inbound', dialpad_user_id: '22', crm_user_id: 'crm-2' },
    { dialpad_call_id: '104', status: 'connected', direction: 'inbound', dialpad_user_id: '22', crm_user_id: 'crm-2' },
    { dialpad_call_id: '105', status: 'ringing', direction: 'outbound', dialpad_user_id: '33' },
    { dialpad_call_id: '106', status: 'initiated', direction: 'outbound' },
    { dialpad_call_id: '107', status: 'ended', direction: 'outbound', dialpad_user_id: '33' },
    { dialpad_call_id: '108', status: 'ringing', direction: 'inbound', dialpad_user_id: '11', crm_user_id: 'crm-1', last_event_at_sql: `now() - interval '13 hours'` },
  ].map((c, i) => ({ ...c, started_at: new Date(Date.UTC(2024, 10, 15, 10 + i)).toISOString() }) as SeedCall);
  const hour = (i: number) => new Date(Date.UTC(2024, 10, 15, 10 + i)).toISOString();

  beforeAll(async () => {
    t = await startTestApp();
    a = await createApp(t, 'calls A');
    b = await createApp(t, 'calls B');
    db = new pg.Pool({ connectionString: t.db.url, max: 3 });
    for (const c of A_CALLS) aIds.set(c.dialpad_call_id, await insertCall(a.id, c));
    // app B: its own calls, one with the same Dialpad call id as one of A's, all as "live" and ended as A's
    await insertCall(b.id, { dialpad_call_id: '101', status: 'ended', direction: 'inbound', started_at: hour(0), dialpad_user_id: '11', crm_user_id: 'crm-1' });
    await insertCall(b.id, { dialpad_call_id: '901', status: 'ringing', direction: 'inbound', started_at: hour(1), dialpad_user_id: '11' });
    await insertCall(b.id, { dialpad_call_id: '902', status: 'connected', direction: 'outbound', started_at: hour(2), dialpad_user_id: '22' });
  });
  afterAll(async () => {
    await db.end();
    await t.close();
  });

  // ---------------------------------------------------------------- list + filters

  describe('GET /api/calls', () => {
    it('lists the app\'s calls newest first with the documented fields', async () => {
      const page = await list(a.api_key, '');
      expect(callIds(page)).toEqual(['108', '107', '106', '105', '104', '103', '102', '101']);
      expect(page.next_cursor).toBeNull();
      const first = page.items[7]!;
      expect(first).toEqual({
        id: aIds.get('101'),
        dialpad_call_id: '101',
        master_call_id: null,
        entry_point_call_id: null,
        // issue 13, milestone 2: a lone call is its own conversation
        conversation_id: '101',
        direction: 'inbound',
        from_number: null,
        to_number: null,
        status: 'ended',
        dialpad_user_id: '11',
        crm_user_id: 'crm-1',
        started_at: hour(0),
        queued_at: null,
        ringing_at: null,
        connected_at: null,
        ended_at: null,
        duration_ms: null,
        recording_url: null,
        custom_data: null,
        contact: null,
        last_event_at: expect.any(String),
        created_at: expect.any(String),
        updated_at: expect.any(String),
      });
    });

    it.each([
      ['status=ended', ['107', '101']],
      ['status=missed', ['102']],
      ['status=voicemail', ['103']],
      ['status=ringing', ['108', '105']],
      ['status=initiated', ['106']],
      ['direction=inbound', ['108', '104', '103', '101']],
      ['direction=outbound', ['107', '106', '105', '102']],
      ['dialpad_user_id=11', ['108', '102', '101']],
      ['dialpad_user_id=33', ['107', '105']],
      ['dialpad_user_id=44', []],
      ['crm_user_id=crm-2', ['104', '103']],
      ['crm_user_id=crm-1', ['108', '102', '101']],
      ['status=ended&direction=outbound', ['107']],
      ['direction=inbound&crm_user_id=crm-1&status=ringing', ['108']],
    ])('filters by %s', async (query, expected) => {
      expect(callIds(await list(a.api_key, `?${query}`))).toEqual(expected);
    });

    it.each([
      // from is inclusive, to exclusive
      [`from=${hour(2)}`, ['108', '107', '106', '105', '104', '103']],
      [`to=${hour(2)}`, ['102', '101']],
      [`from=${hour(2)}&to=${hour(5)}`, ['105', '104', '103']],
      [`from=2024-11-15T11:30:00Z&to=2024-11-15T13:30:00Z`, ['104', '103']],
      // the same instants written with an offset
      [`from=2024-11-15T13:30:00%2B02:00&to=2024-11-15T15:30:00%2B02:00`, ['104', '103']],
      [`from=2024-11-16`, []],
      [`to=2024-11-15`, []],
      [`from=${hour(0)}&status=ended`, ['107', '101']],
    ])('filters by time: %s', async (query, expected) => {
      expect(callIds(await list(a.api_key, `?${query}`))).toEqual(expected);
    });

    it.each([['1'], ['200'], ['8']])('accepts limit=%s', async (limit) => {
      const page = await list(a.api_key, `?limit=${limit}`);
      expect(page.items).toHaveLength(Math.min(Number(limit), 8));
    });

    it('limit=1 returns the newest call and a cursor to the next', async () => {
      const page = await list(a.api_key, '?limit=1');
      expect(callIds(page)).toEqual(['108']);
      expect(typeof page.next_cursor).toBe('string');
      const next = await list(a.api_key, `?limit=1&cursor=${page.next_cursor}`);
      expect(callIds(next)).toEqual(['107']);
    });

    it('cursor pagination keeps the filters', async () => {
      const first = await list(a.api_key, '?direction=outbound&limit=3');
      expect(callIds(first)).toEqual(['107', '106', '105']);
      const second = await list(a.api_key, `?direction=outbound&limit=3&cursor=${first.next_cursor}`);
      expect(callIds(second)).toEqual(['102']);
      expect(second.next_cursor).toBeNull();
    });

    it.each([['0'], ['201'], ['x'], ['-1'], ['1.5'], ['']])('refuses limit=%j with 400', async (limit) => {
      const res = await api(a.api_key, `/api/calls?limit=${limit}`);
      expectErrorShape(res, 400);
      expect(errorText(res)).toMatch(/limit/);
    });

    it.each([
      ['status=bogus', /status/],
      ['direction=sideways', /direction/],
      ['dialpad_user_id=abc', /dialpad_user_id/],
      ['from=yesterday', /from/],
      ['to=2024-13-45T00:00:00Z', /to/],
      ['crm_user_id=' + 'x'.repeat(201), /crm_user_id/],
      ['status=ended&status=missed', /status/],
    ])('refuses %s with 400', async (query, message) => {
      const res = await api(a.api_key, `/api/calls?${query}`);
      expectErrorShape(res, 400);
      expect(errorText(res)).toMatch(message);
    });

    it.each([
      [`from=${hour(3)}&to=${hour(3)}`],
      [`from=${hour(4)}&to=${hour(3)}`],
    ])('refuses from >= to (%s) with 400', async (query) => {
      const res = await api(a.api_key, `/api/calls?${query}`);
      expectErrorShape(res, 400);
      expect(errorText(res)).toMatch(/from.*to/);
    });

    it.each([['foo=bar'], ['offset=0&foo=1'], ['app_id=' + randomUUID()]])('refuses an unknown query parameter (%s) with 400', async (query) => {
      const res = await api(a.api_key, `/api/calls?${query}`);
      expectErrorShape(res, 400);
      expect(errorText(res)).toMatch(/should not exist/);
    });

    it.each([
      ['garbage', 'not-a-cursor!'],
      ['base64 of nonsense', Buffer.from('hello').toString('base64url')],
      ['a bad date', Buffer.from(`nope|${randomUUID()}`).toString('base64url')],
      ['a bad id', Buffer.from(`2024-11-15T10:00:00.000Z|'; DROP TABLE calls; --`).toString('base64url')],
      ['too long', 'a'.repeat(201)],
      ['an id of 36 dashes', Buffer.from(`2024-11-15T10:00:00.000Z|${'-'.repeat(36)}`).toString('base64url')],
      ['a date PostgreSQL refuses', Buffer.from(`2024-02-30T10:00:00.000Z|${randomUUID()}`).toString('base64url')],
      ['a date with a time zone name', Buffer.from(`2024-11-15 10:00 Europe/Paris|${randomUUID()}`).toString('base64url')],
    ])('refuses a bad cursor (%s) with 400', async (_label, cursor) => {
      const res = await api(a.api_key, `/api/calls?cursor=${encodeURIComponent(cursor)}`);
      expectErrorShape(res, 400);
      expect(errorText(res)).toMatch(/cursor/);
    });
  });

  // ---------------------------------------------------------------- pagination walk

  describe('cursor pagination', () => {
    let p: CreatedApp;
    /** uuids in the order the API must list them */
    let expectedOrder: string[];
    /** the four calls sharing one started_at */
    const tied: string[] = [];

    beforeAll(async () => {
      p = await createApp(t, 'calls pagination');
      const rows: { id: string; at: number }[] = [];
      const base = Date.UTC(2024, 10, 1);
      // 25 calls with distinct started_at, inserted in a scrambled order
      for (let i = 0; i < 25; i++) {
        const k = (i * 7) % 25;
        const at = base + k * 60_000 + k; // distinct, with milliseconds
        rows.push({ id: await insertCall(p.id, { dialpad_call_id: String(1000 + k), status: 'ended', started_at: new Date(at).toISOString() }), at });
      }
      // 4 sharing one started_at (the id breaks the tie) and 2 without started_at (created_at counts)
      const tie = base + 12 * 60_000 + 500;
      for (let i = 0; i < 4; i++) {
        tied.push(await insertCall(p.id, { dialpad_call_id: String(2000 + i), status: 'missed', started_at: new Date(tie).toISOString() }));
        rows.push({ id: tied[i]!, at: tie });
      }
      for (let i = 0; i < 2; i++) {
        const id = await insertCall(p.id, { dialpad_call_id: String(3000 + i), status: 'ringing', started_at: null });
        const { rows: created } = await db.query<{ ms: number }>(`SELECT (extract(epoch FROM created_at) * 1000)::float8 AS ms FROM calls WHERE id = $1`, [id]);
        rows.push({ id, at: created[0]!.ms });
      }
      expectedOrder = rows.sort((x, y) => y.at - x.at || (x.id < y.id ? 1 : x.id > y.id ? -1 : 0)).map((r) => r.id);
      expect(expectedOrder).toHaveLength(31);
    });

    async function walk(limit: number, extra = ''): Promise<{ pages: string[][]; ids: string[] }> {
      const pages: string[][] = [];
      let cursor: string | null = null;
      do {
        const page: CallPage = await list(p.api_key, `?limit=${limit}${extra}${cursor ? `&cursor=${cursor}` : ''}`);
        pages.push(page.items.map((i) => i.id));
        expect(page.items.length).toBeLessThanOrEqual(limit);
        cursor = page.next_cursor;
        if (pages.length > 50) throw new Error('pagination does not end');
      } while (cursor);
      return { pages, ids: pages.flat() };
    }

    it('walks every call exactly once, in order, with limit 7', async () => {
      const { pages, ids } = await walk(7);
      expect(pages.map((pg) => pg.length)).toEqual([7, 7, 7, 7, 3]);
      expect(new Set(ids).size).toBe(ids.length);
      expect(ids).toEqual(expectedOrder);
    });

    it('ends cleanly when the total is a multiple of the limit', async () => {
      const { ids, pages } = await walk(31);
      expect(ids).toEqual(expectedOrder);
      expect(pages.at(-1)!.length === 0 || pages.length === 1).toBe(true);
    });

    it('walks with limit 1 across the tied started_at without gaps', async () => {
      const { ids } = await walk(1);
      expect(ids).toEqual(expectedOrder);
    });

    it('walks a filtered list (status=missed, the ties) with limit 3', async () => {
      const { ids, pages } = await walk(3, '&status=missed');
      expect(pages.map((pg) => pg.length)).toEqual([3, 1]);
      expect(ids).toEqual([...tied].sort().reverse());
    });

    it('walks calls without started_at created in one transaction (same microsecond created_at) without gaps', async () => {
      const s = await createApp(t, 'calls same created_at');
      // one statement: every row gets the same now(), with microseconds
      const { rows } = await db.query<{ id: string; us: string }>(
        `INSERT INTO calls (app_id, dialpad_call_id, status, created_at)
         SELECT $1, (5000 + g)::text, 'ringing', '2024-11-20T10:00:00.123456Z'::timestamptz FROM generate_series(1, 10) g
         RETURNING id`,
        [s.id],
      );
      const expected = rows.map((r) => r.id).sort().reverse();
      const seen: string[] = [];
      let cursor: string | null = null;
      for (let n = 0; n < 20; n++) {
        const page: CallPage = await list(s.api_key, `?limit=3${cursor ? `&cursor=${cursor}` : ''}`);
        seen.push(...page.items.map((i) => i.id));
        cursor = page.next_cursor;
        if (!cursor) break;
      }
      expect(seen).toEqual(expected);
    });

    it('a call inserted after the first page does not shift the later pages', async () => {
      const first = await list(p.api_key, '?limit=7');
      // a newer call lands at the top of the list: the cursor still continues where page one ended
      const newId = await insertCall(p.id, { dialpad_call_id: '4000', status: 'ringing', started_at: new Date(Date.UTC(2024, 10, 30)).toISOString() });
      try {
        const second = await list(p.api_key, `?limit=7&cursor=${first.next_cursor}`);
        expect(second.items.map((i) => i.id)).toEqual(expectedOrder.slice(7, 14));
      } finally {
        await db.query(`DELETE FROM calls WHERE id = $1`, [newId]);
      }
    });
  });

  // ---------------------------------------------------------------- active

  describe('GET /api/calls/active', () => {
    it('lists only initiated, ringing and connected calls that are still live', async () => {
      const res = await api(a.api_key, '/api/calls/active').expect(200);
      const items = (res.body as { items: CallItem[] }).items;
      expect(items.map((i) => i.dialpad_call_id).sort()).toEqual(['104', '105', '106']);
      expect(items.map((i) => i.status).sort()).toEqual(['connected', 'initiated', 'ringing']);
      expect(Object.keys(res.body as object)).toEqual(['items']);
    });

    it('another app sees only its own live calls', async () => {
      const res = await api(b.api_key, '/api/calls/active').expect(200);
      expect((res.body as { items: CallItem[] }).items.map((i) => i.dialpad_call_id).sort()).toEqual(['901', '902']);
    });

    it('follows a call from the webhook: active while ringing, gone once it ends', async () => {
      const callId = '5910447283400001';
      const now = Date.now();
      await postJwt(t, a, fixtureWith('inbound-ringing.json', { call_id: callId, event_timestamp: now, date_started: now - 2000, date_rang: now - 1000, date_first_rang: now - 1000 }));
      const activeIds = async () =>
        ((await api(a.api_key, '/api/calls/active').expect(200)).body as { items: CallItem[] }).items.map((i) => i.dialpad_call_id);
      await waitFor(async () => (await activeIds()).includes(callId));
      await postJwt(t, a, fixtureWith('inbound-hangup.json', { call_id: callId, event_timestamp: now + 5000, date_started: now - 2000, date_connected: now, date_ended: now + 4000, duration: 4000 }));
      await waitFor(async () => !(await activeIds()).includes(callId));
      const call = await api(a.api_key, `/api/calls/${callId}`).expect(200);
      expect(call.body).toMatchObject({ status: 'ended', duration_ms: 4000, started_at: new Date(now - 2000).toISOString() });
      expect((await activeIds()).sort()).toEqual(['104', '105', '106']);
      await db.query(`DELETE FROM calls WHERE app_id = $1 AND dialpad_call_id = $2`, [a.id, callId]);
    });
  });

  // ---------------------------------------------------------------- one call

  describe('GET /api/calls/:id', () => {
    it('finds a call by uuid and by Dialpad call id', async () => {
      const byUuid = await api(a.api_key, `/api/calls/${aIds.get('104')}`).expect(200);
      const byDialpad = await api(a.api_key, '/api/calls/104').expect(200);
      expect(byUuid.body).toEqual(byDialpad.body);
      expect(byUuid.body).toMatchObject({ id: aIds.get('104'), dialpad_call_id: '104', status: 'connected', raw_payload: null });
    });

    it('keeps a Dialpad id above 2^53 exact (9007199254740993, not ...992)', async () => {
      const json = fixtureWith('leg-with-master.json');
      expect((await postJwt(t, a, json)).status).toBe(200);
      const res = await waitFor(async () => {
        const r = await api(a.api_key, '/api/calls/9007199254740993');
        return r.status === 200 ? r : null;
      });
      expect(res.body).toMatchObject({ dialpad_call_id: '9007199254740993', master_call_id: '6755399441055744', status: 'connected' });
      // the raw payload keeps the digits too (an id a JS number cannot hold comes back as its exact text)
      expect(res.body.raw_payload).toMatchObject({ call_id: '9007199254740993', master_call_id: 6755399441055744, state: 'connected' });
      const uuid = (res.body as { id: string }).id;
      expect((await api(a.api_key, `/api/calls/${uuid}`).expect(200)).body.dialpad_call_id).toBe('9007199254740993');
      expectErrorShape(await api(a.api_key, '/api/calls/9007199254740992'), 404);
      expectErrorShape(await api(a.api_key, '/api/calls/9007199254740994'), 404);
      // and it is listed with its exact id
      expect(callIds(await list(a.api_key, '?limit=200'))).toContain('9007199254740993');
    });

    it.each([['unknown uuid', randomUUID()], ['unknown Dialpad id', '999999'], ['not an id', 'abc'], ['uuid-ish', 'not-a-uuid-at-all-0000']])(
      'answers 404 for %s',
      async (_label, id) => {
        expectErrorShape(await api(a.api_key, `/api/calls/${id}`), 404);
      },
    );
  });

  // ---------------------------------------------------------------- tenancy

  describe('tenant isolation', () => {
    it('app B gets 404 for app A\'s call, by uuid and by Dialpad id', async () => {
      expectErrorShape(await api(b.api_key, `/api/calls/${aIds.get('104')}`), 404);
      expectErrorShape(await api(b.api_key, '/api/calls/104'), 404);
      expectErrorShape(await api(b.api_key, '/api/calls/9007199254740993'), 404);
    });

    it('the same Dialpad call id in two apps is two calls, each seen only by its app', async () => {
      const inA = await api(a.api_key, '/api/calls/101').expect(200);
      const inB = await api(b.api_key, '/api/calls/101').expect(200);
      expect(inA.body.id).toBe(aIds.get('101'));
      expect(inB.body.id).not.toBe(inA.body.id);
      expectErrorShape(await api(b.api_key, `/api/calls/${inA.body.id}`), 404);
      expectErrorShape(await api(a.api_key, `/api/calls/${inB.body.id}`), 404);
    });

    it('app B\'s lists never contain app A\'s calls, whatever the filter', async () => {
      const aUuids = new Set(aIds.values());
      for (const query of ['', '?limit=200', '?dialpad_user_id=11', '?crm_user_id=crm-1', '?status=ended', `?from=${hour(0)}`]) {
        const page = await list(b.api_key, query);
        for (const item of page.items) expect(aUuids.has(item.id)).toBe(false);
      }
      expect(callIds(await list(b.api_key, ''))).toEqual(['902', '901', '101']);
      expect(callIds(await list(b.api_key, '?dialpad_user_id=11'))).toEqual(['901', '101']);
    });

    it('a cursor from app A does not reveal app A\'s calls to app B', async () => {
      const page = await list(a.api_key, '?limit=2');
      const next = await list(b.api_key, `?limit=200&cursor=${page.next_cursor}`);
      for (const item of next.items) expect(new Set(aIds.values()).has(item.id)).toBe(false);
    });
  });

  // ---------------------------------------------------------------- auth

  describe('auth', () => {
    it.each([['/api/calls'], ['/api/calls/active'], ['/api/calls/101']])('answers 401 without a key (%s)', async (path) => {
      const res = await api(undefined, path);
      expectErrorShape(res, 401);
      expect(errorText(res)).toMatch(/x-app-api-key/);
    });

    it.each([['ctk_' + 'Z'.repeat(40)], ['garbage']])('answers 401 for an unknown key %#', async (key) => {
      expectErrorShape(await api(key, '/api/calls'), 401);
    });

    it('answers 401 for a revoked key', async () => {
      const r = await createApp(t, 'calls revoked');
      await insertCall(r.id, { dialpad_call_id: '555', status: 'ended' });
      await api(r.api_key, '/api/calls').expect(200);
      await request(t.baseUrl).post(`/internal/apps/${r.id}/api-key/revoke`).set('Authorization', `Bearer ${t.adminToken}`).expect(200);
      for (const path of ['/api/calls', '/api/calls/active', '/api/calls/555']) expectErrorShape(await api(r.api_key, path), 401);
    });

    it('answers 403 for an inactive app', async () => {
      const i = await createApp(t, 'calls inactive');
      await insertCall(i.id, { dialpad_call_id: '556', status: 'ended' });
      await api(i.api_key, '/api/calls/556').expect(200);
      await request(t.baseUrl).patch(`/internal/apps/${i.id}`).set('Authorization', `Bearer ${t.adminToken}`).send({ is_active: false }).expect(200);
      for (const path of ['/api/calls', '/api/calls/active', '/api/calls/556']) expectErrorShape(await api(i.api_key, path), 403);
    });

    it('the admin token is not an API key', async () => {
      const res = await request(t.baseUrl).get('/api/calls').set('Authorization', `Bearer ${t.adminToken}`);
      expectErrorShape(res, 401);
    });
  });
});
