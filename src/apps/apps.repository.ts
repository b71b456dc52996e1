import { Injectable } from '@nestjs/common';
import type { AppId } from '../common/app-id.js';
import { Sql } from '../infra/database/sql.js';

export interface AppRow {
  id: AppId;
  name: string;
  is_active: boolean;
  show_admin_recordings: boolean;
  api_key_prefix: string | null;
  api_key_created_at: Date | null;
  api_key_revoked_at: Date | null;
  previous_api_key_expires_at: Date | null;
  webhook_secret_enc: string;
  created_at: Date;
  updated_at: Date;
}

const COLUMNS = `id, name, is_active, show_admin_recordings, api_key_prefix, api_key_created_at, api_key_revoked_at,
  previous_api_key_expires_at, webhook_secret_enc, created_at, updated_at`;

/** The only place SQL on `apps` lives. */
@Injectable()
export class AppsRepository {
  constructor(private readonly db: Sql) {}

  async create(app: { id: string; name: string; webhookSecretEnc: string; apiKeyHash: string; apiKeyPrefix: string }): Promise<AppRow> {
    const rows = await this.db.query<AppRow>(
      `INSERT INTO apps (id, name, webhook_secret_enc, api_key_hash, api_key_prefix, api_key_created_at)
       VALUES ($1, $2, $3, $4, $5, now()) RETURNING ${COLUMNS}`,
      [app.id, app.name, app.webhookSecretEnc, app.apiKeyHash, app.apiKeyPrefix],
    );
    return rows[0]!;
  }

  async list(limit: number, offset: number): Promise<AppRow[]> {
    return await this.db.query<AppRow>(`SELECT ${COLUMNS} FROM apps ORDER BY created_at, id LIMIT $1 OFFSET $2`, [limit, offset]);
  }

  async findById(appId: AppId): Promise<AppRow | null> {
    const rows = await this.db.query<AppRow>(`SELECT ${COLUMNS} FROM apps WHERE id = $1`, [appId]);
    return rows[0] ?? null;
  }

  async update(appId: AppId, patch: { name?: string; isActive?: boolean; showAdminRecordings?: boolean }): Promise<AppRow | null> {
    const rows = await this.db.query<AppRow>(
      `UPDATE apps SET name = COALESCE($2, name), is_active = COALESCE($3, is_active),
              show_admin_recordings = COALESCE($4, show_admin_recordings), updated_at = now()
       WHERE id = $1 RETURNING ${COLUMNS}`,
      [appId, patch.name ?? null, patch.isActive ?? null, patch.showAdminRecordings ?? null],
    );
    return rows[0] ?? null;
  }

  /**
   * Resolves a key hash to its app: the current key, or the previous key while
   * its rotation grace period lasts.
   */
  async findByKeyHash(hash: string): Promise<{ id: AppId; name: string; is_active: boolean; valid_until: Date | null } | null> {
    const rows = await this.db.query<{ id: AppId; name: string; is_active: boolean; valid_until: Date | null }>(
      `SELECT id, name, is_active, NULL::timestamptz AS valid_until FROM apps WHERE api_key_hash = $1
       UNION ALL
       SELECT id, name, is_active, previous_api_key_expires_at FROM apps
        WHERE previous_api_key_hash = $1 AND previous_api_key_expires_at > now()
       LIMIT 1`,
      [hash],
    );
    return rows[0] ?? null;
  }

  /** Installs a new key; with a grace period the old one stays valid until then. */
  async setKey(appId: AppId, hash: string, prefix: string, graceSeconds: number): Promise<AppRow | null> {
    const rows = await this.db.query<AppRow>(
      `UPDATE apps SET
         previous_api_key_hash = CASE WHEN $4::int > 0 AND api_key_hash IS NOT NULL THEN api_key_hash END,
         previous_api_key_expires_at = CASE WHEN $4::int > 0 AND api_key_hash IS NOT NULL
                                            THEN now() + make_interval(secs => $4::int) END,
         api_key_hash = $2, api_key_prefix = $3, api_key_created_at = now(), api_key_revoked_at = NULL,
         updated_at = now()
       WHERE id = $1 RETURNING ${COLUMNS}`,
      [appId, hash, prefix, graceSeconds],
    );
    return rows[0] ?? null;
  }

  async revokeKey(appId: AppId): Promise<AppRow | null> {
    const rows = await this.db.query<AppRow>(
      `UPDATE apps SET api_key_hash = NULL, previous_api_key_hash = NULL, previous_api_key_expires_at = NULL,
         api_key_revoked_at = now(), updated_at = now()
       WHERE id = $1 RETURNING ${COLUMNS}`,
      [appId],
    );
    return rows[0] ?? null;
  }

  async hasKey(appId: AppId): Promise<boolean> {
    const rows = await this.db.query<{ has: boolean }>(`SELECT api_key_hash IS NOT NULL AS has FROM apps WHERE id = $1`, [appId]);
    return rows[0]?.has ?? false;
  }
}
