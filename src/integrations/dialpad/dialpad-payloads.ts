import { isJsonObject, JsonObject, own, readOptionalId, readText } from './wire/payload-readers.js';
import { DialpadBadResponseError } from './dialpad-errors.js';

/**
 * Dialpad REST answers, read defensively into our own types. Dialpad's int64
 * fields arrive as strings (or as bare numbers, parsed losslessly): every id
 * here is decimal text, never a JS number.
 */

export interface DialpadUser {
  id: string;
  company_id: string | null;
  office_id: string | null;
  first_name: string | null;
  last_name: string | null;
  display_name: string | null;
  /** lower-cased */
  emails: string[];
  phone_numbers: string[];
  state: string | null;
}

export interface DialpadUserPage {
  items: DialpadUser[];
  /** pass back for the next page; null on the last page */
  cursor: string | null;
}

export interface DialpadCompany {
  id: string;
  name: string | null;
  domain: string | null;
  state: string | null;
}

export interface DialpadWebhook {
  id: string;
  hook_url: string | null;
}

export interface DialpadCallSubscription {
  id: string;
  call_states: string[];
  enabled: boolean;
  webhook_id: string | null;
}

export interface DialpadTokenGrant {
  access_token: string;
  refresh_token: string | null;
  /** seconds; null when Dialpad did not say (the token does not expire) */
  expires_in: number | null;
  scope: string | null;
  token_type: string | null;
  /** only if the token answer names the company (Dialpad's usually does not) */
  company_id: string | null;
}

function object(body: unknown, operation: string): JsonObject {
  if (!isJsonObject(body)) throw new DialpadBadResponseError(operation, 'not a JSON object');
  return body;
}

function requiredId(o: JsonObject, key: string, operation: string): string {
  const id = readOptionalId(own(o, key));
  if (id === null) throw new DialpadBadResponseError(operation, `no ${key}`);
  return id;
}

function texts(value: unknown): string[] {
  return Array.isArray(value) ? value.map(readText).filter((v): v is string => v !== null) : [];
}

export function readUser(body: unknown, operation = 'get_user'): DialpadUser {
  const o = object(body, operation);
  return {
    id: requiredId(o, 'id', operation),
    company_id: readOptionalId(own(o, 'company_id')),
    office_id: readOptionalId(own(o, 'office_id')),
    first_name: readText(own(o, 'first_name')),
    last_name: readText(own(o, 'last_name')),
    display_name: readText(own(o, 'display_name')),
    emails: texts(own(o, 'emails')).map((e) => e.toLowerCase()),
    phone_numbers: texts(own(o, 'phone_numbers')),
    state: readText(own(o, 'state')),
  };
}

export function readUserPage(body: unknown): DialpadUserPage {
  const o = object(body, 'list_users');
  const items = own(o, 'items');
  return {
    items: Array.isArray(items) ? items.map((u) => readUser(u, 'list_users')) : [],
    cursor: readText(own(o, 'cursor')),
  };
}

export function readCompany(body: unknown): DialpadCompany {
  const o = object(body, 'get_company');
  return {
    id: requiredId(o, 'id', 'get_company'),
    name: readText(own(o, 'name')),
    domain: readText(own(o, 'domain')),
    state: readText(own(o, 'state')),
  };
}

export function readCallId(body: unknown): string {
  return requiredId(object(body, 'initiate_call'), 'call_id', 'initiate_call');
}

export function readWebhook(body: unknown): DialpadWebhook {
  const o = object(body, 'create_webhook');
  return { id: requiredId(o, 'id', 'create_webhook'), hook_url: readText(own(o, 'hook_url')) };
}

export function readCallSubscription(body: unknown): DialpadCallSubscription {
  const o = object(body, 'create_call_subscription');
  const webhook = own(o, 'webhook');
  const enabled = own(o, 'enabled');
  return {
    id: requiredId(o, 'id', 'create_call_subscription'),
    call_states: texts(own(o, 'call_states')),
    enabled: typeof enabled === 'boolean' ? enabled : true,
    webhook_id: readOptionalId(own(webhook, 'id')) ?? readOptionalId(own(o, 'endpoint_id')),
  };
}

export function readTokenGrant(body: unknown): DialpadTokenGrant {
  const o = object(body, 'oauth_token');
  const accessToken = readText(own(o, 'access_token'));
  if (accessToken === null) throw new DialpadBadResponseError('oauth_token', 'no access_token');
  const expiresIn = own(o, 'expires_in');
  const seconds = typeof expiresIn === 'number' ? expiresIn : typeof expiresIn === 'string' ? Number(expiresIn) : NaN;
  return {
    access_token: accessToken,
    refresh_token: readText(own(o, 'refresh_token')),
    expires_in: Number.isFinite(seconds) && seconds > 0 ? seconds : null,
    scope: readText(own(o, 'scope')),
    token_type: readText(own(o, 'token_type')),
    company_id: readOptionalId(own(o, 'company_id')),
  };
}
