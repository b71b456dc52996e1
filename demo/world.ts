/**
 * The demo's world, shared by `npm run demo` (demo/demo.ts), the browser test
 * (test/browser/console.browser.mjs) and the console benchmark (bench/console.mjs):
 * the fake Google Sheets seeded with the router and the campaign, the fake
 * Dialpad with the demo agent's user, the service's environment pointing at
 * both, and the setup an administrator does through the service's public API —
 * an app, Dialpad connected through OAuth, the webhook subscription, the dialer
 * configuration and the agent's console link.
 */
import { randomBytes, randomInt } from 'node:crypto';
import { FakeDialpad, type RealisticCallOptions } from './fakes/fake-dialpad.js';
import { FakeSheets } from './fakes/fake-sheets.js';
import { DEMO_AGENT_EMAIL, DEMO_DIALPAD_USER, ROUTER_SPREADSHEET_ID, ROUTER_TAB, seedSheets } from './seed.js';

/** A setup step the service refused: the message says which and why. */
export class WorldError extends Error {}

/** The demo's default calling window: every hour, so the demo dials at any time of day. */
export const ALL_HOURS = { enabled: true, start: '00:00', end: '24:00' };

/** The fake Google Sheets on `port` (default any), seeded with the router tab and the campaign tab. */
export async function startFakeSheets(opts: { port?: number; leads?: number } = {}): Promise<{ sheets: FakeSheets; leads: number }> {
  const sheets = await FakeSheets.start(opts.port === undefined ? {} : { port: opts.port });
  const seeded = seedSheets(sheets, { agentEmail: DEMO_AGENT_EMAIL, dialpadUserId: DEMO_DIALPAD_USER.id, ...(opts.leads ? { leads: opts.leads } : {}) });
  return { sheets, leads: seeded.leads };
}

/** The fake Dialpad on `port` (default any): the demo agent's user, realistic calls. */
export function startFakeDialpad(opts: { port?: number; realistic?: RealisticCallOptions } = {}): Promise<FakeDialpad> {
  return FakeDialpad.start({
    ...(opts.port === undefined ? {} : { port: opts.port }),
    clientId: 'turbo-cti-demo',
    clientSecret: randomBytes(16).toString('hex'),
    // a Dialpad company connects to one app only, and every run creates its own app (a clean slate)
    companyId: String(5629499534213120n + BigInt(randomInt(1, 2 ** 40))),
    users: [DEMO_DIALPAD_USER],
    callMode: 'realistic',
    realistic: opts.realistic ?? {},
  });
}

/** The service's environment for the fakes: Dialpad's OAuth app and origin, the Sheets endpoint, the public URL. */
export function fakesEnv(opts: { dialpad: FakeDialpad; sheets: FakeSheets; publicBase: string }): Record<string, string> {
  return {
    PUBLIC_BASE_URL: opts.publicBase,
    DIALPAD_BASE_URL: opts.dialpad.url,
    DIALPAD_CLIENT_ID: opts.dialpad.clientId,
    DIALPAD_CLIENT_SECRET: opts.dialpad.clientSecret,
    DIALPAD_REDIRECT_URI: `${opts.publicBase}/auth/dialpad/callback`,
    // the fake has no per-minute limit; let an agent dial as fast as the calls end
    DIALPAD_CALLS_PER_USER_PER_MINUTE: '30',
    SHEETS_API_ROOT_URL: opts.sheets.url,
    AGENT_TOKEN_TTL_SECONDS: '43200',
  };
}

export interface World {
  appId: string;
  apiKey: string;
  webhookSecret: string;
  /** `<public base>/console#token=…` */
  consoleUrl: string;
  consoleExpiresAt: string;
  /** `<public base>/console/calls#api_key=…` */
  boardUrl: string;
}

export interface WorldOptions {
  /** the service as this process reaches it, e.g. http://127.0.0.1:4000 */
  base: string;
  /** the service as the browser reaches it (the links); default `base` */
  publicBase?: string;
  adminToken: string;
  appName?: string;
  /** the dialer's policy overrides (default: calling window all hours) */
  policy?: object;
  /** how the policy reads in the progress lines, e.g. "calling window all hours" */
  policyLabel?: string;
  /** one line per step done */
  onStep?: (line: string) => void;
}

/** An app, Dialpad connected (OAuth against the fake) and subscribed, the dialer configured, the agent's console link. */
export async function setUpWorld(opts: WorldOptions): Promise<World> {
  const { base, adminToken } = opts;
  const publicBase = (opts.publicBase ?? base).replace(/\/+$/, '');
  const step = opts.onStep ?? (() => undefined);
  const api = apiClient(base, adminToken);
  const name = opts.appName ?? `Demo ${new Date().toISOString().slice(0, 16).replace('T', ' ')}`;
  const created = await api<{ id: string; api_key: string; webhook_secret: string }>('POST', '/internal/apps', { name }, [201]);
  const appId = created.id;
  step(`app ${appId} created`);

  await connectDialpad(base, adminToken, appId);
  await api('POST', `/internal/apps/${appId}/dialpad/subscribe`, {}, [200, 201]);
  await api('POST', `/internal/apps/${appId}/dialpad/sync-users`, undefined, [200]).catch(() => undefined); // names on the calls board: nice to have
  step(`Dialpad connected through OAuth (fake consent as ${DEMO_DIALPAD_USER.first_name} ${DEMO_DIALPAD_USER.last_name}); its webhooks go to /webhooks/dialpad/${appId}`);

  await api('PUT', `/internal/apps/${appId}/dialer-config`, { router_spreadsheet_id: ROUTER_SPREADSHEET_ID, router_tab: ROUTER_TAB, policy: opts.policy ?? { callingWindow: ALL_HOURS } }, [200]);
  step(`dialer configured: router ${ROUTER_SPREADSHEET_ID}${opts.policyLabel ? `, ${opts.policyLabel}` : ''}`);

  const link = await consoleLink(base, adminToken, appId, created.api_key, publicBase);
  return {
    appId,
    apiKey: created.api_key,
    webhookSecret: created.webhook_secret,
    consoleUrl: link.url,
    consoleExpiresAt: link.expiresAt,
    boardUrl: `${publicBase}/console/calls#api_key=${created.api_key}`,
  };
}

type Api = <T = unknown>(method: string, path: string, body: object | undefined, expect: number[]) => Promise<T>;

function apiClient(base: string, adminToken: string): Api {
  return async <T>(method: string, path: string, body: object | undefined, expect: number[]): Promise<T> => {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: { authorization: `Bearer ${adminToken}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    if (!expect.includes(res.status)) throw new WorldError(`${method} ${path} answered ${res.status}: ${text.slice(0, 300)}`);
    return (text ? JSON.parse(text) : null) as T;
  };
}

/** What a browser does: connect (302 to Dialpad) → Dialpad's consent page (302 back with a code) → callback. */
async function connectDialpad(base: string, adminToken: string, appId: string): Promise<void> {
  const connect = await fetch(`${base}/auth/dialpad/connect?app_id=${appId}`, { headers: { authorization: `Bearer ${adminToken}` }, redirect: 'manual' });
  const authorize = connect.headers.get('location');
  if (connect.status !== 302 || !authorize) throw new WorldError(`GET /auth/dialpad/connect answered ${connect.status}: ${await connect.text()}`);
  const consent = await fetch(authorize, { redirect: 'manual' });
  const back = consent.headers.get('location');
  if (consent.status !== 302 || !back) throw new WorldError(`the fake Dialpad's consent answered ${consent.status}: ${await consent.text()}`);
  const callback = await fetch(`${base}/auth/dialpad/callback${new URL(back).search}`, { redirect: 'manual' });
  if (callback.status !== 200 && callback.status !== 302) throw new WorldError(`GET /auth/dialpad/callback answered ${callback.status}: ${(await callback.text()).slice(0, 300)}`);
}

/** The agent's console link: the admin route, else (a service without it) an agent token minted with the app's key. */
async function consoleLink(base: string, adminToken: string, appId: string, apiKey: string, publicBase: string): Promise<{ url: string; expiresAt: string }> {
  const res = await fetch(`${base}/internal/apps/${appId}/agents/console-link`, {
    method: 'POST',
    headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ agent_email: DEMO_AGENT_EMAIL }),
  });
  if (res.ok) {
    const link = (await res.json()) as { url: string; expires_at: string };
    return { url: link.url, expiresAt: link.expires_at };
  }
  if (res.status !== 404) throw new WorldError(`POST /internal/apps/${appId}/agents/console-link answered ${res.status}: ${(await res.text()).slice(0, 300)}`);
  const token = await fetch(`${base}/api/agents/token`, {
    method: 'POST',
    headers: { 'x-app-api-key': apiKey, 'content-type': 'application/json' },
    body: JSON.stringify({ agent_email: DEMO_AGENT_EMAIL }),
  });
  if (token.status !== 201) throw new WorldError(`POST /api/agents/token answered ${token.status}: ${(await token.text()).slice(0, 300)}`);
  const minted = (await token.json()) as { token: string; expires_at: string };
  return { url: `${publicBase}/console#token=${minted.token}`, expiresAt: minted.expires_at };
}
