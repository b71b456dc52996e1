import { Injectable } from '@nestjs/common';
import type { AppId } from '../../common/app-id.js';
import { DomainError } from '../../common/errors/domain-error.js';
import { Sql } from '../../infra/database/sql.js';

export type ConnectionStatus = 'pending' | 'connected' | 'needs_reconnect' | 'disconnected';

export interface DialpadConnectionRow {
  app_id: AppId;
  dialpad_company_id: string | null;
  dialpad_user_id: string | null;
  status: ConnectionStatus;
  access_token_enc: string | null;
  refresh_token_enc: string | null;
  token_expires_at: Date | null;
  scopes: string | null;
  last_error: string | null;
  connected_at: Date | null;
  last_refreshed_at: Date | null;
  webhook_id: string | null;
  subscription_id: string | null;
  created_at: Date;
  updated_at: Date;
}

export interface StoredGrant {
  accessTokenEnc: string;
  refreshTokenEnc: string | null;
  expiresAt: Date | null;
  scopes: string | null;
}

const COLUMNS = `app_id, dialpad_company_id, dialpad_user_id, status, access_token_enc, refresh_token_enc, token_expires_at,
  scopes, last_error, connected_at, last_refreshed_at, webhook_id, subscription_id, created_at, updated_at`;

/** The only place SQL on `dialpad_connections` lives. Every method takes the tenant id. */
@Injectable()
export class DialpadConnectionRepository {
  constructor(private readonly db: Sql) {}

  async find(appId: AppId): Promise<DialpadConnectionRow | null> {
    const rows = await this.db.query<DialpadConnectionRow>(`SELECT ${COLUMNS} FROM dialpad_connections WHERE app_id = $1`, [appId]);
    return rows[0] ?? null;
  }

  /** Records that a connect was started (status pending) unless the app already has a connection row. */
  async ensurePending(appId: AppId): Promise<void> {
    await this.db.execute(`INSERT INTO dialpad_connections (app_id, status) VALUES ($1, 'pending') ON CONFLICT (app_id) DO NOTHING`, [appId]);
  }

  /** The result of a completed OAuth flow: connected, with fresh tokens. */
  async saveConnected(appId: AppId, companyId: string, userId: string | null, grant: StoredGrant): Promise<DialpadConnectionRow> {
    try {
      const rows = await this.db.query<DialpadConnectionRow>(
        `INSERT INTO dialpad_connections (app_id, dialpad_company_id, dialpad_user_id, status, access_token_enc, refresh_token_enc,
                                          token_expires_at, scopes, last_error, connected_at, last_refreshed_at)
         VALUES ($1, $2, $3, 'connected', $4, $5, $6, $7, NULL, now(), now())
         ON CONFLICT (app_id) DO UPDATE SET
           dialpad_company_id = EXCLUDED.dialpad_company_id, dialpad_user_id = EXCLUDED.dialpad_user_id, status = 'connected',
           access_token_enc = EXCLUDED.access_token_enc, refresh_token_enc = EXCLUDED.refresh_token_enc,
           token_expires_at = EXCLUDED.token_expires_at, scopes = EXCLUDED.scopes, last_error = NULL,
           connected_at = now(), last_refreshed_at = now(), updated_at = now()
         RETURNING ${COLUMNS}`,
        [appId, companyId, userId, grant.accessTokenEnc, grant.refreshTokenEnc, grant.expiresAt, grant.scopes],
      );
      return rows[0]!;
    } catch (err) {
      if ((err as { code?: string; constraint?: string }).constraint === 'dialpad_connections_dialpad_company_id_key') {
        throw new DomainError('CONFLICT', `Dialpad company ${companyId} is already connected to another app: disconnect it there first`);
      }
      throw err;
    }
  }

  /** Stores refreshed tokens; only a connected row is touched (a disconnect in the meantime wins). */
  async saveRefreshed(appId: AppId, grant: StoredGrant): Promise<boolean> {
    const n = await this.db.execute(
      `UPDATE dialpad_connections
          SET access_token_enc = $2, refresh_token_enc = COALESCE($3, refresh_token_enc), token_expires_at = $4,
              scopes = COALESCE($5, scopes), last_error = NULL, last_refreshed_at = now(), updated_at = now()
        WHERE app_id = $1 AND status = 'connected'`,
      [appId, grant.accessTokenEnc, grant.refreshTokenEnc, grant.expiresAt, grant.scopes],
    );
    return n > 0;
  }

  async markNeedsReconnect(appId: AppId, lastError: string): Promise<void> {
    await this.db.execute(
      `UPDATE dialpad_connections SET status = 'needs_reconnect', last_error = $2, updated_at = now()
        WHERE app_id = $1 AND status = 'connected'`,
      [appId, lastError.slice(0, 1000)],
    );
  }

  async recordError(appId: AppId, lastError: string): Promise<void> {
    await this.db.execute(`UPDATE dialpad_connections SET last_error = $2, updated_at = now() WHERE app_id = $1`, [appId, lastError.slice(0, 1000)]);
  }

  /** Wipes the tokens and frees the company id (another app may connect it). Null if the app has no connection row. */
  async disconnect(appId: AppId): Promise<DialpadConnectionRow | null> {
    const rows = await this.db.query<DialpadConnectionRow>(
      `UPDATE dialpad_connections
          SET status = 'disconnected', access_token_enc = NULL, refresh_token_enc = NULL, token_expires_at = NULL,
              dialpad_company_id = NULL, webhook_id = NULL, subscription_id = NULL, last_error = NULL, updated_at = now()
        WHERE app_id = $1
        RETURNING ${COLUMNS}`,
      [appId],
    );
    return rows[0] ?? null;
  }

  async saveSubscription(appId: AppId, webhookId: string, subscriptionId: string): Promise<void> {
    await this.db.execute(
      `UPDATE dialpad_connections SET webhook_id = $2, subscription_id = $3, updated_at = now() WHERE app_id = $1`,
      [appId, webhookId, subscriptionId],
    );
  }
}
