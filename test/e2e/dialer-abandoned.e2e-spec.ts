import pg from 'pg';
import { ReservationStore } from '../../src/dialer-session/reservation.store.js';
import { type RedisClient, RedisService } from '../../src/infra/redis/redis.service.js';
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
  startDialerWorld,
} from '../support/dialer-harness.js';
import { leadCells } from '../support/sheets-fixtures.js';

const TAB = { title: 'Abandoned', gid: 61 };

/** An agent who dials and never comes back must not keep the lead out of rotation forever. */
describe('Dialer: abandoned dials (e2e)', () => {
  let w: DialerWorld;
  let gil: AgentClient;
  let hal: AgentClient;
  let db: pg.Pool;
  let redis: RedisClient;

  beforeAll(async () => {
    w = await startDialerWorld({ env: { DIALPAD_CALLS_PER_USER_PER_MINUTE: '1000' } });
    const users = w.dialpad.users;
    w.sheets.setSheet(
      ROUTER_BOOK,
      'Router',
      routerRows([
        { email: 'gil@example.com', dialpadUserId: users[0]!.id, tabId: TAB.gid },
        { email: 'hal@example.com', dialpadUserId: users[1]!.id, tabId: TAB.gid },
      ]),
    );
    w.sheets.setSheet(AGENT_BOOK, TAB.title, agentTab([lead('A1', 'First', [phone(1)]), lead('A2', 'Second', [phone(2)]), lead('A3', 'Third', [phone(3)])]), {
      sheetId: TAB.gid,
    });
    gil = new AgentClient(w.t.baseUrl, await agentToken(w.t, w.app, 'gil@example.com'), w.flushed);
    hal = new AgentClient(w.t.baseUrl, await agentToken(w.t, w.app, 'hal@example.com'), w.flushed);
    for (const agent of [gil, hal]) expect((await agent.start()).status).toBe(200);
    db = new pg.Pool({ connectionString: w.t.db.url, max: 1 });
    redis = w.t.app.get(RedisService).client;
  });
  afterAll(async () => {
    await db?.end();
    await w?.close();
  });

  it('once the reservation expired, the next dial on the tab puts the number back and closes the attempt', async () => {
    const gilDial = (await gil.dial()).body as DialBody;
    expect(gilDial.row_id).toBe('A1');
    expect(leadCells(w.sheets.cells(AGENT_BOOK, TAB.title), 'A1')).toMatchObject({ Status1: 'IN_PROGRESS' });

    // while gil's reservation holds, hal never gets A1
    expect((await hal.pause()).status).toBe(200);
    expect((await hal.resume()).status).toBe(200);
    const halFirst = (await hal.dial()).body as DialBody;
    expect(halFirst.row_id).toBe('A2');
    expect((await hal.pause()).status).toBe(200);
    const dispo = await hal.disposition({ attempt_id: halFirst.attempt_id!, code: 'WRONG' });
    expect(dispo.status).toBe(200);
    expect((dispo.body as DispositionBody).next).toBeNull();

    // gil never comes back; his reservation runs out (here: removed, as the TTL would)
    const key = `${w.t.config.REDIS_KEY_PREFIX}dialer:reserve:${w.app.id}:${AGENT_BOOK}:${TAB.gid}`;
    expect(await redis.hdel(key, 'A1')).toBe(1);

    expect((await hal.resume()).status).toBe(200);
    const halSecond = (await hal.dial()).body as DialBody;
    expect(halSecond.row_id).toBe('A1'); // back in rotation, top to bottom
    const { rows } = await db.query(`SELECT status, error, previous_status FROM dialer_attempts WHERE id = $1`, [gilDial.attempt_id]);
    expect(rows[0]).toEqual({ status: 'failed', error: 'abandoned: no disposition before the lead reservation expired', previous_status: 'NEW' });
    expect(leadCells(w.sheets.cells(AGENT_BOOK, TAB.title), 'A1')).toMatchObject({ Status1: 'IN_PROGRESS' }); // hal's dial now
  });

  it("another agent's dial of a moment ago is not abandoned when the reservations were read before the sheet", async () => {
    // hal closes his A1 dial; A3 is the one lead left
    expect((await hal.pause()).status).toBe(200);
    const halOpen = (await db.query(`SELECT id FROM dialer_attempts WHERE row_id = 'A1' AND status NOT IN ('failed', 'dispositioned')`)).rows[0] as { id: string };
    expect((await hal.disposition({ attempt_id: halOpen.id, code: 'WRONG' })).status).toBe(200);

    // hal's next dial reads the reservations first (as it was before gil's dial) and the sheet after it
    const store = w.t.app.get(ReservationStore);
    const before = await store.reserved(w.app.id, AGENT_BOOK, String(TAB.gid));
    const gilDial = (await gil.dial()).body as DialBody;
    expect(gilDial.row_id).toBe('A3');
    const reserved = store.reserved.bind(store);
    store.reserved = async () => {
      store.reserved = reserved;
      return new Set(before);
    };
    expect((await hal.resume()).status).toBe(200);
    const halDial = await hal.dial();
    expect(store.reserved).toBe(reserved); // the stale snapshot was used

    // gil's dial stands: hal got nothing, gil's attempt is open, A3 still IN_PROGRESS, and gil can give its disposition
    expect(halDial.status).toBe(200);
    expect((halDial.body as DialBody).attempt_id).toBeNull();
    const { rows } = await db.query(`SELECT status FROM dialer_attempts WHERE id = $1`, [gilDial.attempt_id]);
    expect(rows[0].status).not.toBe('failed');
    expect(leadCells(w.sheets.cells(AGENT_BOOK, TAB.title), 'A3')).toMatchObject({ Status1: 'IN_PROGRESS' });
    expect((await gil.pause()).status).toBe(200);
    expect((await gil.disposition({ attempt_id: gilDial.attempt_id!, code: 'WRONG' })).status).toBe(200);
  });
});
