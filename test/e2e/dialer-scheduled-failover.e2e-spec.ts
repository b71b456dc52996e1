import { DialScheduler } from '../../src/dialer-session/dial-scheduler.service.js';
import { RedisService } from '../../src/infra/redis/redis.service.js';
import {
  AGENT_BOOK,
  AgentClient,
  agentTab,
  agentToken,
  type DialBody,
  type DialerWorld,
  type DispositionBody,
  lead,
  phone,
  ROUTER_BOOK,
  routerRows,
  sameServiceEnv,
  startDialerWorld,
} from '../support/dialer-harness.js';
import { createTestDatabase, startTestApp, type TestApp, type TestDatabase } from '../support/test-app.js';
import { waitFor } from '../support/webhooks.js';

/**
 * A chained dial held by Dialpad's call-rate limit is scheduled (issue 14); the node that scheduled it stops
 * before its time. Another node of the service places it, once (DialScheduler's sweep of the due index).
 */
describe('a scheduled dial whose node stopped (e2e)', () => {
  const TAB = { title: 'Sam', gid: 71 };
  let db: TestDatabase;
  let w: DialerWorld;
  let other: TestApp | null = null;

  beforeAll(async () => {
    db = await createTestDatabase();
    // Dialpad's 5 calls a minute per user, its minute compressed to 3 s
    w = await startDialerWorld({ db, env: { DIALPAD_CALLS_WINDOW_MS: '3000' } });
    w.sheets.setSheet(ROUTER_BOOK, 'Router', routerRows([{ email: 'sam@example.com', dialpadUserId: w.dialpad.users[0]!.id, tabId: TAB.gid }]));
    w.sheets.setSheet(AGENT_BOOK, TAB.title, agentTab(Array.from({ length: 8 }, (_, i) => lead(`S${i + 1}`, `Lead ${i + 1}`, [phone(300 + i)]))), {
      sheetId: TAB.gid,
    });
  });
  afterAll(async () => {
    await other?.close();
    await w?.close();
    await db?.drop();
  });

  const callsOfSam = () => w.dialpad.calls.filter((c) => c.user_id === w.dialpad.users[0]!.id);

  it('another node places it after its time, once, and the session shows the call', async () => {
    const token = await agentToken(w.t, w.app, 'sam@example.com');
    const sam = new AgentClient(w.t.baseUrl, token, w.flushed);
    expect((await sam.start()).status).toBe(200);
    let next = (await sam.dial()).body as DialBody;
    for (let n = 1; n <= 4; n++) {
      const res = await sam.disposition({ attempt_id: next.attempt_id!, code: 'NO_ANSWER' });
      expect(res.status).toBe(200);
      next = (res.body as DispositionBody).next as DialBody;
      expect(next.attempt_id).toEqual(expect.any(String));
    }
    expect(callsOfSam()).toHaveLength(5);
    const sixth = await sam.disposition({ attempt_id: next.attempt_id!, code: 'NO_ANSWER' });
    expect(sixth.body).toMatchObject({ next: { attempt_id: null, scheduled_at: expect.any(String) } });
    const scheduledAt = Date.parse((sixth.body as { next: { scheduled_at: string } }).next.scheduled_at);

    // the node stops before the time: its timer goes with it
    await w.closeApp();
    expect(Date.now()).toBeLessThan(scheduledAt);
    other = await startTestApp(sameServiceEnv(w, { DIALPAD_CALLS_WINDOW_MS: '3000' }), db);

    await waitFor(async () => callsOfSam().length === 6, 10_000, 50);
    const placedAt = Date.now();
    expect(placedAt).toBeGreaterThanOrEqual(scheduledAt);
    // Dialpad has the call before the session records it (the attempt is written once Dialpad answers)
    const onOther = new AgentClient(other.baseUrl, token);
    let current = await onOther.current();
    await waitFor(async () => {
      current = await onOther.current();
      return (current.body as { current_attempt_id?: unknown }).current_attempt_id != null;
    }, 5_000, 25);
    expect(current.body).toMatchObject({ state: 'PLAY', current_attempt_id: expect.any(String) });
    // placed once: the sweep finds nothing more, and no other call comes
    expect(await other.app.get(DialScheduler).sweep(Date.now() + 60_000)).toBe(0);
    await new Promise((r) => setTimeout(r, 1500));
    expect(callsOfSam()).toHaveLength(6);
    const index = await other.app.get(RedisService).client.zcard(other.app.get(RedisService).key('dialer:scheduled-due'));
    expect(index).toBe(0);
  }, 60_000);
});
