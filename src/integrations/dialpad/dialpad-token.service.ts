import { randomUUID } from 'node:crypto';
import type { AppId } from '../../common/app-id.js';
import { Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '../../infra/config/app-config.js';
import { SecretBox } from '../../infra/crypto/secret-box.js';
import { RedisService } from '../../infra/redis/redis.service.js';
import { DialpadAuthError, DialpadUnavailableError } from './dialpad-errors.js';
import { DialpadMetrics } from './dialpad-metrics.js';
import { DialpadOAuthClient } from './dialpad-oauth.client.js';
import type { DialpadTokenGrant } from './dialpad-payloads.js';
import { DialpadTokenSource } from './dialpad-token-source.js';
import { DialpadConnectionRepository, DialpadConnectionRow, StoredGrant } from './dialpad-connection.repository.js';

const POLL_MS = 50;
/** A transient refresh failure still hands out the current token if it has at least this long to live. */
const STILL_USABLE_MS = 5_000;
const RELEASE_LOCK_LUA = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end`;

/**
 * The app's Dialpad access token, always valid when handed out. A token about
 * to expire (DIALPAD_TOKEN_REFRESH_SKEW_SECONDS) is refreshed once however
 * many callers ask at the same time: callers on one node share one promise,
 * nodes share a Redis lock (SET NX PX) and whoever gets it re-reads the row
 * before refreshing, so the others find the new token and reuse it.
 * A refresh token Dialpad rejects (invalid_grant) marks the connection
 * `needs_reconnect`, visible in the status route.
 */
@Injectable()
export class DialpadTokenService extends DialpadTokenSource {
  private readonly logger = new Logger(DialpadTokenService.name);
  private readonly inflight = new Map<string, Promise<string>>();
  private readonly lockTtlMs: number;

  constructor(
    private readonly connections: DialpadConnectionRepository,
    private readonly secretBox: SecretBox,
    private readonly oauth: DialpadOAuthClient,
    private readonly redis: RedisService,
    private readonly config: AppConfig,
    private readonly metrics: DialpadMetrics,
  ) {
    super();
    // long enough for a refresh with all its retries; a crashed holder frees it after this
    const attempts = config.DIALPAD_RETRY_MAX_ATTEMPTS;
    this.lockTtlMs = Math.min(120_000, config.DIALPAD_HTTP_TIMEOUT_MS * attempts + config.DIALPAD_RETRY_MAX_DELAY_MS * (attempts - 1) + 2_000);
  }

  async getValidAccessToken(appId: AppId): Promise<string> {
    const row = await this.requireConnected(appId);
    if (this.isFresh(row)) return this.accessTokenOf(row);
    return this.singleFlight(appId, () => this.refreshUnderLock(appId, null));
  }

  async refreshRejectedToken(appId: AppId, rejected: string): Promise<string> {
    return this.singleFlight(appId, () => this.refreshUnderLock(appId, rejected));
  }

  async markNeedsReconnect(appId: AppId, reason: string): Promise<void> {
    await this.connections.markNeedsReconnect(appId, reason);
  }

  /** Encrypts a grant for storage, bound to the app (a ciphertext copied to another app's row does not decrypt). */
  seal(appId: AppId, grant: DialpadTokenGrant, nowMs = Date.now()): StoredGrant {
    return {
      accessTokenEnc: this.secretBox.encrypt(grant.access_token, accessContext(appId)),
      refreshTokenEnc: grant.refresh_token === null ? null : this.secretBox.encrypt(grant.refresh_token, refreshContext(appId)),
      expiresAt: grant.expires_in === null ? null : new Date(nowMs + grant.expires_in * 1000),
      scopes: grant.scope,
    };
  }

  /** The stored access token even if stale (for a best-effort deauthorize); null if none or unreadable. */
  async currentAccessToken(appId: AppId): Promise<string | null> {
    const row = await this.connections.find(appId);
    if (!row?.access_token_enc) return null;
    try {
      return this.secretBox.decrypt(row.access_token_enc, accessContext(appId));
    } catch {
      return null;
    }
  }

  private singleFlight(appId: AppId, work: () => Promise<string>): Promise<string> {
    let pending = this.inflight.get(appId);
    if (!pending) {
      pending = work().finally(() => this.inflight.delete(appId));
      this.inflight.set(appId, pending);
    }
    return pending;
  }

  /** `rejected`: refresh only while the stored token is still that one; null: only while it is stale. */
  private async refreshUnderLock(appId: AppId, rejected: string | null): Promise<string> {
    const lockKey = this.redis.key(`dialpad:token-refresh:${appId}`);
    const deadline = Date.now() + this.lockTtlMs + 2_000;
    for (;;) {
      const row = await this.requireConnected(appId);
      if (!this.needsRefresh(row, rejected)) return this.accessTokenOf(row);
      const lockToken = randomUUID();
      if ((await this.redis.client.set(lockKey, lockToken, 'PX', this.lockTtlMs, 'NX')) === 'OK') {
        try {
          // another node may have refreshed between our read and the lock
          const current = await this.requireConnected(appId);
          if (!this.needsRefresh(current, rejected)) return this.accessTokenOf(current);
          return await this.refreshNow(appId, current, rejected !== null);
        } finally {
          // not released: other nodes wait for the lock's ttl before refreshing, the token we got stands
          await this.redis.client.eval(RELEASE_LOCK_LUA, 1, lockKey, lockToken).catch((err: unknown) => {
            this.logger.warn(`could not release the token-refresh lock of app ${appId} (it expires in ${this.lockTtlMs} ms): ${(err as Error).message}`);
          });
        }
      }
      if (Date.now() > deadline) {
        throw new DialpadUnavailableError('Another node is refreshing the Dialpad token and has not finished: retry shortly', 1000);
      }
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
  }

  private async refreshNow(appId: AppId, row: DialpadConnectionRow, rejected: boolean): Promise<string> {
    if (!row.refresh_token_enc) {
      const reason = 'the access token expired and Dialpad gave no refresh token (is offline_access in DIALPAD_SCOPES?)';
      await this.connections.markNeedsReconnect(appId, reason);
      throw new DialpadAuthError('needs_reconnect', `Dialpad connection of app ${appId} needs to be connected again: ${reason}`);
    }
    const refreshToken = this.decrypt(row.refresh_token_enc, refreshContext(appId));
    try {
      const grant = await this.oauth.refresh(appId, refreshToken);
      if (!(await this.connections.saveRefreshed(appId, this.seal(appId, grant)))) {
        throw new DialpadAuthError('not_connected', `App ${appId} was disconnected from Dialpad during the token refresh`);
      }
      this.metrics.tokenRefreshes.inc({ result: 'ok' });
      this.logger.log(`refreshed the Dialpad access token of app ${appId}`);
      return grant.access_token;
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      if (err instanceof DialpadAuthError && err.reason !== 'invalid_grant') throw err;
      if (err instanceof DialpadAuthError) {
        this.metrics.tokenRefreshes.inc({ result: 'invalid_grant' });
        await this.connections.markNeedsReconnect(appId, `token refresh failed: ${message}`);
        this.logger.warn(`Dialpad refused the refresh token of app ${appId}: the app must connect again`);
        throw new DialpadAuthError('needs_reconnect', `Dialpad connection of app ${appId} needs to be connected again: ${message}`);
      }
      this.metrics.tokenRefreshes.inc({ result: 'failed' });
      await this.connections.recordError(appId, `token refresh failed: ${message}`);
      // Dialpad is having trouble: a token with some life left is better than failing the caller
      const expiresAt = row.token_expires_at?.getTime() ?? 0;
      if (!rejected && row.access_token_enc && expiresAt - Date.now() > STILL_USABLE_MS) return this.accessTokenOf(row);
      throw err;
    }
  }

  private async requireConnected(appId: AppId): Promise<DialpadConnectionRow> {
    const row = await this.connections.find(appId);
    const connectHint = `connect it at GET /auth/dialpad/connect?app_id=${appId}`;
    if (row?.status === 'needs_reconnect') {
      throw new DialpadAuthError('needs_reconnect', `Dialpad connection of app ${appId} needs to be connected again (${row.last_error ?? 'grant revoked'}): ${connectHint}`);
    }
    if (!row || row.status !== 'connected' || !row.access_token_enc) {
      throw new DialpadAuthError('not_connected', `App ${appId} has no Dialpad connection: ${connectHint}`);
    }
    return row;
  }

  private isFresh(row: DialpadConnectionRow): boolean {
    if (row.token_expires_at === null) return true; // Dialpad did not say: a non-expiring token
    return row.token_expires_at.getTime() - Date.now() > this.config.DIALPAD_TOKEN_REFRESH_SKEW_SECONDS * 1000;
  }

  private needsRefresh(row: DialpadConnectionRow, rejected: string | null): boolean {
    return rejected === null ? !this.isFresh(row) : this.accessTokenOf(row) === rejected;
  }

  private accessTokenOf(row: DialpadConnectionRow): string {
    return this.decrypt(row.access_token_enc!, accessContext(row.app_id));
  }

  private decrypt(envelope: string, context: string): string {
    try {
      return this.secretBox.decrypt(envelope, context);
    } catch {
      throw new DialpadAuthError('needs_reconnect', 'The stored Dialpad token cannot be decrypted (was ENCRYPTION_KEY changed?): connect Dialpad again');
    }
  }
}

export const accessContext = (appId: AppId) => `app:${appId}:dialpad:access`;
export const refreshContext = (appId: AppId) => `app:${appId}:dialpad:refresh`;
