/**
 * Where DialpadClient gets an app's bearer token. Implemented by
 * DialpadTokenService (src/dialpad-connect), which owns the stored grants.
 */
export abstract class DialpadTokenSource {
  /** A valid access token of the app's connection, refreshed shortly before it expires. */
  abstract getValidAccessToken(appId: string): Promise<string>;

  /**
   * Dialpad answered 401 to `rejected`: refresh (once, however many callers
   * saw the 401) and return the new token, or throw DialpadAuthError.
   */
  abstract refreshRejectedToken(appId: string, rejected: string): Promise<string>;

  /** Dialpad refused even a fresh token: the grant is gone, the app must connect again. */
  abstract markNeedsReconnect(appId: string, reason: string): Promise<void>;
}
