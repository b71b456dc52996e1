import { createStore, type StoreApi } from 'zustand/vanilla';
import { createCallsApi, type FetchLike } from '../api';
import { API_KEY_KEY, type StorageLike } from '../auth';
import { ReconnectingSocket, socketUrl, type WebSocketFactory } from '../ws';
import { type BoardEvent, type BoardState, boardTransition, initialBoard } from './board';

export interface BoardStore extends BoardState {
  dispatch(event: BoardEvent): void;
  dismiss(id: string): void;
}

export function createBoardStore(): StoreApi<BoardStore> {
  return createStore<BoardStore>()((set, get) => ({
    ...initialBoard(),
    dispatch(event) {
      const before = get();
      const after = boardTransition(before, event);
      if (after !== before) set(after as Partial<BoardStore>);
    },
    dismiss(id) {
      get().dispatch({ type: 'DISMISS', id });
    },
  }));
}

export interface BoardRuntime {
  store: StoreApi<BoardStore>;
  close(): void;
}

/**
 * The calls board's wiring: `/ws?api_key=…` (reconnecting, resuming with
 * `since`), the active calls from `GET /api/calls/active` at every (re)connect,
 * a 1 s tick that expires toasts and ended rows. A 401 ends in "expired".
 */
export function startBoard(options: {
  apiKey: string | null;
  storage: StorageLike;
  location: { protocol: string; host: string };
  fetch?: FetchLike;
  createSocket?: WebSocketFactory;
  events?: Pick<Window, 'addEventListener' | 'removeEventListener'>;
}): BoardRuntime {
  const store = createBoardStore();
  const dispatch = (e: BoardEvent) => store.getState().dispatch(e);
  const api = createCallsApi({ fetch: options.fetch, getApiKey: () => options.apiKey, onUnauthorized: () => dispatch({ type: 'UNAUTHORIZED' }) });
  let tick: ReturnType<typeof setInterval> | null = null;

  const seed = () => {
    const requestedAtMs = Date.now();
    api.active().then(
      ({ items }) => dispatch({ type: 'SEED', items, requestedAtMs, now: Date.now() }),
      () => undefined, // 401 handled by onUnauthorized; otherwise the socket keeps the board live
    );
  };

  const socket = new ReconnectingSocket({
    url: () => socketUrl(options.location, { api_key: options.apiKey }),
    create: options.createSocket,
    onMessage: (message) => dispatch({ type: 'MESSAGE', message, now: Date.now() }),
    onOpen: seed,
    onStatus: (status) => dispatch({ type: 'SOCKET', status }),
    onTrouble: (failures) => {
      if (failures === 2 || failures % 8 === 0) seed();
    },
  });

  const onOnline = () => socket.nudge();
  options.events?.addEventListener('online', onOnline);
  options.events?.addEventListener('visibilitychange', onOnline);

  const close = () => {
    socket.stop();
    if (tick) clearInterval(tick);
    tick = null;
    options.events?.removeEventListener('online', onOnline);
    options.events?.removeEventListener('visibilitychange', onOnline);
  };

  const unsubscribe = store.subscribe((s) => {
    if (s.phase !== 'expired') return;
    unsubscribe();
    try {
      options.storage.removeItem(API_KEY_KEY);
    } catch {
      // nothing kept
    }
    close();
  });

  if (!options.apiKey) {
    dispatch({ type: 'UNAUTHORIZED' });
  } else {
    tick = setInterval(() => dispatch({ type: 'TICK', now: Date.now() }), 1000);
    socket.start();
  }
  return { store, close };
}
