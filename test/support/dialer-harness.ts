import request from 'supertest';
import { connectDialpad, dialpadEnv } from './dialpad.js';
import { FakeDialpad } from '../../demo/fakes/fake-dialpad.js';
import { type CellValue, FakeSheets } from '../../demo/fakes/fake-sheets.js';
import { AGENT_HEADER, agentTab, type LeadSpec, ROUTER_HEADER } from './sheets-fixtures.js';
import { startTestApp, type TestApp, type TestDatabase } from './test-app.js';
import { type CreatedApp, createApp } from './webhooks.js';
import { TestWsClient, wsUrl } from './ws-client.js';
import { Sql } from '../../src/infra/database/sql.js';
import { SheetsOutboxWorker } from '../../src/integrations/sheets/sheets-outbox.worker.js';
import { waitForFlush } from './sheets-harness.js';

/** A campaign policy that lets every number be dialed at any hour of the day (tests run around the clock). */
export const ALL_HOURS_POLICY = { callingWindow: { enabled: true, start: '00:00', end: '24:00' } };

export const ROUTER_BOOK = 'router-book-0001';
export const AGENT_BOOK = 'agent-book-0001';
export const LEADS_TAB = 'Leads';
export const LEADS_GID = 41;

/** The agent tab's header once the dialer has added LastCalledAt. */
export const FINAL_HEADER = [...AGENT_HEADER, 'LastCalledAt'];

/** Valid US numbers (fictional 555-01xx lines) in New York, Chicago and San Francisco. */
export const phone = (n: number): string => `${['212', '312', '415'][n % 3]}555${String(100 + n).padStart(4, '0')}`;

export interface RouteSpec {
  email: string;
  dialpadUserId: string;
  spreadsheetId?: string;
  tabId?: string | number;
  campaign?: string;
  active?: CellValue;
}

export function routerRows(routes: RouteSpec[]): CellValue[][] {
  return [
    ROUTER_HEADER,
    ...routes.map((r) => [r.email, r.dialpadUserId, r.spreadsheetId ?? AGENT_BOOK, String(r.tabId ?? LEADS_GID), r.campaign ?? 'Spring', r.active ?? 'TRUE']),
  ];
}

/** One lead with its numbers NEW. */
export function lead(rowId: string, name: string, numbers: string[], extra: LeadSpec = {}): LeadSpec {
  const cells: LeadSpec = { RowID: rowId, Name: name, ...extra };
  numbers.forEach((n, i) => {
    cells[`Num${i + 1}`] = n;
    cells[`Status${i + 1}`] = 'NEW';
  });
  return cells;
}

export interface DialerWorld {
  sheets: FakeSheets;
  dialpad: FakeDialpad;
  t: TestApp;
  app: CreatedApp;
  /** resolves once the Sheets write queue is flushed (every queued write applied to the fake, held ones aside) */
  flushed(): Promise<void>;
  /** closes the service (once), keeping the fakes and the database: a node going away */
  closeApp(): Promise<void>;
  close(): Promise<void>;
}

/**
 * The whole service against fake Sheets and fake Dialpad servers: an app
 * connected to Dialpad, whose calls' webhooks the fake sends (signed JWTs) to
 * /webhooks/dialpad/<app_id>, and a dialer configuration pointing at the router.
 */
export async function startDialerWorld(
  options: { env?: Record<string, string>; webhookStepMs?: number; policy?: object; db?: TestDatabase; configure?: boolean } = {},
): Promise<DialerWorld> {
  const sheets = await FakeSheets.start();
  const dialpad = await FakeDialpad.start({ webhookStepMs: options.webhookStepMs ?? 5 });
  const t = await startTestApp({ ...dialpadEnv(dialpad), SHEETS_API_ROOT_URL: sheets.url, ...options.env }, options.db);
  const app = await createApp(t, 'Dialer');
  const connected = await connectDialpad(t, dialpad, app.id);
  if (connected.status !== 200) throw new Error(`connect Dialpad answered ${connected.status}: ${connected.text}`);
  dialpad.setWebhookTarget(`${t.baseUrl}/webhooks/dialpad/${app.id}`, app.webhook_secret);
  if (options.configure !== false) {
    const config = await putDialerConfig(t, app.id, { router_spreadsheet_id: ROUTER_BOOK, policy: options.policy ?? ALL_HOURS_POLICY });
    if (config.status !== 200) throw new Error(`dialer-config answered ${config.status}: ${config.text}`);
  }
  let closing: Promise<void> | null = null;
  const closeApp = () => (closing ??= t.close());
  return {
    sheets,
    dialpad,
    t,
    app,
    flushed: () => sheetsFlushed(t),
    closeApp,
    close: async () => {
      await closeApp();
      await dialpad.close();
      await sheets.close();
    },
  };
}

/**
 * The configuration of another node of the same service as the world's (for a
 * restart: pass the world's database to startTestApp): its Redis prefix,
 * secrets and fakes, plus `extra`.
 */
export function sameServiceEnv(w: DialerWorld, extra: Record<string, string> = {}): Record<string, string> {
  const { REDIS_KEY_PREFIX, INTERNAL_JWT_SECRET, ENCRYPTION_KEY } = w.t.config;
  return { ...dialpadEnv(w.dialpad), SHEETS_API_ROOT_URL: w.sheets.url, REDIS_KEY_PREFIX, INTERNAL_JWT_SECRET, ENCRYPTION_KEY, ...extra };
}

/** Waits for a node's Sheets write queue to be flushed (the queue is shared: any node of the database will do). */
export function sheetsFlushed(t: TestApp, timeoutMs = 10_000): Promise<void> {
  return waitForFlush(t.app.get(Sql), t.app.get(SheetsOutboxWorker, { strict: false }), timeoutMs);
}

export function putDialerConfig(t: TestApp, appId: string, body: object) {
  return request(t.baseUrl).put(`/internal/apps/${appId}/dialer-config`).set('Authorization', `Bearer ${t.adminToken}`).send(body);
}

export function getDialerConfig(t: TestApp, appId: string) {
  return request(t.baseUrl).get(`/internal/apps/${appId}/dialer-config`).set('Authorization', `Bearer ${t.adminToken}`);
}

export function mintToken(t: TestApp, app: CreatedApp, email: string) {
  return request(t.baseUrl).post('/api/agents/token').set('x-app-api-key', app.api_key).send({ agent_email: email });
}

export async function agentToken(t: TestApp, app: CreatedApp, email: string): Promise<string> {
  const res = await mintToken(t, app, email);
  if (res.status !== 201) throw new Error(`agent token answered ${res.status}: ${res.text}`);
  return (res.body as { token: string }).token;
}

export interface DialBody {
  attempt_id: string | null;
  attempt?: null;
  row_id?: string;
  name?: string;
  number_index?: number;
  phone?: string;
  dialpad_call_id?: string;
  reason?: string;
}

export interface DispositionBody {
  attempt_id: string;
  code: string;
  sheet: 'queued' | 'lead_gone' | 'number_gone';
  next: DialBody | null;
}

/**
 * The dialer routes as one agent (Bearer token), each with an optional
 * Idempotency-Key. Given `settle` (e.g. the world's `flushed`), each call
 * answers only once the Sheets writes it queued are in the fake sheet, so a
 * test can read the cells right after it.
 */
export class AgentClient {
  constructor(
    readonly baseUrl: string,
    readonly token: string,
    private readonly settle?: () => Promise<void>,
  ) {}

  private async post(path: string, body?: object, key?: string) {
    const req = request(this.baseUrl).post(path).set('Authorization', `Bearer ${this.token}`);
    if (key !== undefined) req.set('Idempotency-Key', key);
    // a request that hangs fails the test with its route, not with a bare test timeout
    req.timeout(15_000);
    const res = await (body === undefined ? req : req.send(body));
    if (this.settle) await this.settle();
    return res;
  }

  start(key?: string) {
    return this.post('/session/start', undefined, key);
  }
  current() {
    return request(this.baseUrl).get('/session/current').set('Authorization', `Bearer ${this.token}`);
  }
  pause(key?: string) {
    return this.post('/session/pause', undefined, key);
  }
  resume(key?: string) {
    return this.post('/session/resume', undefined, key);
  }
  stop(key?: string) {
    return this.post('/session/stop', undefined, key);
  }
  dial(key?: string) {
    return this.post('/dial', undefined, key);
  }
  disposition(body: { attempt_id: string; code: string | number; notes?: string; callback_at?: string; callback_only_me?: boolean }, key?: string) {
    return this.post('/disposition', body, key);
  }

  /** The agent's socket (`/ws?token=`), open. */
  socket(): Promise<TestWsClient> {
    return TestWsClient.connect(wsUrl(this.baseUrl, { token: this.token }));
  }
}

export { agentTab };
