/** A fake backend behind a mocked fetch, and a console store wired to it (tests only). */
import { vi } from 'vitest';
import { createDialerApi } from '../api';
import { createConsoleStore } from './store';
import { T0 } from './test-fixtures';

export type Handler = (body: unknown, init: RequestInit) => { status: number; body?: unknown; headers?: Record<string, string> } | Promise<never>;

/** A fake backend behind a mocked fetch: one handler per "METHOD /path", answers recorded in order. */
export function backend(routes: Record<string, Handler | Handler[]>) {
  const log: Array<{ route: string; body: unknown; headers: Record<string, string> }> = [];
  const fetch = vi.fn((url: string, init: RequestInit) => {
    // routes are keyed without the query string (the dialer's ?include=lead)
    const route = `${init.method ?? 'GET'} ${url.split('?')[0]}`;
    // the callbacks list is read after every restore and start: unless a test routes it, it is empty and not logged
    if (route === 'GET /api/callbacks' && !(route in routes)) return Promise.resolve(new Response('[]', { status: 200 }));
    const body = typeof init.body === 'string' ? (JSON.parse(init.body) as unknown) : undefined;
    log.push({ route, body, headers: init.headers as Record<string, string> });
    const entry = routes[route];
    const handler = Array.isArray(entry) ? entry.shift() : entry;
    if (!handler) return Promise.resolve(new Response(JSON.stringify({ statusCode: 404, message: `no route ${route}` }), { status: 404 }));
    const answer = handler(body, init);
    if (answer instanceof Promise) return answer;
    return Promise.resolve(new Response(answer.body === undefined ? '' : JSON.stringify(answer.body), { status: answer.status, headers: answer.headers }));
  });
  return { fetch, log, routes: () => log.map((l) => l.route) };
}

let keys = 0;
export function setup(routes: Record<string, Handler | Handler[]>, opts: { now?: () => number } = {}) {
  const b = backend(routes);
  keys = 0;
  let store: ReturnType<typeof createConsoleStore> | null = null;
  const api = createDialerApi({
    fetch: b.fetch,
    getToken: () => 'tok-1',
    newKey: () => `key-${++keys}`,
    onUnauthorized: () => store?.getState().expire(),
  });
  store = createConsoleStore({ api, newKey: () => `key-${++keys}`, now: opts.now ?? (() => T0) });
  return { ...b, store, get: () => store!.getState() };
}

/** Lets the fake fetch answers (and what they chain) settle. */
export async function settle(): Promise<void> {
  // setImmediate: a macrotask that fake timers leave alone (no Node types in the web tsconfig)
  const immediate = (globalThis as unknown as { setImmediate: (fn: () => void) => void }).setImmediate;
  for (let i = 0; i < 20; i++) await new Promise<void>((r) => immediate(r));
}

