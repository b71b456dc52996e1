import request from 'supertest';
import { WebSocket } from 'ws';
import { startTestApp, TestApp } from '../support/test-app.js';
import { CreatedApp, createApp, waitFor } from '../support/webhooks.js';
import { TestWsClient, wsUrl } from '../support/ws-client.js';

const HEARTBEAT_MS = 200;

/** The value of cti_ws_connections for one app on this node (0 when the app has no sample). */
async function connections(t: TestApp, appId: string): Promise<number> {
  const res = await request(t.baseUrl).get('/metrics');
  expect(res.status).toBe(200);
  const line = res.text.split('\n').find((l) => l.startsWith('cti_ws_connections{') && l.includes(`app_id="${appId}"`));
  return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : 0;
}

/** A raw `ws` client that never answers the server's pings. */
function silentClient(url: string): Promise<{ socket: WebSocket; closed: Promise<{ code: number; at: number }>; pings: () => number }> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, { autoPong: false });
    let pings = 0;
    socket.on('ping', () => pings++);
    const closed = new Promise<{ code: number; at: number }>((r) => socket.once('close', (code) => r({ code, at: Date.now() })));
    socket.once('open', () => resolve({ socket, closed, pings: () => pings }));
    socket.once('error', reject);
  });
}

describe('realtime heartbeat and connection metrics (e2e)', () => {
  let t: TestApp;
  let appX: CreatedApp;
  let appY: CreatedApp;
  const sockets: WebSocket[] = [];

  beforeAll(async () => {
    t = await startTestApp({ WS_HEARTBEAT_MS: String(HEARTBEAT_MS), EVENT_PROCESSOR_ENABLED: 'false' });
    appX = await createApp(t, 'HB X');
    appY = await createApp(t, 'HB Y');
  });
  afterAll(async () => {
    for (const s of sockets) s.terminate();
    await t?.close();
  });

  it('terminates a client that does not answer pings within ~1 s; a normal client stays connected', async () => {
    const normal = await TestWsClient.connect(wsUrl(t.baseUrl, { api_key: appX.api_key }));
    sockets.push(normal.socket);
    let normalPings = 0;
    normal.socket.on('ping', () => normalPings++);
    await normal.waitFor((m) => m.type === 'welcome');
    expect(normal.messages[0]).toMatchObject({ type: 'welcome', heartbeat_ms: HEARTBEAT_MS });

    const silent = await silentClient(wsUrl(t.baseUrl, { api_key: appX.api_key }));
    sockets.push(silent.socket);
    const openedAt = Date.now();
    const result = await Promise.race([silent.closed, new Promise<null>((r) => setTimeout(() => r(null), 1500))]);
    expect(result).not.toBeNull();
    expect(result!.code).toBe(1006); // terminated: no close frame
    expect(result!.at - openedAt).toBeLessThanOrEqual(1000);
    expect(silent.pings()).toBeGreaterThanOrEqual(1); // it was pinged, and did not answer

    // the normal client outlives several heartbeats
    await new Promise((r) => setTimeout(r, 5 * HEARTBEAT_MS));
    expect(normal.closeCode).toBeNull();
    expect(normal.socket.readyState).toBe(WebSocket.OPEN);
    expect(normalPings).toBeGreaterThanOrEqual(4);
    normal.send(JSON.stringify({ type: 'ping' }));
    await normal.waitFor((m) => m.type === 'pong');
    await waitFor(async () => (await connections(t, appX.id)) === 1, 2000);
    normal.close();
    await normal.waitClosed();
  });

  it('exposes cti_ws_connections per app in /metrics', async () => {
    await waitFor(async () => (await connections(t, appX.id)) === 0, 2000);
    const xs = await Promise.all([1, 2, 3].map(() => TestWsClient.connect(wsUrl(t.baseUrl, { api_key: appX.api_key }))));
    const y = await TestWsClient.connect(wsUrl(t.baseUrl, { api_key: appY.api_key }));
    sockets.push(...xs.map((c) => c.socket), y.socket);
    expect(await connections(t, appX.id)).toBe(3);
    expect(await connections(t, appY.id)).toBe(1);
    const res = await request(t.baseUrl).get('/metrics');
    expect(res.text).toMatch(/# TYPE cti_ws_connections gauge/);
    expect(res.text).toContain(`cti_ws_connections{app_id="${appX.id}",service="turbo-cti"} 3`);

    xs[0]!.close();
    await xs[0]!.waitClosed();
    await waitFor(async () => (await connections(t, appX.id)) === 2, 2000);
    // a dead peer is dropped from the count too
    const silent = await silentClient(wsUrl(t.baseUrl, { api_key: appY.api_key }));
    sockets.push(silent.socket);
    expect(await connections(t, appY.id)).toBe(2);
    await silent.closed;
    await waitFor(async () => (await connections(t, appY.id)) === 1, 2000);
    expect(await connections(t, appX.id)).toBe(2);

    for (const c of [...xs, y]) c.close();
    await waitFor(async () => (await connections(t, appX.id)) === 0 && (await connections(t, appY.id)) === 0, 2000);
  });

  it('closes every socket with 1001 when the service shuts down', async () => {
    const node = await startTestApp({ EVENT_PROCESSOR_ENABLED: 'false' }, t.db);
    const app = await createApp(node, 'HB shutdown');
    const c1 = await TestWsClient.connect(wsUrl(node.baseUrl, { api_key: app.api_key }));
    const c2 = await TestWsClient.connect(wsUrl(node.baseUrl, { api_key: app.api_key, since: '0' }));
    const onOtherNode = await TestWsClient.connect(wsUrl(t.baseUrl, { api_key: app.api_key }));
    sockets.push(c1.socket, c2.socket, onOtherNode.socket);
    await node.close();
    expect(await c1.waitClosed(3000)).toBe(1001);
    expect(await c2.waitClosed(3000)).toBe(1001);
    expect(onOtherNode.closeCode).toBeNull();
    onOtherNode.close();
  });
});
