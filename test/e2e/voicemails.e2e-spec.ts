import { randomUUID } from 'node:crypto';
import pg from 'pg';
import request from 'supertest';
import { expectErrorShape } from '../support/http-expect.js';
import { startTestApp, TestApp } from '../support/test-app.js';
import { CreatedApp, createApp, fixtureWith, postJwt, waitFor } from '../support/webhooks.js';

interface Voicemail {
  id: string;
  dialpad_call_id: string;
  dialpad_user_id: string | null;
  crm_user_id: string | null;
  from_number: string | null;
  to_number: string | null;
  voicemail_url: string | null;
  recording_id: string | null;
  transcription: string | null;
  duration_ms: number | null;
  received_at: string | null;
  created_at: string;
  updated_at: string;
}

const USER = '4785129047965696';
const OTHER_USER = '4785129047965697';

/** voicemail.json for another call, user and time (the user id only appears as target.id). */
function voicemailEvent(callId: string, user: string, eventTimestamp: number): string {
  return fixtureWith('voicemail.json', { call_id: callId, event_timestamp: eventTimestamp }).replace(USER, user);
}

describe('voicemails /internal/apps/:app_id/voicemails (e2e)', () => {
  let t: TestApp;
  let pool: pg.Pool;
  let appA: CreatedApp;
  let appB: CreatedApp;
  let vm1: Voicemail; // A, fixture as is (USER, 2024-11-15T21:27:41Z)
  let vm2: Voicemail; // A, OTHER_USER, 2024-11-16T23:33:20Z
  let vmB: Voicemail; // B, same Dialpad call id as vm1
  const admin = () => `Bearer ${t.adminToken}`;
  const list = (appId: string, query: Record<string, string | number> = {}) =>
    request(t.baseUrl).get(`/internal/apps/${appId}/voicemails`).query(query).set('Authorization', admin());

  beforeAll(async () => {
    t = await startTestApp({ EVENT_POLL_INTERVAL_MS: '200' });
    pool = new pg.Pool({ connectionString: t.db.url, max: 2 });
    appA = await createApp(t, 'VM A');
    appB = await createApp(t, 'VM B');
    const mapped = await request(t.baseUrl)
      .post(`/internal/apps/${appA.id}/users/map`)
      .set('Authorization', admin())
      .send({ dialpad_user_id: USER, crm_user_id: 'crm-river' });
    expect(mapped.status).toBe(200);

    for (const [app, json] of [
      [appA, fixtureWith('voicemail.json')],
      [appA, voicemailEvent('6302920190263300', OTHER_USER, 1731800000000)],
      [appB, fixtureWith('voicemail.json')],
    ] as const) {
      const res = await postJwt(t, app, json);
      expect(res.status).toBe(200);
    }
    const listA = await waitFor(async () => {
      const res = await list(appA.id);
      return res.status === 200 && (res.body as Voicemail[]).length === 2 ? (res.body as Voicemail[]) : null;
    });
    [vm2, vm1] = listA as [Voicemail, Voicemail];
    const listB = await waitFor(async () => {
      const res = await list(appB.id);
      return res.status === 200 && (res.body as Voicemail[]).length === 1 ? (res.body as Voicemail[]) : null;
    });
    vmB = listB[0]!;
  });
  afterAll(async () => {
    await pool?.end();
    await t?.close();
  });

  it('stores a voicemail webhook and lists the app’s voicemails, newest first', async () => {
    expect(vm1).toMatchObject({
      dialpad_call_id: '6302920190263296',
      dialpad_user_id: USER,
      crm_user_id: 'crm-river',
      from_number: '+14155550188',
      to_number: '+15105550142',
      voicemail_url: 'https://dialpad.com/v/EXAMPLEvoicemail6302920190263296',
      recording_id: '5733953138851840',
      transcription: 'Hi, this is Alex, please call me back about the quote.',
      received_at: '2024-11-15T21:27:41.000Z',
    });
    expect(Object.keys(vm1).sort()).toEqual(
      [
        'created_at',
        'crm_user_id',
        'dialpad_call_id',
        'dialpad_user_id',
        'duration_ms',
        'from_number',
        'id',
        'received_at',
        'recording_id',
        'to_number',
        'transcription',
        'updated_at',
        'voicemail_url',
      ].sort(),
    );
    expect(vm2).toMatchObject({
      dialpad_call_id: '6302920190263300',
      dialpad_user_id: OTHER_USER,
      crm_user_id: null,
      received_at: '2024-11-16T23:33:20.000Z',
    });
    expect(vmB).toMatchObject({ dialpad_call_id: '6302920190263296', crm_user_id: null });
    expect(vmB.id).not.toBe(vm1.id);
    // the call row was moved to `voicemail` too
    const { rows } = await pool.query('SELECT status, crm_user_id FROM calls WHERE app_id = $1 AND dialpad_call_id = $2', [appA.id, '6302920190263296']);
    expect(rows).toEqual([{ status: 'voicemail', crm_user_id: 'crm-river' }]);
  });

  it('filters by dialpad_user_id and by from/to, and paginates', async () => {
    const byUser = await list(appA.id, { dialpad_user_id: USER });
    expect(byUser.status).toBe(200);
    expect((byUser.body as Voicemail[]).map((v) => v.id)).toEqual([vm1.id]);
    expect((await list(appA.id, { dialpad_user_id: OTHER_USER })).body.map((v: Voicemail) => v.id)).toEqual([vm2.id]);
    expect((await list(appA.id, { dialpad_user_id: '1' })).body).toEqual([]);

    const from = await list(appA.id, { from: '2024-11-16T00:00:00Z' });
    expect(from.status).toBe(200);
    expect((from.body as Voicemail[]).map((v) => v.id)).toEqual([vm2.id]);
    const to = await list(appA.id, { to: '2024-11-16T00:00:00Z' });
    expect((to.body as Voicemail[]).map((v) => v.id)).toEqual([vm1.id]);
    // `from` is inclusive, `to` exclusive
    expect((await list(appA.id, { from: '2024-11-15T21:27:41.000Z', to: '2024-11-16T23:33:20.000Z' })).body.map((v: Voicemail) => v.id)).toEqual([
      vm1.id,
    ]);
    expect((await list(appA.id, { from: '2024-11-17T00:00:00Z' })).body).toEqual([]);

    expect((await list(appA.id, { limit: 1 })).body.map((v: Voicemail) => v.id)).toEqual([vm2.id]);
    expect((await list(appA.id, { limit: 1, offset: 1 })).body.map((v: Voicemail) => v.id)).toEqual([vm1.id]);
  });

  it('validates the query', async () => {
    expectErrorShape(await list(appA.id, { limit: 0 }), 400);
    expectErrorShape(await list(appA.id, { limit: 201 }), 400);
    expectErrorShape(await list(appA.id, { limit: 'ten' }), 400);
    expectErrorShape(await list(appA.id, { offset: -1 }), 400);
    expectErrorShape(await list(appA.id, { dialpad_user_id: 'abc' }), 400);
    expectErrorShape(await list(appA.id, { from: 'yesterday' }), 400);
    expectErrorShape(await list(appA.id, { from: '2024-11-16T00:00:00Z', to: '2024-11-15T00:00:00Z' }), 400);
    expectErrorShape(await list(appA.id, { status: 'new' }), 400);
  });

  it('gets one voicemail by id', async () => {
    const res = await request(t.baseUrl).get(`/internal/apps/${appA.id}/voicemails/${vm1.id}`).set('Authorization', admin());
    expect(res.status).toBe(200);
    expect(res.body).toEqual(vm1);
  });

  it('never shows or deletes another app’s voicemail', async () => {
    expectErrorShape(await request(t.baseUrl).get(`/internal/apps/${appA.id}/voicemails/${vmB.id}`).set('Authorization', admin()), 404);
    expectErrorShape(await request(t.baseUrl).delete(`/internal/apps/${appA.id}/voicemails/${vmB.id}`).set('Authorization', admin()), 404);
    expect((await list(appB.id)).body.map((v: Voicemail) => v.id)).toEqual([vmB.id]);
    expect((await list(appA.id)).body.map((v: Voicemail) => v.id)).not.toContain(vmB.id);
  });

  it('answers 400 for a bad id, 404 for an unknown one or an unknown app, 401 without the admin token', async () => {
    expectErrorShape(await request(t.baseUrl).get(`/internal/apps/${appA.id}/voicemails/not-a-uuid`).set('Authorization', admin()), 400);
    expectErrorShape(await request(t.baseUrl).delete(`/internal/apps/${appA.id}/voicemails/123`).set('Authorization', admin()), 400);
    expectErrorShape(await request(t.baseUrl).get(`/internal/apps/${appA.id}/voicemails/${randomUUID()}`).set('Authorization', admin()), 404);
    expectErrorShape(await list(randomUUID()), 404);
    expectErrorShape(await request(t.baseUrl).get(`/internal/apps/${randomUUID()}/voicemails/${vm1.id}`).set('Authorization', admin()), 404);
    expectErrorShape(await request(t.baseUrl).get(`/internal/apps/${appA.id}/voicemails`), 401);
    expectErrorShape(await request(t.baseUrl).get(`/internal/apps/${appA.id}/voicemails/${vm1.id}`).set('x-app-api-key', appA.api_key), 401);
    expectErrorShape(await request(t.baseUrl).delete(`/internal/apps/${appA.id}/voicemails/${vm1.id}`), 401);
  });

  it('deletes a voicemail: 204, then 404', async () => {
    const del = await request(t.baseUrl).delete(`/internal/apps/${appA.id}/voicemails/${vm2.id}`).set('Authorization', admin());
    expect(del.status).toBe(204);
    expect(del.text).toBe('');
    expectErrorShape(await request(t.baseUrl).get(`/internal/apps/${appA.id}/voicemails/${vm2.id}`).set('Authorization', admin()), 404);
    expectErrorShape(await request(t.baseUrl).delete(`/internal/apps/${appA.id}/voicemails/${vm2.id}`).set('Authorization', admin()), 404);
    expect((await list(appA.id)).body.map((v: Voicemail) => v.id)).toEqual([vm1.id]);
    const { rowCount } = await pool.query('SELECT 1 FROM voicemails WHERE id = $1', [vm2.id]);
    expect(rowCount).toBe(0);
  });
});
