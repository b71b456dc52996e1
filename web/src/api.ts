import { parseCallbacks } from './console/messages';
import type { CallbackView, DialResult, DispositionAnswer, DispositionCode, SessionView, StartAnswer, TokenAnswer } from './console/types';

/** A failed call: the backend's `{statusCode, error, message, code?, request_id}`, or status 0 when the network failed. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string | undefined;
  readonly requestId: string | undefined;
  readonly retryAfterMs: number | undefined;

  constructor(status: number, message: string, extra: { code?: string; requestId?: string; retryAfterMs?: number } = {}) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = extra.code;
    this.requestId = extra.requestId;
    this.retryAfterMs = extra.retryAfterMs;
  }
}

export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

export interface ApiOptions {
  /** injected for tests; defaults to the browser's fetch */
  fetch?: FetchLike;
  /** origin prefix of the API; '' = same origin */
  baseUrl?: string;
  /** read at every request, so a refreshed token is used at once */
  getToken: () => string | null;
  /** a new Idempotency-Key per POST unless the caller gives one */
  newKey?: () => string;
  /** called for every 401 answer (the console then shows its "expired" state) */
  onUnauthorized?: () => void;
}

export interface DispositionBody {
  attempt_id: string;
  code: DispositionCode;
  notes?: string;
  /** ISO with the lead's offset */
  callback_at?: string;
  callback_only_me?: boolean;
}

/** The dialer's REST routes. Every method calls fetch synchronously (before its first await). */
export interface DialerApi {
  start(key?: string): Promise<StartAnswer>;
  /** null when the agent has no live session (404) */
  current(): Promise<SessionView | null>;
  /** with one of the app's reasons (none: recorded as "Unspecified") */
  pause(key?: string, reason?: string): Promise<SessionView>;
  resume(key?: string): Promise<SessionView>;
  stop(key?: string): Promise<SessionView>;
  dial(key?: string): Promise<DialResult>;
  disposition(body: DispositionBody, key?: string): Promise<DispositionAnswer>;
  hangup(attemptId: string, key?: string): Promise<{ attempt_id: string; hung_up: boolean }>;
  skip(attemptId: string, key?: string): Promise<DispositionAnswer>;
  refreshToken(): Promise<TokenAnswer>;
  /** the agent's pending callbacks (theirs and the campaign's shared ones), by due time */
  callbacks(): Promise<CallbackView[]>;
  /** PATCH /api/callbacks/:id: a new time on the lead's clock (`2026-03-10T15:00`) */
  moveCallback(id: string, dueLocal: string): Promise<void>;
  /** DELETE /api/callbacks/:id */
  cancelCallback(id: string): Promise<void>;
}

function defaultKey(): string {
  return crypto.randomUUID();
}

function defaultFetch(): FetchLike {
  // bound: an unbound window.fetch throws "Illegal invocation"
  return (input, init) => globalThis.fetch(input, init);
}

export function createDialerApi(options: ApiOptions): DialerApi {
  const doFetch = options.fetch ?? defaultFetch();
  const base = options.baseUrl ?? '';
  const newKey = options.newKey ?? defaultKey;

  async function request<T>(method: 'GET' | 'POST' | 'PATCH' | 'DELETE', path: string, body: unknown, key: string | undefined, allow404 = false): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json' };
    const token = options.getToken();
    if (token) headers.authorization = `Bearer ${token}`;
    if (method === 'POST') headers['idempotency-key'] = key ?? newKey();
    if (method === 'POST' || method === 'PATCH') headers['content-type'] = 'application/json';
    let res: Response;
    try {
      res = await doFetch(base + path, {
        method,
        headers,
        body: method === 'POST' || method === 'PATCH' ? JSON.stringify(body ?? {}) : undefined,
        credentials: 'same-origin',
        cache: 'no-store',
      });
    } catch {
      throw new ApiError(0, 'Network error: check your connection');
    }
    if (allow404 && res.status === 404) return null as T;
    if (res.ok) return (await readJson(res)) as T;
    throw await toApiError(res, options.onUnauthorized);
  }

  return {
    start: (key) => request('POST', '/session/start', {}, key),
    current: () => request('GET', '/session/current', undefined, undefined, true),
    pause: (key, reason) => request('POST', '/session/pause', reason ? { reason } : {}, key),
    resume: (key) => request('POST', '/session/resume', {}, key),
    stop: (key) => request('POST', '/session/stop', {}, key),
    dial: (key) => request('POST', '/dial?include=lead', {}, key),
    disposition: (body, key) => request('POST', '/disposition?include=lead', body, key),
    hangup: (attemptId, key) => request('POST', '/hangup', { attempt_id: attemptId }, key),
    skip: (attemptId, key) => request('POST', '/skip?include=lead', { attempt_id: attemptId }, key),
    refreshToken: () => request('POST', '/api/agents/token/refresh', {}, undefined),
    callbacks: async () => parseCallbacks(await request<unknown>('GET', '/api/callbacks', undefined, undefined)),
    moveCallback: async (id, dueLocal) => {
      await request('PATCH', `/api/callbacks/${encodeURIComponent(id)}`, { due_at: dueLocal }, undefined);
    },
    cancelCallback: async (id) => {
      await request('DELETE', `/api/callbacks/${encodeURIComponent(id)}`, undefined, undefined);
    },
  };
}

async function readJson(res: Response): Promise<unknown> {
  const text = await res.text();
  if (text === '') return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new ApiError(res.status, 'The server answered something that is not JSON');
  }
}

export async function toApiError(res: Response, onUnauthorized?: () => void): Promise<ApiError> {
  let body: Record<string, unknown> = {};
  try {
    const parsed = (await readJson(res)) as unknown;
    if (parsed && typeof parsed === 'object') body = parsed as Record<string, unknown>;
  } catch {
    // keep the status alone
  }
  const raw = body.message;
  const message = Array.isArray(raw) ? raw.map(String).join('; ') : typeof raw === 'string' && raw !== '' ? raw : `${res.status} ${res.statusText || 'error'}`;
  let retryAfterMs: number | undefined;
  if (typeof body.retry_after_ms === 'number') retryAfterMs = body.retry_after_ms;
  else {
    const header = res.headers.get('retry-after');
    if (header && /^\d+$/.test(header.trim())) retryAfterMs = Number(header.trim()) * 1000;
  }
  if (res.status === 401) onUnauthorized?.();
  return new ApiError(res.status, message, {
    code: typeof body.code === 'string' ? body.code : undefined,
    requestId: typeof body.request_id === 'string' ? body.request_id : undefined,
    retryAfterMs,
  });
}

/** Calls routes for the calls board (app API key, `x-app-api-key`). */
export function createCallsApi(options: { fetch?: FetchLike; baseUrl?: string; getApiKey: () => string | null; onUnauthorized?: () => void }) {
  const doFetch = options.fetch ?? defaultFetch();
  const base = options.baseUrl ?? '';
  return {
    async active(): Promise<{ items: unknown[] }> {
      const headers: Record<string, string> = { accept: 'application/json' };
      const key = options.getApiKey();
      if (key) headers['x-app-api-key'] = key;
      let res: Response;
      try {
        res = await doFetch(`${base}/api/calls/active`, { method: 'GET', headers, credentials: 'same-origin', cache: 'no-store' });
      } catch {
        throw new ApiError(0, 'Network error: check your connection');
      }
      if (!res.ok) throw await toApiError(res, options.onUnauthorized);
      const body = (await readJson(res)) as { items?: unknown[] } | null;
      return { items: Array.isArray(body?.items) ? body.items : [] };
    },
  };
}
