import { randomUUID } from 'node:crypto';
import pg from 'pg';
import request from 'supertest';
import { errorText, expectErrorShape, UUID_V4 } from '../support/http-expect.js';
import { startTestApp, TestApp } from '../support/test-app.js';
import { CreatedApp, createApp } from '../support/webhooks.js';

interface Mapping {
  id: string;
  dialpad_user_id: string;
  crm_user_id: string;
  display_name: string | null;
  email: string | null;
  created_at: string;
  updated_at: string;
}

describe('user mapping /internal/apps/:app_id/users (e2e)', () => {
  let t: TestApp;
  let pool: pg.Pool;
  let appA: CreatedApp;
  let appB: CreatedApp;
  const admin = () => `Bearer ${t.adminToken}`;
  const base = (appId: string) => `/internal/apps/${appId}/users`;
  const countMappings = async (appId: string): Promise<number> =>
    Number((await pool.query<{ n: string }>('SELECT count(*) AS n FROM dialpad_user_mappings WHERE app_id = $1', [appId])).rows[0]!.n);

  beforeAll(async () => {
    t = await startTestApp({ EVENT_PROCESSOR_ENABLED: 'false' });
    pool = new pg.Pool({ connectionString: t.db.url, max: 2 });
    appA = await createApp(t, 'Mapping A');
    appB = await createApp(t, 'Mapping B');
  });
  afterAll(async () => {
    await pool?.end();
    await t?.close();
  });

  it('maps one user, then updates the same dialpad_user_id in place', async () => {
    const created = await request(t.baseUrl)
      .post(`${base(appA.id)}/map`)
      .set('Authorization', admin())
      .send({ dialpad_user_id: '4785129047965696', crm_user_id: ' crm-river ', display_name: 'River', email: 'River.Example@Example.com' });
    expect(created.status).toBe(200);
    const first = created.body as Mapping;
    expect(first).toMatchObject({
      dialpad_user_id: '4785129047965696',
      crm_user_id: 'crm-river',
      display_name: 'River',
      email: 'river.example@example.com',
    });
    expect(first.id).toMatch(UUID_V4);
    expect(Object.keys(first).sort()).toEqual(['created_at', 'crm_user_id', 'dialpad_user_id', 'display_name', 'email', 'id', 'updated_at']);

    const updated = await request(t.baseUrl)
      .post(`${base(appA.id)}/map`)
      .set('Authorization', admin())
      .send({ dialpad_user_id: '4785129047965696', crm_user_id: 'crm-river-2' });
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({
      id: first.id,
      dialpad_user_id: '4785129047965696',
      crm_user_id: 'crm-river-2',
      // omitted optional fields keep their value
      display_name: 'River',
      email: 'river.example@example.com',
    });
    expect(new Date((updated.body as Mapping).updated_at).getTime()).toBeGreaterThanOrEqual(new Date(first.updated_at).getTime());
    const { rows } = await pool.query('SELECT crm_user_id FROM dialpad_user_mappings WHERE app_id = $1 AND dialpad_user_id = $2', [
      appA.id,
      '4785129047965696',
    ]);
    expect(rows).toEqual([{ crm_user_id: 'crm-river-2' }]);
  });

  it('lists the app’s mappings with filters and pagination', async () => {
    const app = await createApp(t, 'List');
    for (const [d, c] of [
      ['100', 'crm-a'],
      ['200', 'crm-b'],
      ['300', 'crm-a'],
    ]) {
      const res = await request(t.baseUrl).post(`${base(app.id)}/map`).set('Authorization', admin()).send({ dialpad_user_id: d, crm_user_id: c });
      expect(res.status).toBe(200);
    }
    const all = await request(t.baseUrl).get(`${base(app.id)}/mappings`).set('Authorization', admin());
    expect(all.status).toBe(200);
    expect((all.body as Mapping[]).map((m) => m.dialpad_user_id)).toEqual(['100', '200', '300']);

    const byDialpad = await request(t.baseUrl).get(`${base(app.id)}/mappings`).query({ dialpad_user_id: '200' }).set('Authorization', admin());
    expect(byDialpad.status).toBe(200);
    expect((byDialpad.body as Mapping[]).map((m) => [m.dialpad_user_id, m.crm_user_id])).toEqual([['200', 'crm-b']]);

    const byCrm = await request(t.baseUrl).get(`${base(app.id)}/mappings`).query({ crm_user_id: 'crm-a' }).set('Authorization', admin());
    expect((byCrm.body as Mapping[]).map((m) => m.dialpad_user_id)).toEqual(['100', '300']);

    const page = await request(t.baseUrl).get(`${base(app.id)}/mappings`).query({ limit: 1, offset: 1 }).set('Authorization', admin());
    expect((page.body as Mapping[]).map((m) => m.dialpad_user_id)).toEqual(['200']);

    const none = await request(t.baseUrl).get(`${base(app.id)}/mappings`).query({ dialpad_user_id: '999' }).set('Authorization', admin());
    expect(none.body).toEqual([]);

    expectErrorShape(await request(t.baseUrl).get(`${base(app.id)}/mappings`).query({ dialpad_user_id: 'abc' }).set('Authorization', admin()), 400);
    expectErrorShape(await request(t.baseUrl).get(`${base(app.id)}/mappings`).query({ limit: 0 }).set('Authorization', admin()), 400);
  });

  it('batch-maps 1000 rows at once', async () => {
    const app = await createApp(t, 'Batch');
    const mappings = Array.from({ length: 1000 }, (_, i) => ({ dialpad_user_id: String(5_000_000_000_000_000n + BigInt(i)), crm_user_id: `crm-${i}` }));
    const res = await request(t.baseUrl).post(`${base(app.id)}/batch-map`).set('Authorization', admin()).send({ mappings });
    expect(res.status).toBe(200);
    const body = res.body as { count: number; mappings: Mapping[] };
    expect(body.count).toBe(1000);
    expect(body.mappings).toHaveLength(1000);
    expect(new Set(body.mappings.map((m) => m.dialpad_user_id)).size).toBe(1000);
    expect(await countMappings(app.id)).toBe(1000);
    const { rows } = await pool.query<{ crm_user_id: string }>(
      'SELECT crm_user_id FROM dialpad_user_mappings WHERE app_id = $1 AND dialpad_user_id = $2',
      [app.id, '5000000000000999'],
    );
    expect(rows).toEqual([{ crm_user_id: 'crm-999' }]);

    // a second batch updates existing rows and adds new ones
    const again = await request(t.baseUrl)
      .post(`${base(app.id)}/batch-map`)
      .set('Authorization', admin())
      .send({
        mappings: [
          { dialpad_user_id: '5000000000000000', crm_user_id: 'crm-zero-renamed' },
          { dialpad_user_id: '42', crm_user_id: 'crm-new' },
        ],
      });
    expect(again.status).toBe(200);
    expect((again.body as { count: number }).count).toBe(2);
    expect(await countMappings(app.id)).toBe(1001);
  });

  it('refuses 1001 rows, an empty batch and a batch that is not an array', async () => {
    const app = await createApp(t, 'Batch too big');
    const mappings = Array.from({ length: 1001 }, (_, i) => ({ dialpad_user_id: String(1000 + i), crm_user_id: `crm-${i}` }));
    const res = await request(t.baseUrl).post(`${base(app.id)}/batch-map`).set('Authorization', admin()).send({ mappings });
    expectErrorShape(res, 400);
    expect(errorText(res)).toMatch(/mappings/);
    expect(await countMappings(app.id)).toBe(0);
    expectErrorShape(await request(t.baseUrl).post(`${base(app.id)}/batch-map`).set('Authorization', admin()).send({ mappings: [] }), 400);
    expectErrorShape(await request(t.baseUrl).post(`${base(app.id)}/batch-map`).set('Authorization', admin()).send({ mappings: 'x' }), 400);
    expectErrorShape(await request(t.baseUrl).post(`${base(app.id)}/batch-map`).set('Authorization', admin()).send({}), 400);
    expect(await countMappings(app.id)).toBe(0);
  });

  it('refuses a whole batch when one row is invalid, naming the row, and stores nothing', async () => {
    const app = await createApp(t, 'Batch invalid row');
    const mappings = Array.from({ length: 20 }, (_, i) => ({ dialpad_user_id: String(7000 + i), crm_user_id: `crm-${i}` }));
    mappings[7] = { dialpad_user_id: 'abc', crm_user_id: 'crm-7' };
    const res = await request(t.baseUrl).post(`${base(app.id)}/batch-map`).set('Authorization', admin()).send({ mappings });
    expectErrorShape(res, 400);
    expect(errorText(res)).toContain('mappings.7.dialpad_user_id');
    expect(errorText(res)).not.toMatch(/mappings\.(?!7\.)\d+/);
    expect(await countMappings(app.id)).toBe(0);

    // a row with an empty crm_user_id, and an unknown field in a row
    const emptyCrm = [...mappings];
    emptyCrm[7] = { dialpad_user_id: '7007', crm_user_id: '   ' };
    const r2 = await request(t.baseUrl).post(`${base(app.id)}/batch-map`).set('Authorization', admin()).send({ mappings: emptyCrm });
    expectErrorShape(r2, 400);
    expect(errorText(r2)).toContain('mappings.7.crm_user_id');
    const extra = [...mappings];
    extra[7] = { dialpad_user_id: '7007', crm_user_id: 'crm-7', role: 'admin' } as (typeof mappings)[number];
    const r3 = await request(t.baseUrl).post(`${base(app.id)}/batch-map`).set('Authorization', admin()).send({ mappings: extra });
    expectErrorShape(r3, 400);
    expect(errorText(r3)).toContain('mappings.7');
    expect(await countMappings(app.id)).toBe(0);
  });

  it('refuses a batch that gives the same dialpad_user_id twice, and stores nothing', async () => {
    const app = await createApp(t, 'Batch duplicate');
    const res = await request(t.baseUrl)
      .post(`${base(app.id)}/batch-map`)
      .set('Authorization', admin())
      .send({
        mappings: [
          { dialpad_user_id: '11', crm_user_id: 'crm-1' },
          { dialpad_user_id: '22', crm_user_id: 'crm-2' },
          { dialpad_user_id: '11', crm_user_id: 'crm-3' },
        ],
      });
    expectErrorShape(res, 400);
    expect(errorText(res)).toContain('mappings.2.dialpad_user_id');
    expect(errorText(res)).toContain('mappings.0');
    expect(await countMappings(app.id)).toBe(0);
  });

  it('deletes a mapping: 204, then 404', async () => {
    const created = await request(t.baseUrl).post(`${base(appA.id)}/map`).set('Authorization', admin()).send({ dialpad_user_id: '900', crm_user_id: 'crm-900' });
    expect(created.status).toBe(200);
    const id = (created.body as Mapping).id;
    const del = await request(t.baseUrl).delete(`${base(appA.id)}/mappings/${id}`).set('Authorization', admin());
    expect(del.status).toBe(204);
    expect(del.text).toBe('');
    const { rowCount } = await pool.query('SELECT 1 FROM dialpad_user_mappings WHERE id = $1', [id]);
    expect(rowCount).toBe(0);
    expectErrorShape(await request(t.baseUrl).delete(`${base(appA.id)}/mappings/${id}`).set('Authorization', admin()), 404);
    expectErrorShape(await request(t.baseUrl).delete(`${base(appA.id)}/mappings/not-a-uuid`).set('Authorization', admin()), 400);
  });

  it('isolates tenants: app A’s mapping is neither listed nor deletable through app B', async () => {
    const created = await request(t.baseUrl).post(`${base(appA.id)}/map`).set('Authorization', admin()).send({ dialpad_user_id: '777', crm_user_id: 'crm-a-777' });
    expect(created.status).toBe(200);
    const id = (created.body as Mapping).id;

    const listB = await request(t.baseUrl).get(`${base(appB.id)}/mappings`).set('Authorization', admin());
    expect(listB.status).toBe(200);
    expect(listB.body).toEqual([]);
    const filteredB = await request(t.baseUrl).get(`${base(appB.id)}/mappings`).query({ dialpad_user_id: '777' }).set('Authorization', admin());
    expect(filteredB.body).toEqual([]);

    expectErrorShape(await request(t.baseUrl).delete(`${base(appB.id)}/mappings/${id}`).set('Authorization', admin()), 404);
    const stillThere = await pool.query('SELECT app_id FROM dialpad_user_mappings WHERE id = $1', [id]);
    expect(stillThere.rows).toEqual([{ app_id: appA.id }]);

    // the same dialpad user mapped in B is B's own row; A's stays as it was
    const inB = await request(t.baseUrl).post(`${base(appB.id)}/map`).set('Authorization', admin()).send({ dialpad_user_id: '777', crm_user_id: 'crm-b-777' });
    expect(inB.status).toBe(200);
    expect((inB.body as Mapping).id).not.toBe(id);
    const listA = await request(t.baseUrl).get(`${base(appA.id)}/mappings`).query({ dialpad_user_id: '777' }).set('Authorization', admin());
    expect((listA.body as Mapping[]).map((m) => [m.id, m.crm_user_id])).toEqual([[id, 'crm-a-777']]);
  });

  it('requires the admin token', async () => {
    const body = { dialpad_user_id: '1', crm_user_id: 'x' };
    expectErrorShape(await request(t.baseUrl).post(`${base(appA.id)}/map`).send(body), 401);
    expectErrorShape(await request(t.baseUrl).post(`${base(appA.id)}/map`).set('Authorization', 'Bearer nope').send(body), 401);
    expectErrorShape(await request(t.baseUrl).post(`${base(appA.id)}/map`).set('x-app-api-key', appA.api_key).send(body), 401);
    expectErrorShape(await request(t.baseUrl).get(`${base(appA.id)}/mappings`), 401);
    expectErrorShape(await request(t.baseUrl).post(`${base(appA.id)}/batch-map`).send({ mappings: [body] }), 401);
    expectErrorShape(await request(t.baseUrl).delete(`${base(appA.id)}/mappings/${randomUUID()}`), 401);
    const { rowCount } = await pool.query('SELECT 1 FROM dialpad_user_mappings WHERE app_id = $1 AND dialpad_user_id = $2', [appA.id, '1']);
    expect(rowCount).toBe(0);
  });

  it('answers 404 for an unknown app and 400 for a bad app id', async () => {
    const unknown = randomUUID();
    const body = { dialpad_user_id: '1', crm_user_id: 'x' };
    expectErrorShape(await request(t.baseUrl).post(`${base(unknown)}/map`).set('Authorization', admin()).send(body), 404);
    expectErrorShape(await request(t.baseUrl).get(`${base(unknown)}/mappings`).set('Authorization', admin()), 404);
    expectErrorShape(await request(t.baseUrl).post(`${base(unknown)}/batch-map`).set('Authorization', admin()).send({ mappings: [body] }), 404);
    expectErrorShape(await request(t.baseUrl).delete(`${base(unknown)}/mappings/${randomUUID()}`).set('Authorization', admin()), 404);
    expectErrorShape(await request(t.baseUrl).post(`${base('not-a-uuid')}/map`).set('Authorization', admin()).send(body), 400);
  });

  it('validates the body: extra fields, bad ids, bad e-mail, missing crm_user_id', async () => {
    const post = (body: object) => request(t.baseUrl).post(`${base(appB.id)}/map`).set('Authorization', admin()).send(body);
    const extra = await post({ dialpad_user_id: '55', crm_user_id: 'x', is_admin: true });
    expectErrorShape(extra, 400);
    expect(errorText(extra)).toContain('is_admin');
    expectErrorShape(await post({ dialpad_user_id: 55, crm_user_id: 'x' }), 400);
    expectErrorShape(await post({ dialpad_user_id: '12a', crm_user_id: 'x' }), 400);
    expectErrorShape(await post({ dialpad_user_id: '55' }), 400);
    expectErrorShape(await post({ dialpad_user_id: '55', crm_user_id: 'x'.repeat(201) }), 400);
    expectErrorShape(await post({ dialpad_user_id: '55', crm_user_id: 'x', email: 'not-an-email' }), 400);
    const { rowCount } = await pool.query('SELECT 1 FROM dialpad_user_mappings WHERE app_id = $1 AND dialpad_user_id = $2', [appB.id, '55']);
    expect(rowCount).toBe(0);
  });
});
