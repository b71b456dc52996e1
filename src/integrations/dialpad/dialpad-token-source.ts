import type { AppId } from '../../common/app-id.js';
/**
 * Where DialpadClient gets an app's bearer token. Implemented by
 * DialpadTokenService (src/integrations/dialpad), which owns the stored grants.
 */
export abstract class DialpadTokenSource {
  /** A valid access token of the app's connection, refreshed shortly before it expires. */
  abstract getValidAccessToken(appId: AppId): Promise<string>;

  /**
   * Dialpad answered 401 to `rejected`: refresh (once, however many callers
   * saw the 401) and return the new token, or throw DialpadAuthError.
   */
  abstract refreshRejectedToken(appId: AppId, rejected: string): Promise<string>;

  /** Dialpad refused even a fresh token: the grant is gone, the app must connect again. */
  abstract markNeedsReconnect(appId: AppId, reason: string): Promise<void>;
}
