import { describe, expect, it, vi } from 'vitest';
import { jwtExpiryMs, refreshDelayMs, takeCredential } from './auth';

function env(url: string, stored: Record<string, string> = {}) {
  const u = new URL(url, 'https://cti.example.com');
  const store = new Map(Object.entries(stored));
  const history = { state: { keep: 1 }, replaceState: vi.fn() };
  return {
    location: { pathname: u.pathname, search: u.search, hash: u.hash },
    history,
    storage: { getItem: (k: string) => store.get(k) ?? null, setItem: (k: string, v: string) => void store.set(k, v), removeItem: (k: string) => void store.delete(k) },
    store,
  };
}

describe('takeCredential', () => {
  it('reads #token=, removes it from the address bar at once, keeps it in sessionStorage', () => {
    const e = env('/console#token=eyJ.abc.def');
    expect(takeCredential('token', 'k', e)).toBe('eyJ.abc.def');
    expect(e.history.replaceState).toHaveBeenCalledWith({ keep: 1 }, '', '/console');
    expect(e.store.get('k')).toBe('eyJ.abc.def');
  });

  it('keeps the other fragment parameters and the query', () => {
    const e = env('/console/calls?view=compact#api_key=ctk_123&x=1');
    expect(takeCredential('api_key', 'k', e)).toBe('ctk_123');
    expect(e.history.replaceState).toHaveBeenCalledWith({ keep: 1 }, '', '/console/calls?view=compact#x=1');
  });

  it('a credential put in the query by mistake is taken out of it too', () => {
    const e = env('/console?token=abc');
    expect(takeCredential('token', 'k', e)).toBe('abc');
    expect(e.history.replaceState).toHaveBeenCalledWith({ keep: 1 }, '', '/console');
  });

  it('without one in the URL: the stored one (a reload), else null; the address bar is left alone', () => {
    const e = env('/console', { k: 'kept' });
    expect(takeCredential('token', 'k', e)).toBe('kept');
    expect(e.history.replaceState).not.toHaveBeenCalled();
    expect(takeCredential('token', 'k', env('/console'))).toBeNull();
  });
});

describe('token expiry', () => {
  const jwt = (payload: object) => `h.${btoa(JSON.stringify(payload)).replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_')}.s`;

  it('reads exp from a JWT (ms); null when absent or not a JWT', () => {
    expect(jwtExpiryMs(jwt({ sub: 'a', exp: 1_800_000_000 }))).toBe(1_800_000_000_000);
    expect(jwtExpiryMs(jwt({ sub: 'a' }))).toBeNull();
    expect(jwtExpiryMs('nonsense')).toBeNull();
  });

  it('refreshes a minute before a long token ends, at 80 % of a short one, never sooner than 5 s', () => {
    const now = 1_000_000;
    expect(refreshDelayMs(now + 3_600_000, now)).toBe(3_540_000);
    expect(refreshDelayMs(now + 100_000, now)).toBe(80_000);
    expect(refreshDelayMs(now + 1_000, now)).toBe(5_000);
    expect(refreshDelayMs(now - 10_000, now)).toBe(5_000);
  });
});
