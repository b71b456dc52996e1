import { API_KEY_PATTERN, displayPrefix, generateApiKey, generateWebhookSecret, hashApiKey } from './app-credentials.js';

describe('api keys', () => {
  it('generates ctk_ keys with 40 base62 characters, all different', () => {
    const keys = new Set(Array.from({ length: 200 }, generateApiKey));
    expect(keys.size).toBe(200);
    for (const key of keys) expect(key).toMatch(/^ctk_[A-Za-z0-9]{40}$/);
    for (const key of keys) expect(key).toMatch(API_KEY_PATTERN);
  });

  it('hashes with SHA-256 hex and shows only a short prefix', () => {
    const key = generateApiKey();
    expect(hashApiKey(key)).toMatch(/^[0-9a-f]{64}$/);
    expect(hashApiKey(key)).toBe(hashApiKey(key));
    expect(displayPrefix(key)).toHaveLength(12);
    expect(key.startsWith(displayPrefix(key))).toBe(true);
  });

  it('generates webhook secrets', () => {
    expect(generateWebhookSecret()).toMatch(/^whsec_[A-Za-z0-9]{40}$/);
  });
});
