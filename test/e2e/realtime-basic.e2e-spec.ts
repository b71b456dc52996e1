import { startTestApp, TestApp } from '../support/test-app.js';
import { CreatedApp, createApp, fixtureWith, postJwt } from '../support/webhooks.js';
import { TestWsClient, wsUrl } from '../support/ws-client.js';

describe('realtime /ws (e2e)', () => {
  let t: TestApp;
  let appA: CreatedApp;
  let appB: CreatedApp;

  beforeAll(async () => {
    t = await startTestApp({ EVENT_POLL_INTERVAL_MS: '60000' });
    appA = await createApp(t, 'A');
    appB = await createApp(t, 'B');
  });
  afterAll(async () => {
    await t.close();
  });

  it('pushes a processed webhook to the app’s clients only', async () => {
    const a = await TestWsClient.connect(wsUrl(t.baseUrl), { 'x-app-api-key': appA.api_key });
    const b = await TestWsClient.connect(wsUrl(t.baseUrl, { api_key: appB.api_key }));
    const res = await postJwt(t, appA, fixtureWith('inbound-ringing.json', { call_id: '7000000000000001' }));
    expect(res.status).toBe(200);
    const [event] = await a.waitForEvents(1);
    expect(event).toMatchObject({
      event_id: res.body.event_id,
      event: 'call.ring',
      call_id: '7000000000000001',
      direction: 'inbound',
      from_number: '+14155550123',
      to_number: '+15105550142',
      status: 'ringing',
      user_id: '4785129047965696',
    });
    await new Promise((r) => setTimeout(r, 200));
    expect(b.events()).toHaveLength(0);
    a.close();
    b.close();
  });

  it('refuses a bad key with HTTP 401 during the upgrade', async () => {
    await expect(TestWsClient.connect(wsUrl(t.baseUrl, { api_key: 'ctk_' + 'x'.repeat(40) }))).rejects.toMatchObject({ status: 401 });
    await expect(TestWsClient.connect(wsUrl(t.baseUrl))).rejects.toMatchObject({ status: 401 });
  });
});
