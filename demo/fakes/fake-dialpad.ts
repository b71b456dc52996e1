import { createHash, randomBytes } from 'node:crypto';
import http, { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { signDialpadJwt } from './dialpad-jwt.js';
import { callEventJson } from './fake-dialpad-call-events.js';

/**
 * A fake Dialpad for tests (and local development): a real HTTP server on a
 * random port speaking Dialpad's wire format — OAuth 2 (authorize, token with
 * authorization_code + PKCE and rotating refresh_token grants, deauthorize)
 * and the `/api/v2` routes the service uses. Ids are int64 strings in REST
 * answers, bare JSON numbers in webhooks, as Dialpad does. Failures (400, 401,
 * invalid_grant, 429 with Retry-After, 500, hanging answers) can be injected
 * per route, and a placed call sends its call-event webhooks (HS256 JWT bodies)
 * to the webhook the service subscribed (or one set with setWebhookTarget).
 *
 *   const dialpad = await FakeDialpad.start({ users: 250 });
 *   startTestApp({ DIALPAD_BASE_URL: dialpad.url, DIALPAD_CLIENT_ID: dialpad.clientId, … })
 *   dialpad.setFailure('token', 'server_error', { times: 2 });
 *   await dialpad.close();
 *
 * Call modes. `instant` (the default, what the tests rely on): a placed call's
 * webhooks follow each other every `webhookStepMs`, as `callScenario` says.
 * `realistic` (the demo): a placed call rings, then is answered, goes
 * unanswered or reaches voicemail at random, and hangs up by itself on human
 * timings (see RealisticCallOptions; `timeScale` compresses them for tests);
 * the hangup API ends it at once. `simulateInbound()` (or `POST /_demo/inbound`,
 * a control route outside Dialpad's `/api/v2`) sends an inbound call's
 * ringing → connected → hangup webhooks; `GET /_demo/calls` lists the calls.
 *
 *   const dialpad = await FakeDialpad.start({ port: 4010, callMode: 'realistic', realistic: { timeScale: 0.1 } });
 *   dialpad.simulateInbound({ from: '+12125550101', toUserId: dialpad.users[0]!.id, contactName: 'Ada Lovelace' });
 */

export type FakeRoute = 'authorize' | 'token' | 'deauthorize' | 'company' | 'users' | 'user' | 'call' | 'hangup' | 'webhooks' | 'subscriptions' | 'control' | 'unknown';

/**
 * - `bad_request` 400 (REST `{"error": {"code", "message"}}`; OAuth `invalid_request`)
 * - `invalid_grant` 400 `{"error": "invalid_grant"}` (token route)
 * - `unauthorized` 401 (REST: bad token; token route: `invalid_client`)
 * - `rate_limited` 429 with Retry-After
 * - `server_error` 500
 * - `hang` never answers (until close)
 */
export type FakeFailure = 'bad_request' | 'invalid_grant' | 'unauthorized' | 'rate_limited' | 'server_error' | 'hang';

export interface FailureOptions {
  /** how many requests fail (default: all, until clearFailures) */
  times?: number;
  /** let this many matching requests through first (e.g. fail from page 2 on) */
  after?: number;
  /** Retry-After seconds on 429 (default 1; 0 sends `Retry-After: 0`) */
  retryAfterSeconds?: number;
  message?: string;
}

export interface RecordedRequest {
  route: FakeRoute;
  method: string;
  path: string;
  query: Record<string, string>;
  headers: http.IncomingHttpHeaders;
  body: string;
  /** the parsed form (token route) */
  form: Record<string, string> | null;
  /** the parsed JSON body */
  json: unknown;
  bearer: string | null;
  /** the status answered (null while hanging) */
  status: number | null;
  /** Date.now() when it arrived */
  at: number;
}

export interface FakeUser {
  id: string;
  first_name: string;
  last_name: string;
  emails: string[];
  phone_numbers: string[];
  state: string;
}

export interface FakeCall {
  call_id: string;
  user_id: string;
  phone_number: string;
  custom_data: string | null;
  outbound_caller_id: string | null;
  hungUp: boolean;
  scenario: CallScenario;
  /** `outbound` unless simulated inbound */
  direction?: 'outbound' | 'inbound';
  /** the other party's name in the events' `contact` (default "Fake Contact") */
  contact_name?: string;
  /** epoch ms the call started ringing (realistic and inbound calls; else started + 1 s in the events) */
  rang_at?: number;
  /** the last state sent (realistic and inbound calls) */
  state?: string;
  /** how a realistic or inbound call goes */
  outcome?: RealisticOutcome;
}

export interface WebhookDelivery {
  call_id: string;
  state: string;
  hook_url: string;
  status: number | null;
  error?: string;
  /** Date.now() when the POST was sent */
  sent_at: number;
}

/** `answered`: calling → ringing → connected → hangup; `unanswered`: calling → ringing → hangup (a missed call). */
export type CallScenario = 'answered' | 'unanswered';

/** `voicemail`: the far end's voicemail picks up (connected, a short "talk", hangup), as Dialpad sees it. */
export type RealisticOutcome = 'answered' | 'unanswered' | 'voicemail';

export type CallMode = 'instant' | 'realistic';

/** Timings (ms, as [min, max], drawn uniformly) and odds of realistic calls. */
export interface RealisticCallOptions {
  /** multiplies every duration (default 1; e.g. 0.01 in tests) */
  timeScale?: number;
  /** calling → ringing (default 400–1200 ms) */
  dialMs?: [number, number];
  /** ringing → answered or given up (default 2–6 s) */
  ringMs?: [number, number];
  /** share of outbound calls answered (default 0.6) */
  answerProbability?: number;
  /** share of the calls NOT answered that reach voicemail (default 0.5); the rest ring out (missed) */
  voicemailProbability?: number;
  /** answered → hangup (default 8–40 s) */
  talkMs?: [number, number];
  /** voicemail picked up → hangup (greeting, beep, message; default 6–15 s) */
  voicemailMs?: [number, number];
  /** the random source (default Math.random) */
  random?: () => number;
}

export interface SimulateInboundOptions {
  /** the caller, E.164 */
  from: string;
  /** the Dialpad user called (default the first user) */
  toUserId?: string;
  /** the caller's name in the events' `contact` */
  contactName?: string;
  /** false: rings out unanswered (ringing → hangup, a missed call); default true */
  answered?: boolean;
  /** ring time before the answer, ms (default: realistic ring time, or webhookStepMs in instant mode) */
  ringMs?: number;
  /** talk time, ms (default: realistic talk time, or webhookStepMs in instant mode) */
  talkMs?: number;
}

export interface FakeDialpadOptions {
  clientId?: string;
  clientSecret?: string;
  companyId?: string;
  /** lifetime of issued access tokens (default 3600 s) */
  accessTokenTtlSeconds?: number;
  /** users of the company: a count to generate (default 3), or the users */
  users?: number | FakeUser[];
  callScenario?: CallScenario;
  /** delay between two webhooks of a call (default 15 ms; instant mode) */
  webhookStepMs?: number;
  /** how placed calls go (default `instant`) */
  callMode?: CallMode;
  /** timings and odds of realistic calls */
  realistic?: RealisticCallOptions;
  /** port to listen on (default 0: any free port) */
  port?: number;
  /** interface to listen on (default 127.0.0.1) */
  host?: string;
}

interface AuthCode {
  clientId: string;
  redirectUri: string;
  codeChallenge: string | null;
  codeChallengeMethod: string | null;
  userId: string;
  expiresAt: number;
  used: boolean;
}

interface AccessToken {
  userId: string;
  expiresAt: number;
  revoked: boolean;
}

interface FailureRule extends FailureOptions {
  route: FakeRoute;
  failure: FakeFailure;
  remaining: number;
  passed: number;
}

interface Webhook {
  id: string;
  hook_url: string;
  secret: string | null;
}

interface Subscription {
  id: string;
  webhook_id: string;
  call_states: string[];
  enabled: boolean;
}

/** A call on a timeline (realistic or inbound): its pending steps, and its deliveries chained in order. */
interface LiveCall {
  user: FakeUser;
  started: number;
  connectedAt: number | null;
  timers: Set<NodeJS.Timeout>;
  chain: Promise<void>;
}

const REALISTIC_DEFAULTS: Required<RealisticCallOptions> = {
  timeScale: 1,
  dialMs: [400, 1200],
  ringMs: [2000, 6000],
  answerProbability: 0.6,
  voicemailProbability: 0.5,
  talkMs: [8000, 40000],
  voicemailMs: [6000, 15000],
  random: Math.random,
};

const E164 = /^\+[1-9]\d{6,14}$/;

const TWO_POW_53 = 9007199254740992n;

export class FakeDialpad {
  readonly clientId: string;
  readonly clientSecret: string;
  readonly companyId: string;
  readonly users: FakeUser[] = [];
  readonly calls: FakeCall[] = [];
  readonly webhooks: Webhook[] = [];
  readonly subscriptions: Subscription[] = [];
  readonly deliveries: WebhookDelivery[] = [];
  readonly requests: RecordedRequest[] = [];
  /** successful authorization_code exchanges */
  codeExchanges = 0;
  /** successful refresh_token grants */
  refreshCount = 0;
  accessTokenTtlSeconds: number;
  callScenario: CallScenario;
  /** how the next placed calls go (`instant` by default) */
  callMode: CallMode;
  /** realistic timings and odds (defaults filled in) */
  readonly realistic: Required<RealisticCallOptions>;
  /** outcomes for the next realistic calls, taken in order before any random draw */
  readonly nextOutcomes: RealisticOutcome[] = [];
  url = '';

  private readonly server: http.Server;
  private readonly codes = new Map<string, AuthCode>();
  private readonly accessTokens = new Map<string, AccessToken>();
  private readonly refreshTokens = new Map<string, { userId: string; used: boolean }>();
  private failures: FailureRule[] = [];
  private explicitTarget: Webhook | null = null;
  private nextId = 0n;
  private readonly webhookStepMs: number;
  private readonly pendingDeliveries = new Set<Promise<void>>();
  private readonly live = new Map<string, LiveCall>();
  private readonly port: number;
  private readonly host: string;

  private constructor(opts: FakeDialpadOptions) {
    this.clientId = opts.clientId ?? `fake-client-${randomBytes(4).toString('hex')}`;
    this.clientSecret = opts.clientSecret ?? randomBytes(16).toString('hex');
    this.companyId = opts.companyId ?? '5629499534213120';
    this.accessTokenTtlSeconds = opts.accessTokenTtlSeconds ?? 3600;
    this.callScenario = opts.callScenario ?? 'answered';
    this.webhookStepMs = opts.webhookStepMs ?? 15;
    this.callMode = opts.callMode ?? 'instant';
    this.realistic = { ...REALISTIC_DEFAULTS, ...opts.realistic };
    this.port = opts.port ?? 0;
    this.host = opts.host ?? '127.0.0.1';
    if (Array.isArray(opts.users)) this.users.push(...opts.users);
    else this.addUsers(opts.users ?? 3);
    this.server = http.createServer((req, res) => void this.handle(req, res));
  }

  static async start(opts: FakeDialpadOptions = {}): Promise<FakeDialpad> {
    const fake = new FakeDialpad(opts);
    await new Promise<void>((resolve, reject) => {
      fake.server.once('error', reject); // e.g. EADDRINUSE on a fixed port
      fake.server.listen(fake.port, fake.host, () => {
        fake.server.off('error', reject);
        resolve();
      });
    });
    const host = fake.host === '0.0.0.0' || fake.host === '::' ? '127.0.0.1' : fake.host;
    fake.url = `http://${host.includes(':') ? `[${host}]` : host}:${(fake.server.address() as AddressInfo).port}`;
    return fake;
  }

  async close(): Promise<void> {
    // calls still on their timeline stop where they are (no more webhooks)
    for (const live of this.live.values()) for (const timer of live.timers) clearTimeout(timer);
    this.live.clear();
    await Promise.allSettled([...this.pendingDeliveries]);
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Adds generated users (`user<n>@example.com`, a fictional 555-01xx number each). */
  addUsers(count: number): FakeUser[] {
    const added: FakeUser[] = [];
    for (let i = 0; i < count; i++) {
      const n = this.users.length + 1;
      const user: FakeUser = {
        id: String(4785129047965696n + BigInt(n)),
        first_name: `User${n}`,
        last_name: 'Example',
        emails: [`user${n}@example.com`],
        phone_numbers: [`+1510555${String(n % 10000).padStart(4, '0')}`],
        state: 'active',
      };
      this.users.push(user);
      added.push(user);
    }
    return added;
  }

  // --- failure injection -------------------------------------------------------------

  setFailure(route: FakeRoute, failure: FakeFailure, opts: FailureOptions = {}): void {
    this.failures.push({ route, failure, ...opts, remaining: opts.times ?? Infinity, passed: 0 });
  }

  clearFailures(): void {
    this.failures = [];
  }

  /** Every access token now answers 401 (as if Dialpad expired them early). */
  expireAccessTokens(): void {
    for (const token of this.accessTokens.values()) token.expiresAt = 0;
  }

  /** The grant is gone: access tokens answer 401 and refresh tokens invalid_grant. */
  revokeAll(): void {
    for (const token of this.accessTokens.values()) token.revoked = true;
    for (const token of this.refreshTokens.values()) token.used = true;
  }

  /** Every token string ever issued (to check none is stored in clear). */
  issuedTokens(): string[] {
    return [...this.accessTokens.keys(), ...this.refreshTokens.keys()];
  }

  requestsTo(route: FakeRoute): RecordedRequest[] {
    return this.requests.filter((r) => r.route === route);
  }

  // --- the user's side of OAuth ------------------------------------------------------

  /**
   * What the browser does at Dialpad's consent page: checks the authorize URL
   * and "consents" as `userId` (default the first user); returns the URL Dialpad
   * redirects to (`redirect_uri?code=…&state=…`).
   */
  consent(authorizeUrl: string, userId: string = this.users[0]!.id): string {
    const url = new URL(authorizeUrl);
    if (url.origin !== this.url || url.pathname !== '/oauth2/authorize') throw new Error(`not an authorize URL of this fake: ${authorizeUrl}`);
    const q = Object.fromEntries(url.searchParams);
    if (q.response_type !== 'code') throw new Error('response_type must be code');
    if (q.client_id !== this.clientId) throw new Error('unknown client_id');
    if (!q.redirect_uri) throw new Error('redirect_uri missing');
    const code = this.token('code');
    this.codes.set(code, {
      clientId: q.client_id,
      redirectUri: q.redirect_uri,
      codeChallenge: q.code_challenge ?? null,
      codeChallengeMethod: q.code_challenge_method ?? null,
      userId,
      expiresAt: Date.now() + 60_000,
      used: false,
    });
    const back = new URL(q.redirect_uri);
    back.searchParams.set('code', code);
    if (q.state !== undefined) back.searchParams.set('state', q.state);
    return back.toString();
  }

  // --- webhooks ------------------------------------------------------------------------

  /** Sends call events here (HS256 JWTs with `secret`) in addition to any subscribed webhook. */
  setWebhookTarget(hookUrl: string, secret: string | null): void {
    this.explicitTarget = { id: 'explicit', hook_url: hookUrl, secret };
  }

  /** Waits until `count` webhook deliveries have been answered. */
  async waitForDeliveries(count: number, timeoutMs = 5000): Promise<WebhookDelivery[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.deliveries.filter((d) => d.status !== null || d.error).length < count) {
      if (Date.now() > deadline) throw new Error(`only ${this.deliveries.length} of ${count} webhook deliveries within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 10));
    }
    return this.deliveries;
  }

  // --- HTTP ------------------------------------------------------------------------------

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', 'http://fake');
    const path = url.pathname.replace(/\/+$/, '') || '/';
    const auth = req.headers.authorization;
    const record: RecordedRequest = {
      route: routeOf(req.method ?? 'GET', path),
      method: req.method ?? 'GET',
      path,
      query: Object.fromEntries(url.searchParams),
      headers: req.headers,
      body,
      form: /x-www-form-urlencoded/.test(req.headers['content-type'] ?? '') ? Object.fromEntries(new URLSearchParams(body)) : null,
      json: /json/.test(req.headers['content-type'] ?? '') && body ? safeJson(body) : null,
      bearer: auth?.startsWith('Bearer ') ? auth.slice(7) : null,
      status: null,
      at: Date.now(),
    };
    this.requests.push(record);
    const send = (status: number, payload: unknown, headers: Record<string, string> = {}) => {
      record.status = status;
      const text = payload === null ? '' : typeof payload === 'string' ? payload : JSON.stringify(payload);
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(text);
    };

    const rule = this.failures.find((f) => f.route === record.route && f.remaining > 0);
    if (rule && rule.passed < (rule.after ?? 0)) {
      rule.passed++;
    } else if (rule) {
      rule.remaining--;
      if (rule.failure === 'hang') return; // never answered: the client's timeout must fire
      return this.sendFailure(record.route, rule, send);
    }
    try {
      this.route(record, url, send);
    } catch (err) {
      send(500, { error: { code: 500, message: (err as Error).message } });
    }
  }

  private sendFailure(route: FakeRoute, rule: FailureRule, send: (s: number, p: unknown, h?: Record<string, string>) => void): void {
    const oauth = route === 'token';
    switch (rule.failure) {
      case 'bad_request':
        return oauth
          ? send(400, { error: 'invalid_request', error_description: rule.message ?? 'malformed request' })
          : send(400, { error: { code: 400, message: rule.message ?? 'Invalid request' } });
      case 'invalid_grant':
        return send(400, { error: 'invalid_grant', error_description: rule.message ?? 'grant is invalid or expired' });
      case 'unauthorized':
        return oauth
          ? send(401, { error: 'invalid_client', error_description: rule.message ?? 'client authentication failed' })
          : send(401, { error: { code: 401, message: rule.message ?? 'Invalid or expired API key' } });
      case 'rate_limited':
        return send(429, { error: { code: 429, message: rule.message ?? 'Rate limit exceeded' } }, { 'retry-after': String(rule.retryAfterSeconds ?? 1) });
      case 'server_error':
        return send(500, { error: { code: 500, message: rule.message ?? 'Internal error' } });
      case 'hang':
        return;
    }
  }

  private route(r: RecordedRequest, url: URL, send: (s: number, p: unknown, h?: Record<string, string>) => void): void {
    if (r.route === 'authorize' && r.method === 'GET') {
      try {
        return send(302, null, { location: this.consent(`${this.url}${url.pathname}${url.search}`) });
      } catch (err) {
        return send(400, { error: 'invalid_request', error_description: (err as Error).message });
      }
    }
    if (r.route === 'token') return this.tokenEndpoint(r, send);
    if (r.route === 'control') return this.control(r, send);
    if (r.route === 'unknown') return send(404, { error: { code: 404, message: `No route ${r.method} ${r.path}` } });

    const caller = this.authenticate(r.bearer);
    if (!caller) return send(401, { error: { code: 401, message: 'Invalid or expired access token' } });

    switch (r.route) {
      case 'deauthorize':
        for (const t of this.accessTokens.values()) if (t.userId === caller.userId) t.revoked = true;
        for (const t of this.refreshTokens.values()) if (t.userId === caller.userId) t.used = true;
        return send(200, {});
      case 'company':
        return send(200, { id: this.companyId, name: 'Example Co', domain: 'example.com', state: 'active', account_type: 'pro', office_count: 1 });
      case 'user': {
        const id = r.path.split('/').pop()!;
        const user = this.users.find((u) => u.id === (id === 'me' ? caller.userId : id));
        return user ? send(200, this.userJson(user)) : send(404, { error: { code: 404, message: 'User not found' } });
      }
      case 'users':
        return this.listUsers(r, send);
      case 'call':
        return this.placeCall(r, send);
      case 'hangup': {
        const id = r.path.split('/')[4]!;
        const call = this.calls.find((c) => c.call_id === id);
        if (!call) return send(404, { error: { code: 404, message: 'Call not found' } });
        call.hungUp = true;
        const live = this.live.get(call.call_id);
        if (live) this.emit(call, live, 'hangup'); // a call on its timeline ends now: its pending steps are cancelled
        return send(200, {});
      }
      case 'webhooks': {
        const body = r.json as { hook_url?: string; secret?: string } | null;
        if (!body?.hook_url) return send(400, { error: { code: 400, message: 'hook_url is required' } });
        const webhook = { id: this.id(), hook_url: body.hook_url, secret: body.secret ?? null };
        this.webhooks.push(webhook);
        return send(200, { id: webhook.id, hook_url: webhook.hook_url, signature: webhook.secret ? { algo: 'HS256', secret: webhook.secret, type: 'jwt' } : {} });
      }
      case 'subscriptions': {
        const body = r.json as { endpoint_id?: string | number; call_states?: string[]; enabled?: boolean } | null;
        const webhook = this.webhooks.find((w) => w.id === String(body?.endpoint_id));
        if (!webhook) return send(400, { error: { code: 400, message: 'endpoint_id does not name a webhook' } });
        const sub = { id: this.id(), webhook_id: webhook.id, call_states: body?.call_states ?? ['all'], enabled: body?.enabled ?? true };
        this.subscriptions.push(sub);
        return send(200, { id: sub.id, call_states: sub.call_states, enabled: sub.enabled, group_calls_only: false, webhook: { id: webhook.id, hook_url: webhook.hook_url } });
      }
      case 'authorize': // not a GET
      default:
        return send(404, { error: { code: 404, message: 'not found' } });
    }
  }

  private tokenEndpoint(r: RecordedRequest, send: (s: number, p: unknown) => void): void {
    const oauthError = (status: number, error: string, description: string) => send(status, { error, error_description: description });
    if (r.method !== 'POST' || !r.form) return oauthError(400, 'invalid_request', 'POST an application/x-www-form-urlencoded body');
    const f = r.form;
    if (f.client_id !== this.clientId || f.client_secret !== this.clientSecret) return oauthError(401, 'invalid_client', 'client authentication failed');
    let userId: string;
    if (f.grant_type === 'authorization_code') {
      const code = f.code ? this.codes.get(f.code) : undefined;
      if (!code || code.used || code.expiresAt < Date.now()) return oauthError(400, 'invalid_grant', 'authorization code is invalid, used or expired');
      code.used = true;
      if (f.redirect_uri !== code.redirectUri) return oauthError(400, 'invalid_grant', 'redirect_uri does not match');
      if (code.codeChallenge !== null) {
        const expected = code.codeChallengeMethod === 'S256' ? createHash('sha256').update(f.code_verifier ?? '').digest('base64url') : f.code_verifier;
        if (expected !== code.codeChallenge) return oauthError(400, 'invalid_grant', 'code_verifier does not match the code_challenge');
      }
      userId = code.userId;
      this.codeExchanges++;
    } else if (f.grant_type === 'refresh_token') {
      const refresh = f.refresh_token ? this.refreshTokens.get(f.refresh_token) : undefined;
      if (!refresh || refresh.used) return oauthError(400, 'invalid_grant', 'refresh token is invalid or revoked');
      refresh.used = true; // rotation: a refresh token works once
      userId = refresh.userId;
      this.refreshCount++;
    } else {
      return oauthError(400, 'unsupported_grant_type', `grant_type ${f.grant_type ?? '(none)'} is not supported`);
    }
    const accessToken = this.token('at');
    const refreshToken = this.token('rt');
    this.accessTokens.set(accessToken, { userId, expiresAt: Date.now() + this.accessTokenTtlSeconds * 1000, revoked: false });
    this.refreshTokens.set(refreshToken, { userId, used: false });
    send(200, { access_token: accessToken, refresh_token: refreshToken, expires_in: this.accessTokenTtlSeconds, token_type: 'bearer' });
  }

  private listUsers(r: RecordedRequest, send: (s: number, p: unknown) => void): void {
    const limit = r.query.limit === undefined ? 100 : Number(r.query.limit);
    // Dialpad fails a share of larger pages on purpose; the fake fails all of them
    if (!Number.isInteger(limit) || limit < 1 || limit > 100) return send(400, { error: { code: 400, message: 'limit must be between 1 and 100' } });
    let users = this.users;
    if (r.query.email) users = users.filter((u) => u.emails.includes(r.query.email!.toLowerCase()));
    const offset = r.query.cursor ? Number(Buffer.from(r.query.cursor, 'base64url').toString('utf8').replace('offset:', '')) : 0;
    if (!Number.isInteger(offset) || offset < 0) return send(400, { error: { code: 400, message: 'invalid cursor' } });
    const page = users.slice(offset, offset + limit);
    const next = offset + limit < users.length ? Buffer.from(`offset:${offset + limit}`).toString('base64url') : undefined;
    send(200, { items: page.map((u) => this.userJson(u)), ...(next ? { cursor: next } : {}) });
  }

  private placeCall(r: RecordedRequest, send: (s: number, p: unknown) => void): void {
    const body = (r.json ?? {}) as { phone_number?: string; user_id?: string | number; custom_data?: string; outbound_caller_id?: string };
    if (!body.phone_number || !/^\+[1-9]\d{6,14}$/.test(body.phone_number)) return send(400, { error: { code: 400, message: 'Invalid phone number' } });
    const user = this.users.find((u) => u.id === String(body.user_id));
    if (!user) return send(400, { error: { code: 400, message: 'Invalid user_id' } });
    const call: FakeCall = {
      call_id: String(TWO_POW_53 + 1000n + BigInt(this.calls.length) * 7n), // above 2^53: a lossy parse would change it
      user_id: user.id,
      phone_number: body.phone_number,
      custom_data: body.custom_data ?? null,
      outbound_caller_id: body.outbound_caller_id ?? null,
      hungUp: false,
      scenario: this.callScenario,
    };
    this.calls.push(call);
    send(200, { call_id: call.call_id });
    if (this.callMode === 'realistic') return this.runRealisticCall(call, user);
    const run = this.sendCallWebhooks(call, user).finally(() => this.pendingDeliveries.delete(run));
    this.pendingDeliveries.add(run);
  }

  private async sendCallWebhooks(call: FakeCall, user: FakeUser): Promise<void> {
    const started = Date.now();
    const states = call.scenario === 'answered' ? ['calling', 'ringing', 'connected', 'hangup'] : ['calling', 'ringing', 'hangup'];
    let connectedAt: number | null = null;
    for (const [i, state] of states.entries()) {
      await new Promise((r) => setTimeout(r, this.webhookStepMs));
      if (call.hungUp && state !== 'hangup') continue;
      const eventAt = started + (i + 1) * 1000;
      if (state === 'connected') connectedAt = eventAt;
      const payload = callEventJson(call, user, state, started, eventAt, connectedAt);
      for (const target of this.targetsFor(state)) await this.deliver(call, state, target, payload);
    }
  }

  // --- calls on a timeline (realistic outbound calls, inbound calls) ------------------

  /**
   * An inbound call from `from` to a user: ringing → connected → hangup webhooks
   * (ringing → hangup when `answered` is false). Returns the call at once; its
   * webhooks follow on their timeline (the hangup API ends it early).
   */
  simulateInbound(opts: SimulateInboundOptions): FakeCall {
    if (!E164.test(opts.from ?? '')) throw new Error(`from must be an E.164 number (e.g. +12125550101), not ${JSON.stringify(opts.from)}`);
    const user = opts.toUserId === undefined ? this.users[0] : this.users.find((u) => u.id === String(opts.toUserId));
    if (!user) throw new Error(opts.toUserId === undefined ? 'the fake has no users' : `no user ${opts.toUserId}`);
    const answered = opts.answered ?? true;
    const call: FakeCall = {
      call_id: String(TWO_POW_53 + 1000n + BigInt(this.calls.length) * 7n),
      user_id: user.id,
      phone_number: opts.from,
      custom_data: null,
      outbound_caller_id: null,
      hungUp: false,
      scenario: answered ? 'answered' : 'unanswered',
      direction: 'inbound',
      outcome: answered ? 'answered' : 'unanswered',
      ...(opts.contactName ? { contact_name: opts.contactName } : {}),
    };
    this.calls.push(call);
    const realistic = this.callMode === 'realistic';
    const ring = opts.ringMs ?? (realistic ? this.draw(this.realistic.ringMs) : this.webhookStepMs);
    const talk = opts.talkMs ?? (realistic ? this.draw(this.realistic.talkMs) : this.webhookStepMs);
    const live = this.startLive(call, user);
    this.schedule(call, live, 0, 'ringing');
    if (answered) this.schedule(call, live, ring, 'connected');
    this.schedule(call, live, answered ? ring + talk : ring, 'hangup');
    return call;
  }

  /** Calls still ringing or connected (on a timeline). */
  liveCalls(): FakeCall[] {
    return this.calls.filter((c) => this.live.has(c.call_id));
  }

  /** calling, ringing, then answered / voicemail / unanswered, each on a human timing. */
  private runRealisticCall(call: FakeCall, user: FakeUser): void {
    const o = this.realistic;
    const outcome = this.nextOutcomes.shift() ?? this.pickOutcome();
    call.outcome = outcome;
    call.scenario = outcome === 'unanswered' ? 'unanswered' : 'answered';
    const live = this.startLive(call, user);
    const ringing = this.draw(o.dialMs);
    const pickedUp = ringing + this.draw(o.ringMs);
    this.schedule(call, live, 0, 'calling');
    this.schedule(call, live, ringing, 'ringing');
    if (outcome === 'unanswered') {
      this.schedule(call, live, pickedUp, 'hangup');
    } else {
      this.schedule(call, live, pickedUp, 'connected');
      this.schedule(call, live, pickedUp + this.draw(outcome === 'voicemail' ? o.voicemailMs : o.talkMs), 'hangup');
    }
  }

  private pickOutcome(): RealisticOutcome {
    const o = this.realistic;
    if (o.random() < o.answerProbability) return 'answered';
    return o.random() < o.voicemailProbability ? 'voicemail' : 'unanswered';
  }

  /** A duration drawn in [min, max], scaled by timeScale. */
  private draw([min, max]: [number, number]): number {
    return Math.max(0, Math.round((min + this.realistic.random() * (max - min)) * this.realistic.timeScale));
  }

  private startLive(call: FakeCall, user: FakeUser): LiveCall {
    const live: LiveCall = { user, started: Date.now(), connectedAt: null, timers: new Set(), chain: Promise.resolve() };
    this.live.set(call.call_id, live);
    return live;
  }

  private schedule(call: FakeCall, live: LiveCall, delayMs: number, state: string): void {
    const timer = setTimeout(() => {
      live.timers.delete(timer);
      if (this.live.get(call.call_id) === live) this.emit(call, live, state);
    }, delayMs);
    live.timers.add(timer);
  }

  /** Sends one state's webhooks now (after the call's earlier ones); a hangup ends the call and cancels its pending steps. */
  private emit(call: FakeCall, live: LiveCall, state: string): void {
    const eventAt = Date.now();
    if (state === 'ringing') call.rang_at = eventAt;
    if (state === 'connected') live.connectedAt = eventAt;
    if (state === 'hangup') {
      for (const timer of live.timers) clearTimeout(timer);
      live.timers.clear();
      this.live.delete(call.call_id);
    }
    call.state = state;
    const payload = callEventJson(call, live.user, state, live.started, eventAt, live.connectedAt);
    const targets = this.targetsFor(state);
    live.chain = live.chain.then(async () => {
      for (const target of targets) await this.deliver(call, state, target, payload);
    });
    const run: Promise<void> = live.chain.finally(() => this.pendingDeliveries.delete(run));
    this.pendingDeliveries.add(run);
  }

  // --- the demo's control routes (not Dialpad's API) -------------------------------------

  private control(r: RecordedRequest, send: (s: number, p: unknown) => void): void {
    if (r.method === 'GET' && r.path === '/_demo/calls') {
      return send(200, {
        items: this.calls.map((c) => ({
          call_id: c.call_id,
          direction: c.direction ?? 'outbound',
          phone_number: c.phone_number,
          user_id: c.user_id,
          state: c.state ?? null,
          outcome: c.outcome ?? c.scenario,
          hung_up: c.hungUp,
          live: this.live.has(c.call_id),
        })),
      });
    }
    const body = (r.json ?? safeJson(r.body) ?? {}) as { from?: string; to_user_id?: string | number; toUserId?: string | number; contact_name?: string; contactName?: string; answered?: boolean };
    try {
      const toUserId = body.to_user_id ?? body.toUserId;
      const contactName = body.contact_name ?? body.contactName;
      const call = this.simulateInbound({
        from: body.from ?? '',
        ...(toUserId !== undefined ? { toUserId: String(toUserId) } : {}),
        ...(contactName ? { contactName } : {}),
        ...(body.answered !== undefined ? { answered: body.answered } : {}),
      });
      return send(200, { call_id: call.call_id, direction: 'inbound', from: call.phone_number, to_user_id: call.user_id, answered: call.outcome === 'answered' });
    } catch (err) {
      return send(400, { error: { code: 400, message: (err as Error).message } });
    }
  }

  private targetsFor(state: string): Webhook[] {
    const subscribed = this.subscriptions
      .filter((s) => s.enabled && (s.call_states.includes('all') || s.call_states.includes(state)))
      .map((s) => this.webhooks.find((w) => w.id === s.webhook_id))
      .filter((w): w is Webhook => w !== undefined);
    return this.explicitTarget ? [...subscribed, this.explicitTarget] : subscribed;
  }

  private async deliver(call: FakeCall, state: string, target: Webhook, json: string): Promise<void> {
    const body = target.secret ? signDialpadJwt(json, target.secret) : json;
    const delivery: WebhookDelivery = { call_id: call.call_id, state, hook_url: target.hook_url, status: null, sent_at: Date.now() };
    this.deliveries.push(delivery);
    try {
      const res = await fetch(target.hook_url, { method: 'POST', headers: { 'content-type': target.secret ? 'application/jwt' : 'application/json' }, body });
      await res.arrayBuffer();
      delivery.status = res.status;
    } catch (err) {
      delivery.error = (err as Error).message;
    }
  }

  private authenticate(bearer: string | null): AccessToken | null {
    const token = bearer ? this.accessTokens.get(bearer) : undefined;
    return token && !token.revoked && token.expiresAt > Date.now() ? token : null;
  }

  private userJson(u: FakeUser): Record<string, unknown> {
    return {
      id: u.id,
      company_id: this.companyId,
      office_id: '5527348325810176',
      first_name: u.first_name,
      last_name: u.last_name,
      display_name: `${u.first_name} ${u.last_name}`,
      emails: u.emails,
      phone_numbers: u.phone_numbers,
      state: u.state,
      is_admin: false,
      timezone: 'US/Pacific',
    };
  }

  private token(kind: string): string {
    return `fake_${kind}_${randomBytes(24).toString('base64url')}`;
  }

  private id(): string {
    this.nextId++;
    return String(6000000000000000n + this.nextId);
  }
}

function routeOf(method: string, path: string): FakeRoute {
  if (path === '/oauth2/authorize') return 'authorize';
  if (path === '/oauth2/token') return 'token';
  if (path === '/oauth2/deauthorize' && method === 'POST') return 'deauthorize';
  if (path === '/api/v2/company' && method === 'GET') return 'company';
  if (path === '/api/v2/users' && method === 'GET') return 'users';
  if (/^\/api\/v2\/users\/(\d+|me)$/.test(path) && method === 'GET') return 'user';
  if (path === '/api/v2/call' && method === 'POST') return 'call';
  if (/^\/api\/v2\/call\/\d+\/actions\/hangup$/.test(path) && method === 'PUT') return 'hangup';
  if (path === '/api/v2/webhooks' && method === 'POST') return 'webhooks';
  if (path === '/api/v2/subscriptions/call' && method === 'POST') return 'subscriptions';
  if ((path === '/_demo/inbound' && method === 'POST') || (path === '/_demo/calls' && method === 'GET')) return 'control';
  return 'unknown';
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
