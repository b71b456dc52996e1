import type { IncomingMessage } from 'node:http';
import type { AppId } from '../common/app-id.js';
import { Injectable } from '@nestjs/common';
import { ApiKeyResolver } from '../api-keys/api-key-resolver.service.js';
import { AppsRepository } from '../apps/apps.repository.js';
import { verifyAgentToken } from '../auth/agent-token.js';
import { AppConfig } from '../infra/config/app-config.js';
import { UUID_PATTERN } from '../common/ids.js';

/** Who is on the other end of a socket, and what it asked to receive. */
export interface ClientContext {
  appId: AppId;
  /** how it authenticated: the API key is kept to re-check it when the app's keys change */
  auth: { kind: 'api_key'; apiKey: string } | { kind: 'agent'; email: string };
  filter: { dialpadUserId?: string; crmUserId?: string };
  /** `?since=<seq>`: replay what was missed first */
  since?: number;
}

export type WsAuthResult = { ok: true; context: ClientContext } | { ok: false; status: 400 | 401 | 403; message: string };

const DIGITS = /^\d{1,19}$/;
/** stream positions are JavaScript-safe integers */
const MAX_SEQ = BigInt(Number.MAX_SAFE_INTEGER);

/**
 * Authenticates a WebSocket upgrade before it completes (docs/wire-protocol.md, "Authentication"): an app API
 * key (`x-app-api-key` or `?api_key=`) or an agent token (`?token=`).
 */
@Injectable()
export class WsAuthService {
  constructor(
    private readonly apiKeys: ApiKeyResolver,
    private readonly apps: AppsRepository,
    private readonly config: AppConfig,
  ) {}

  async authenticate(req: IncomingMessage): Promise<WsAuthResult> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const q = url.searchParams;
    const header = req.headers['x-app-api-key'];
    const apiKey = (Array.isArray(header) ? header[0] : header) ?? q.get('api_key') ?? undefined;
    const token = q.get('token') ?? undefined;

    const filter: ClientContext['filter'] = {};
    const dialpadUserId = q.get('dialpad_user_id');
    const crmUserId = q.get('crm_user_id');
    if (dialpadUserId !== null) {
      if (!DIGITS.test(dialpadUserId)) return { ok: false, status: 400, message: 'dialpad_user_id must be digits' };
      filter.dialpadUserId = dialpadUserId;
    }
    if (crmUserId !== null) {
      if (crmUserId.length === 0 || crmUserId.length > 200) return { ok: false, status: 400, message: 'crm_user_id must be 1–200 characters' };
      filter.crmUserId = crmUserId;
    }
    const since = q.get('since');
    if (since !== null && (!DIGITS.test(since) || BigInt(since) > MAX_SEQ)) return { ok: false, status: 400, message: 'since must be a seq (digits)' };

    if (apiKey) {
      const app = await this.apiKeys.resolve(apiKey);
      if (!app) return { ok: false, status: 401, message: 'Invalid or revoked API key' };
      if (!app.isActive) return { ok: false, status: 403, message: 'App is inactive' };
      return { ok: true, context: { appId: app.id, auth: { kind: 'api_key', apiKey }, filter, since: since === null ? undefined : Number(since) } };
    }
    if (token) {
      const claims = await verifyAgentToken(this.config.INTERNAL_JWT_SECRET, token);
      // a well-signed token naming no uuid must not reach the uuid column (a query error would answer 503)
      if (!claims || !UUID_PATTERN.test(claims.app_id)) return { ok: false, status: 401, message: 'Invalid or expired agent token' };
      const app = await this.apps.findById(claims.app_id);
      if (!app) return { ok: false, status: 401, message: 'Invalid or expired agent token' };
      if (!app.is_active) return { ok: false, status: 403, message: 'App is inactive' };
      // an agent receives only its own events
      return {
        ok: true,
        context: { appId: app.id, auth: { kind: 'agent', email: claims.sub }, filter: { crmUserId: claims.sub }, since: since === null ? undefined : Number(since) },
      };
    }
    return { ok: false, status: 401, message: 'Missing credentials: x-app-api-key header, ?api_key= or ?token=' };
  }

  /** Whether a connected client's credentials still hold (after a key rotation, revocation or deactivation). */
  async stillValid(context: ClientContext): Promise<{ ok: true } | { ok: false; code: number; reason: string }> {
    if (context.auth.kind === 'api_key') {
      const app = await this.apiKeys.resolve(context.auth.apiKey);
      if (!app) return { ok: false, code: 4401, reason: 'api key revoked' };
      if (!app.isActive) return { ok: false, code: 4403, reason: 'app inactive' };
      return { ok: true };
    }
    const app = await this.apps.findById(context.appId);
    if (!app?.is_active) return { ok: false, code: 4403, reason: 'app inactive' };
    return { ok: true };
  }
}
