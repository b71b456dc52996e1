import { createHash, randomInt } from 'node:crypto';

const BASE62 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const KEY_RANDOM_CHARS = 40; // ≈ 238 bits
export const API_KEY_PATTERN = /^ctk_[A-Za-z0-9]{32,64}$/;
const DISPLAY_PREFIX_LENGTH = 12; // "ctk_" + 8

/** A new app API key: `ctk_` + 40 uniformly random base62 characters (crypto.randomInt, no modulo bias). */
export function generateApiKey(): string {
  let key = 'ctk_';
  for (let i = 0; i < KEY_RANDOM_CHARS; i++) key += BASE62[randomInt(BASE62.length)];
  return key;
}

/** Keys are stored only as SHA-256: a high-entropy random key needs no slow hash, and lookups stay O(1). */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

export function displayPrefix(key: string): string {
  return key.slice(0, DISPLAY_PREFIX_LENGTH);
}

export function generateWebhookSecret(): string {
  let secret = 'whsec_';
  for (let i = 0; i < 40; i++) secret += BASE62[randomInt(BASE62.length)];
  return secret;
}
