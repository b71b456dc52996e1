import { UUID_PATTERN } from './ids.js';

declare const appIdBrand: unique symbol;

/**
 * A tenant's id. Branded so that every repository method that touches tenant
 * rows takes one, and a swapped or unchecked string is a compile error: an
 * AppId comes only from a checked source (a resolved API key, a verified agent
 * token, a validated route parameter, a row read by id).
 */
export type AppId = string & { readonly [appIdBrand]: true };

/** Checks the form (a UUID) and brands it; throws on anything else (callers validate input first). */
export function asAppId(value: string): AppId {
  if (!UUID_PATTERN.test(value)) throw new Error(`not an app id: ${value.slice(0, 64)}`);
  return value as AppId;
}
