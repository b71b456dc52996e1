/**
 * Credentials arrive in the URL fragment (`#token=…`, `#api_key=…`): a fragment
 * is never sent to a server nor put in a Referer. It is read once, removed from
 * the address bar at once, and kept in sessionStorage (this tab only).
 */

export const AGENT_TOKEN_KEY = 'turbo-cti.agent-token';
export const API_KEY_KEY = 'turbo-cti.api-key';

export interface LocationLike {
  pathname: string;
  search: string;
  hash: string;
}

export interface HistoryLike {
  state: unknown;
  replaceState(data: unknown, unused: string, url?: string | URL | null): void;
}

export interface StorageLike {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

/**
 * Takes `name` from the fragment (or, defensively, the query: it must never
 * stay there), stores it, and rewrites the address bar without it. Returns the
 * credential from the URL, else the one kept in storage, else null.
 */
export function takeCredential(name: string, storageKey: string, env: { location: LocationLike; history: HistoryLike; storage: StorageLike }): string | null {
  const { location, history, storage } = env;
  const hash = new URLSearchParams(location.hash.replace(/^#/, ''));
  const query = new URLSearchParams(location.search.replace(/^\?/, ''));
  const fromUrl = hash.get(name) || query.get(name) || null;
  if (hash.has(name) || query.has(name)) {
    hash.delete(name);
    query.delete(name);
    const search = query.toString();
    const fragment = hash.toString();
    history.replaceState(history.state, '', `${location.pathname}${search ? `?${search}` : ''}${fragment ? `#${fragment}` : ''}`);
  }
  if (fromUrl) {
    try {
      storage.setItem(storageKey, fromUrl);
    } catch {
      // storage full or disabled: the credential lives in memory for this page
    }
    return fromUrl;
  }
  try {
    return storage.getItem(storageKey);
  } catch {
    return null;
  }
}

/** The `exp` of a JWT (ms since epoch), or null when it has none or is not a JWT. Not a verification. */
export function jwtExpiryMs(token: string): number | null {
  const part = token.split('.')[1];
  if (!part) return null;
  try {
    const json = atob(part.replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(part.length / 4) * 4, '='));
    const exp = (JSON.parse(json) as { exp?: unknown }).exp;
    return typeof exp === 'number' && Number.isFinite(exp) ? exp * 1000 : null;
  } catch {
    return null;
  }
}

/**
 * When to refresh a token that expires at `expiresAtMs`: a minute before, or
 * at 80 % of its remaining life for short tokens; never sooner than 5 s from now.
 */
export function refreshDelayMs(expiresAtMs: number, nowMs: number): number {
  const left = expiresAtMs - nowMs;
  const margin = Math.min(60_000, left * 0.2);
  return Math.max(5_000, left - margin);
}
