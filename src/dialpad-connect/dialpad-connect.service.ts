import { randomBytes } from 'node:crypto';
import type { AppId } from '../common/app-id.js';
import { Injectable, Logger } from '@nestjs/common';
import { AppChanges } from '../apps/app-changes.service.js';
import { AppsService } from '../apps/apps.service.js';
import { DomainError } from '../common/errors/domain-error.js';
import { AppConfig } from '../infra/config/app-config.js';
import { DialpadAuthError, DialpadUnavailableError } from '../integrations/dialpad/dialpad-errors.js';
import { DialpadOAuthClient } from '../integrations/dialpad/dialpad-oauth.client.js';
import { DialpadClient } from '../integrations/dialpad/dialpad.client.js';
import { DialpadConnectionRepository, DialpadConnectionRow } from '../integrations/dialpad/dialpad-connection.repository.js';
import { DialpadTokenService } from '../integrations/dialpad/dialpad-token.service.js';
import { CallbackQueryDto, ConnectUrlDto, DialpadStatusDto, DisconnectResultDto } from './dto/dialpad-connect.dto.js';
import { deriveStateKey, signOAuthState, STATE_TTL_SECONDS, verifyOAuthState } from './oauth-state.js';
import { OAuthStateStore } from './oauth-state.store.js';
import { codeChallengeS256, createCodeVerifier } from './pkce.js';

export interface CompletedConnection {
  appId: AppId;
  companyId: string;
  userId: string | null;
}

/** The OAuth connect flow (authorize → callback), the connection's status and its removal. */
@Injectable()
export class DialpadConnectService {
  private readonly logger = new Logger(DialpadConnectService.name);
  private readonly stateKey: Uint8Array;

  constructor(
    private readonly config: AppConfig,
    private readonly apps: AppsService,
    private readonly oauth: DialpadOAuthClient,
    private readonly states: OAuthStateStore,
    private readonly connections: DialpadConnectionRepository,
    private readonly tokens: DialpadTokenService,
    private readonly client: DialpadClient,
    private readonly appChanges: AppChanges,
  ) {
    this.stateKey = deriveStateKey(config.INTERNAL_JWT_SECRET);
  }

  /** A single-use Dialpad consent link for the app (PKCE verifier kept server-side under the state's id). */
  async start(appId: AppId): Promise<ConnectUrlDto> {
    await this.apps.require(appId);
    this.oauth.credentials();
    const redirectUri = this.redirectUri();
    const nonce = randomBytes(16).toString('base64url');
    const codeVerifier = createCodeVerifier();
    const now = Date.now();
    const state = await signOAuthState(this.stateKey, appId, nonce, now);
    await this.states.save(nonce, { appId, codeVerifier, redirectUri }, STATE_TTL_SECONDS * 1000);
    await this.connections.ensurePending(appId);
    return {
      authorize_url: this.oauth.authorizeUrl({ state, codeChallenge: codeChallengeS256(codeVerifier), redirectUri }),
      state_expires_at: new Date(now + STATE_TTL_SECONDS * 1000),
    };
  }

  /** Dialpad's redirect back: verify and spend the state, exchange the code, store the grant. */
  async complete(q: CallbackQueryDto): Promise<CompletedConnection> {
    if (!q.state) throw new DomainError('INVALID_INPUT', 'state is missing: open the connect link from /auth/dialpad/connect again');
    const verdict = await verifyOAuthState(this.stateKey, q.state, Date.now());
    if (!verdict.ok) throw new DomainError('INVALID_INPUT', verdict.message);
    const pending = await this.states.consume(verdict.nonce);
    if (!pending || pending.appId !== verdict.appId) {
      throw new DomainError('INVALID_INPUT', 'state was already used (each connect link works once): start again at /auth/dialpad/connect');
    }
    const appId = pending.appId;
    if (q.error) {
      const why = q.error_description ? `${q.error}: ${q.error_description}` : q.error;
      throw new DomainError('INVALID_INPUT', `Dialpad did not authorize the connection (${why.slice(0, 300)})`);
    }
    if (!q.code) throw new DomainError('INVALID_INPUT', 'code is missing from the Dialpad callback');
    await this.apps.require(appId);

    let grant;
    try {
      grant = await this.oauth.exchangeCode(appId, q.code, pending.codeVerifier, pending.redirectUri);
    } catch (err) {
      if (err instanceof DialpadAuthError) {
        throw new DomainError('INVALID_INPUT', `${err.message}: the code is wrong, used or expired; start again at /auth/dialpad/connect`);
      }
      throw err;
    }
    const who = await this.client.identifyGrant(appId, grant.access_token);
    // Dialpad's token answer may not list the scopes: then they are the ones we asked for
    const stored = { ...this.tokens.seal(appId, grant), scopes: grant.scope ?? this.config.DIALPAD_SCOPES };
    await this.connections.saveConnected(appId, who.companyId, who.userId, stored);
    await this.appChanges.publish(appId); // webhook routing by x-dialpad-org-id caches company → app
    this.logger.log(`app ${appId} connected to Dialpad company ${who.companyId}`);
    return { appId, ...who };
  }

  async status(appId: AppId): Promise<DialpadStatusDto> {
    await this.apps.require(appId);
    return toStatusDto(appId, await this.connections.find(appId));
  }

  /** Best-effort revocation at Dialpad, then the tokens are wiped and the company id freed. */
  async disconnect(appId: AppId): Promise<DisconnectResultDto> {
    await this.apps.require(appId);
    const row = await this.connections.find(appId);
    if (!row) throw new DomainError('NOT_FOUND', `App ${appId} has no Dialpad connection`);
    const token = await this.tokens.currentAccessToken(appId);
    let deauthorized = false;
    if (token) {
      try {
        await this.oauth.deauthorize(appId, token);
        deauthorized = true;
      } catch (err) {
        this.logger.warn(`Dialpad deauthorize failed for app ${appId} (tokens wiped anyway): ${(err as Error).message}`);
      }
    }
    const after = await this.connections.disconnect(appId);
    await this.appChanges.publish(appId);
    this.logger.log(`app ${appId} disconnected from Dialpad`);
    return { ...toStatusDto(appId, after), deauthorized };
  }

  private redirectUri(): string {
    if (this.config.DIALPAD_REDIRECT_URI) return this.config.DIALPAD_REDIRECT_URI;
    if (this.config.PUBLIC_BASE_URL) return `${this.config.PUBLIC_BASE_URL.replace(/\/+$/, '')}/auth/dialpad/callback`;
    throw new DialpadUnavailableError('Dialpad OAuth is not configured on this server: set DIALPAD_REDIRECT_URI or PUBLIC_BASE_URL');
  }
}

export function toStatusDto(appId: AppId, row: DialpadConnectionRow | null): DialpadStatusDto {
  return {
    app_id: appId,
    status: row?.status ?? 'not_connected',
    connected: row?.status === 'connected',
    needs_reconnect: row?.status === 'needs_reconnect',
    dialpad_company_id: row?.dialpad_company_id ?? null,
    dialpad_user_id: row?.dialpad_user_id ?? null,
    scopes: row?.scopes ? row.scopes.split(/[\s,]+/).filter(Boolean) : [],
    expires_at: row?.token_expires_at ?? null,
    connected_at: row?.connected_at ?? null,
    last_refreshed_at: row?.last_refreshed_at ?? null,
    last_error: row?.last_error ?? null,
    webhook_id: row?.webhook_id ?? null,
    subscription_id: row?.subscription_id ?? null,
    updated_at: row?.updated_at ?? null,
  };
}
