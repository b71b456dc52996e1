import type { StoreApi } from 'zustand/vanilla';
import { createDialerApi, type DialerApi, type FetchLike } from '../api';
import { AGENT_TOKEN_KEY, jwtExpiryMs, refreshDelayMs, type StorageLike } from '../auth';
import { ReconnectingSocket, socketUrl, type WebSocketFactory } from '../ws';
import { type ConsoleStore, createConsoleStore } from './store';

export interface ConsoleRuntime {
  store: StoreApi<ConsoleStore>;
  api: DialerApi;
  close(): void;
}

export interface ConsoleRuntimeOptions {
  /** the agent token from the link (null: none) */
  token: string | null;
  storage: StorageLike;
  location: { protocol: string; host: string };
  fetch?: FetchLike;
  createSocket?: WebSocketFactory;
  /** window-like target for online / visibility events */
  events?: Pick<Window, 'addEventListener' | 'removeEventListener'> & { document?: Pick<Document, 'visibilityState'> };
}

/**
 * Wires the console store to the backend: the REST client, the agent's socket
 * (`/ws?token=…`, re-reading the session at every (re)connect) and the token's
 * refresh before it expires. A 401 anywhere ends in the "expired" state, which
 * stops everything and forgets the token.
 */
export function startConsole(options: ConsoleRuntimeOptions): ConsoleRuntime {
  let token = options.token;
  let expiresAtMs = token ? jwtExpiryMs(token) : null;
  let refreshTimer: ReturnType<typeof setTimeout> | null = null;
  let closed = false;

  const api = createDialerApi({
    fetch: options.fetch,
    getToken: () => token,
    onUnauthorized: () => store.getState().expire(),
  });
  const store = createConsoleStore({ api });

  const socket = new ReconnectingSocket({
    url: () => socketUrl(options.location, { token }),
    create: options.createSocket,
    onMessage: (message) => store.getState().receive(message),
    onOpen: () => store.getState().restore(),
    onStatus: (status) => store.getState().dispatch({ type: 'SOCKET', status }),
    // a socket that never opens may have a refused token (the browser hides the 401): ask the REST side
    onTrouble: (failures) => {
      if (failures === 2 || failures % 8 === 0) store.getState().restore();
    },
  });

  const scheduleRefresh = () => {
    if (refreshTimer) clearTimeout(refreshTimer);
    refreshTimer = null;
    if (closed || !token || expiresAtMs === null) return;
    refreshTimer = setTimeout(refresh, refreshDelayMs(expiresAtMs, Date.now()));
  };
  const refresh = () => {
    refreshTimer = null;
    if (closed || !token) return;
    api.refreshToken().then(
      (answer) => {
        if (closed || typeof answer?.token !== 'string') return;
        token = answer.token;
        const at = Date.parse(answer.expires_at);
        expiresAtMs = Number.isFinite(at) ? at : jwtExpiryMs(token);
        try {
          options.storage.setItem(AGENT_TOKEN_KEY, token);
        } catch {
          // memory only
        }
        scheduleRefresh();
      },
      (err: unknown) => {
        // 401 → expired (via onUnauthorized); otherwise try again shortly while the token still holds
        const status = (err as { status?: number }).status;
        if (closed || status === 401) return;
        if (expiresAtMs !== null && Date.now() < expiresAtMs) refreshTimer = setTimeout(refresh, 15_000);
      },
    );
  };

  const onOnline = () => socket.nudge();
  const onVisible = () => {
    if (options.events?.document?.visibilityState !== 'visible') return;
    socket.nudge();
    // timers sleep with the laptop: a token close to its end is refreshed at once
    if (expiresAtMs !== null && refreshDelayMs(expiresAtMs, Date.now()) <= 5_000) refresh();
  };
  options.events?.addEventListener('online', onOnline);
  options.events?.addEventListener('visibilitychange', onVisible);

  const close = () => {
    if (closed) return;
    closed = true;
    socket.stop();
    if (refreshTimer) clearTimeout(refreshTimer);
    store.getState().dispose();
    options.events?.removeEventListener('online', onOnline);
    options.events?.removeEventListener('visibilitychange', onVisible);
  };

  const unsubscribe = store.subscribe((state) => {
    if (state.phase !== 'expired') return;
    unsubscribe();
    try {
      options.storage.removeItem(AGENT_TOKEN_KEY);
    } catch {
      // nothing kept
    }
    close();
  });

  if (!token) {
    store.getState().expire();
  } else {
    store.getState().restore();
    socket.start();
    scheduleRefresh();
  }
  return { store, api, close };
}
