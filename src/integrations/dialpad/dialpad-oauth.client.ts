import { Injectable } from '@nestjs/common';
import type { AppId } from '../../common/app-id.js';
import { AppConfig } from '../../infra/config/app-config.js';
import { DialpadAuthError, DialpadRequestError, DialpadUnavailableError } from './dialpad-errors.js';
import { buildUrl } from './dialpad-http.js';
import { DialpadTokenGrant, readTokenGrant } from './dialpad-payloads.js';
import { DialpadTransport } from './dialpad-transport.js';

export interface AuthorizeParams {
  state: string;
  codeChallenge: string;
  redirectUri: string;
}

/**
 * Dialpad's OAuth 2 endpoints (`/oauth2/authorize`, `/oauth2/token`,
 * `/oauth2/deauthorize`) under DIALPAD_BASE_URL. Client credentials go in the
 * form body, as Dialpad accepts.
 */
@Injectable()
export class DialpadOAuthClient {
  constructor(
    private readonly config: AppConfig,
    private readonly transport: DialpadTransport,
  ) {}

  /** Client id and secret, or a 503 naming what is missing. */
  credentials(): { clientId: string; clientSecret: string } {
    const { DIALPAD_CLIENT_ID: clientId, DIALPAD_CLIENT_SECRET: clientSecret } = this.config;
    if (!clientId || !clientSecret) {
      const missing = [!clientId && 'DIALPAD_CLIENT_ID', !clientSecret && 'DIALPAD_CLIENT_SECRET'].filter(Boolean).join(' and ');
      throw new DialpadUnavailableError(`Dialpad OAuth is not configured on this server: set ${missing}`);
    }
    return { clientId, clientSecret };
  }

  /** Where to send the browser: Dialpad's consent page, PKCE S256. */
  authorizeUrl(p: AuthorizeParams): string {
    return buildUrl(this.config.DIALPAD_BASE_URL, '/oauth2/authorize', {
      response_type: 'code',
      client_id: this.credentials().clientId,
      redirect_uri: p.redirectUri,
      scope: this.config.DIALPAD_SCOPES,
      state: p.state,
      code_challenge: p.codeChallenge,
      code_challenge_method: 'S256',
    });
  }

  /** authorization_code grant. An unusable code → DialpadAuthError('invalid_grant'). */
  async exchangeCode(appId: AppId, code: string, codeVerifier: string, redirectUri: string): Promise<DialpadTokenGrant> {
    const { clientId, clientSecret } = this.credentials();
    const form = { grant_type: 'authorization_code', code, client_id: clientId, client_secret: clientSecret, redirect_uri: redirectUri, code_verifier: codeVerifier };
    return this.token(appId, form, 'authorization code', 'oauth_exchange_code');
  }

  /** refresh_token grant. A revoked or expired refresh token → DialpadAuthError('invalid_grant'). */
  async refresh(appId: AppId, refreshToken: string): Promise<DialpadTokenGrant> {
    const { clientId, clientSecret } = this.credentials();
    const form = { grant_type: 'refresh_token', refresh_token: refreshToken, client_id: clientId, client_secret: clientSecret };
    return this.token(appId, form, 'refresh token', 'oauth_refresh');
  }

  /** Revokes the app's tokens at Dialpad. */
  async deauthorize(appId: AppId, accessToken: string): Promise<void> {
    await this.transport.send(appId, { method: 'POST', path: '/oauth2/deauthorize', bearer: accessToken, idempotent: true, operation: 'oauth_deauthorize' });
  }

  private async token(appId: AppId, form: Record<string, string>, what: string, operation: string): Promise<DialpadTokenGrant> {
    try {
      // a code or a rotating refresh token may be spent by a request we did not hear back from: not idempotent
      const body = await this.transport.send(appId, { method: 'POST', path: '/oauth2/token', form, idempotent: false, operation });
      return readTokenGrant(body);
    } catch (err) {
      if (!(err instanceof DialpadRequestError)) throw err;
      if (err.oauthError === 'invalid_client') {
        throw new DialpadRequestError(err.status, `Dialpad rejected this service's client credentials (check DIALPAD_CLIENT_ID and DIALPAD_CLIENT_SECRET): ${err.dialpadMessage}`, err.oauthError);
      }
      if (err.oauthError === 'invalid_grant' || err.status === 401) {
        throw new DialpadAuthError('invalid_grant', `Dialpad rejected the ${what} (${err.dialpadMessage})`);
      }
      throw err;
    }
  }
}
