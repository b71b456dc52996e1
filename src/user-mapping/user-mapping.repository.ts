import { Injectable } from '@nestjs/common';
import type { AppId } from '../common/app-id.js';
import { Sql } from '../infra/database/sql.js';
import type { UserMappingDto } from './dto/user-mapping.dto.js';

/** One mapping to write, its Dialpad user id resolved (a row given by e-mail has been looked up). */
export interface MappingRow {
  dialpad_user_id: string;
  crm_user_id: string;
  display_name?: string;
  email?: string;
}

const COLUMNS = 'id, dialpad_user_id, crm_user_id, display_name, email, created_at, updated_at';

/** The only place SQL on `dialpad_user_mappings` lives. Every method takes the tenant id. */
@Injectable()
export class UserMappingRepository {
  constructor(private readonly db: Sql) {}

  /** Upserts many rows in one statement: all or nothing. */
  async upsertMany(appId: AppId, rows: MappingRow[]): Promise<UserMappingDto[]> {
    return this.db.query<UserMappingDto>(
      `INSERT INTO dialpad_user_mappings (app_id, dialpad_user_id, crm_user_id, display_name, email)
       SELECT $1, * FROM unnest($2::text[], $3::text[], $4::text[], $5::text[])
       ON CONFLICT (app_id, dialpad_user_id) DO UPDATE SET
         crm_user_id = EXCLUDED.crm_user_id,
         display_name = COALESCE(EXCLUDED.display_name, dialpad_user_mappings.display_name),
         email = COALESCE(EXCLUDED.email, dialpad_user_mappings.email),
         updated_at = now()
       RETURNING ${COLUMNS}`,
      [
        appId,
        rows.map((r) => r.dialpad_user_id),
        rows.map((r) => r.crm_user_id),
        rows.map((r) => r.display_name ?? null),
        rows.map((r) => r.email?.toLowerCase() ?? null),
      ],
    );
  }

  async list(appId: AppId, f: { dialpadUserId?: string; crmUserId?: string }, limit: number, offset: number): Promise<UserMappingDto[]> {
    return this.db.query<UserMappingDto>(
      `SELECT ${COLUMNS} FROM dialpad_user_mappings
        WHERE app_id = $1 AND ($2::text IS NULL OR dialpad_user_id = $2) AND ($3::text IS NULL OR crm_user_id = $3)
        ORDER BY created_at, id LIMIT $4 OFFSET $5`,
      [appId, f.dialpadUserId ?? null, f.crmUserId ?? null, limit, offset],
    );
  }

  async delete(appId: AppId, id: string): Promise<boolean> {
    return (await this.db.execute(`DELETE FROM dialpad_user_mappings WHERE app_id = $1 AND id = $2`, [appId, id])) > 0;
  }
}
