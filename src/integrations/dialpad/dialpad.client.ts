import { Injectable, Logger } from '@nestjs/common';
import type { AppId } from '../../common/app-id.js';
import { DomainError } from '../../common/errors/domain-error.js';
import { maskPhoneNumbers } from '../../infra/logging/mask.js';
import { DialpadAuthError, DialpadRequestError } from './dialpad-errors.js';
import { DialpadRequest } from './dialpad-http.js';
import {
  DialpadCallSubscription,
  DialpadCompany,
  DialpadUser,
  DialpadUserPage,
  DialpadWebhook,
  readCallId,
  readCallSubscription,
  readCompany,
  readUser,
  readUserPage,
  readWebhook,
} from './dialpad-payloads.js';
import { DialpadRateLimiter } from './dialpad-rate-limiter.js';
import { DialpadTokenSource } from './dialpad-token-source.js';
import { DialpadTransport } from './dialpad-transport.js';
import { DIGITS_ID_PATTERN } from '../../common/ids.js';

export interface InitiateCallRequest {
  /** the Dialpad user whose app places the call (digits) */
  user_id: string;
  /** E.164 */
  phone_number: string;
  /** echoed in every webhook of the call: the dialer puts its attempt id here */
  custom_data?: string;
  /** E.164 number shown to the callee, or "blocked" */
  outbound_caller_id?: string;
}

export interface ListUsersQuery {
  email?: string;
  cursor?: string;
  /** 1–100 (Dialpad fails a share of larger pages on purpose); default 100 */
  limit?: number;
}

export interface CallSubscriptionRequest {
  webhook_id: string;
  /** Dialpad call states, e.g. ["all"] or ["calling", "ringing", "connected", "hangup"] */
  call_states: string[];
  enabled?: boolean;
  group_calls_only?: boolean;
  target_type?: string;
  target_id?: string;
}

/** Dialpad's page-size ceiling for GET /api/v2/users. */
export const MAX_USERS_PAGE = 100;

const E164 = /^\+[1-9]\d{6,14}$/;

/**
 * Our typed Dialpad API client (`/api/v2`). Every method takes the app id: the
 * token, the rate limits and the circuit breaker are the app's. Errors:
 * DialpadRateLimitedError (429, with retryAfterMs), DialpadAuthError (409:
 * connect again), DialpadUnavailableError (503), DialpadRequestError (502,
 * Dialpad's message), DomainError INVALID_INPUT for arguments Dialpad would refuse.
 */
@Injectable()
export class DialpadClient {
  private readonly logger = new Logger(DialpadClient.name);

  constructor(
    private readonly transport: DialpadTransport,
    private readonly tokens: DialpadTokenSource,
    private readonly limiter: DialpadRateLimiter,
  ) {}

  /** POST /api/v2/call: rings the user's Dialpad app, which dials `phone_number`. At most 5 per user per minute. */
  async initiateCall(appId: AppId, req: InitiateCallRequest): Promise<{ call_id: string }> {
    if (!DIGITS_ID_PATTERN.test(req.user_id)) throw new DomainError('INVALID_INPUT', 'user_id must be a Dialpad user id (digits)');
    if (!E164.test(req.phone_number)) throw new DomainError('INVALID_INPUT', 'phone_number must be E.164, e.g. +14155550123');
    if (req.outbound_caller_id !== undefined && req.outbound_caller_id !== 'blocked' && !E164.test(req.outbound_caller_id)) {
      throw new DomainError('INVALID_INPUT', 'outbound_caller_id must be E.164 or "blocked"');
    }
    const json: Record<string, string> = { phone_number: req.phone_number, user_id: req.user_id };
    if (req.custom_data !== undefined) json.custom_data = req.custom_data;
    if (req.outbound_caller_id !== undefined) json.outbound_caller_id = req.outbound_caller_id;
    const body = await this.call(
      appId,
      { method: 'POST', path: '/api/v2/call', json, idempotent: false, operation: 'initiate_call' },
      () => this.limiter.takeCallInitiation(appId, req.user_id),
    );
    const callId = readCallId(body);
    this.logger.debug(`call ${callId} placed for user ${req.user_id} to ${maskPhoneNumbers(req.phone_number)}`);
    return { call_id: callId };
  }

  /** PUT /api/v2/call/:id/actions/hangup. */
  async hangup(appId: AppId, callId: string): Promise<void> {
    if (!DIGITS_ID_PATTERN.test(callId)) throw new DomainError('INVALID_INPUT', 'call_id must be a Dialpad call id (digits)');
    await this.call(appId, { method: 'PUT', path: `/api/v2/call/${callId}/actions/hangup`, idempotent: true, operation: 'hangup' });
  }

  /** GET /api/v2/users/:id (`me`: the user who authorized the connection). */
  async getUser(appId: AppId, userId: string): Promise<DialpadUser> {
    if (userId !== 'me' && !DIGITS_ID_PATTERN.test(userId)) throw new DomainError('INVALID_INPUT', 'user id must be digits or "me"');
    return readUser(await this.call(appId, { method: 'GET', path: `/api/v2/users/${userId}`, idempotent: true, operation: 'get_user' }));
  }

  /** GET /api/v2/users: one page; follow `cursor` for the next. */
  async listUsers(appId: AppId, q: ListUsersQuery = {}): Promise<DialpadUserPage> {
    const limit = q.limit ?? MAX_USERS_PAGE;
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_USERS_PAGE) {
      throw new DomainError('INVALID_INPUT', `limit must be 1–${MAX_USERS_PAGE} (Dialpad fails larger pages)`);
    }
    const query = { limit, cursor: q.cursor, email: q.email };
    return readUserPage(await this.call(appId, { method: 'GET', path: '/api/v2/users', query, idempotent: true, operation: 'list_users' }));
  }

  /** GET /api/v2/company: the connected company. */
  async getCompany(appId: AppId): Promise<DialpadCompany> {
    return readCompany(await this.call(appId, { method: 'GET', path: '/api/v2/company', idempotent: true, operation: 'get_company' }));
  }

  /** POST /api/v2/webhooks: Dialpad will POST events to `hookUrl` as HS256 JWTs signed with `secret`. */
  async createWebhook(appId: AppId, hookUrl: string, secret: string): Promise<DialpadWebhook> {
    const json = { hook_url: hookUrl, secret };
    return readWebhook(await this.call(appId, { method: 'POST', path: '/api/v2/webhooks', json, idempotent: false, operation: 'create_webhook' }));
  }

  /** POST /api/v2/subscriptions/call: sends the chosen call states to a webhook. */
  async createCallSubscription(appId: AppId, req: CallSubscriptionRequest): Promise<DialpadCallSubscription> {
    if (!DIGITS_ID_PATTERN.test(req.webhook_id)) throw new DomainError('INVALID_INPUT', 'webhook_id must be digits');
    const json: Record<string, unknown> = { endpoint_id: req.webhook_id, call_states: req.call_states, enabled: req.enabled ?? true };
    if (req.group_calls_only !== undefined) json.group_calls_only = req.group_calls_only;
    if (req.target_type !== undefined) json.target_type = req.target_type;
    if (req.target_id !== undefined) json.target_id = req.target_id;
    const body = await this.call(appId, { method: 'POST', path: '/api/v2/subscriptions/call', json, idempotent: false, operation: 'create_call_subscription' });
    return readCallSubscription(body);
  }

  /**
   * Who a fresh grant belongs to, before it is stored: the authorizing user
   * (`GET /api/v2/users/me`) and their company (`company_id`, else
   * `GET /api/v2/company`).
   */
  async identifyGrant(appId: AppId, accessToken: string): Promise<{ companyId: string; userId: string | null }> {
    let me: DialpadUser | null = null;
    try {
      const body = await this.transport.send(appId, { method: 'GET', path: '/api/v2/users/me', bearer: accessToken, idempotent: true, operation: 'get_user' });
      me = readUser(body);
    } catch (err) {
      // a token without user scope may not read users/me: the company is enough
      if (!(err instanceof DialpadRequestError) || err.status === 401) throw err;
    }
    if (me?.company_id) return { companyId: me.company_id, userId: me.id };
    const body = await this.transport.send(appId, { method: 'GET', path: '/api/v2/company', bearer: accessToken, idempotent: true, operation: 'get_company' });
    return { companyId: readCompany(body).id, userId: me?.id ?? null };
  }

  /**
   * Sends with the app's token. A 401 means the token was revoked or expired
   * early: refresh once and send again (nothing was done by Dialpad on a 401);
   * a second 401 means the grant is gone.
   */
  private async call(appId: AppId, req: Omit<DialpadRequest, 'bearer'>, beforeSend?: () => Promise<void>): Promise<unknown> {
    const token = await this.tokens.getValidAccessToken(appId);
    await beforeSend?.();
    try {
      return await this.transport.send(appId, { ...req, bearer: token });
    } catch (err) {
      if (!isUnauthorized(err)) throw err;
    }
    const fresh = await this.tokens.refreshRejectedToken(appId, token);
    try {
      return await this.transport.send(appId, { ...req, bearer: fresh });
    } catch (err) {
      if (!isUnauthorized(err)) throw err;
      const reason = `Dialpad refused a freshly refreshed access token (401: ${(err as DialpadRequestError).dialpadMessage})`;
      await this.tokens.markNeedsReconnect(appId, reason);
      throw new DialpadAuthError('unauthorized', `${reason}: connect Dialpad again`);
    }
  }
}

function isUnauthorized(err: unknown): boolean {
  return err instanceof DialpadRequestError && err.status === 401;
}
