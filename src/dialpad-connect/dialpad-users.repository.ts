import { Injectable } from '@nestjs/common';
import type { AppId } from '../common/app-id.js';
import { Sql } from '../infra/database/sql.js';
import type { DialpadUser } from '../integrations/dialpad/dialpad-payloads.js';

export interface DialpadUserRow {
  dialpad_user_id: string;
  first_name: string | null;
  last_name: string | null;
  display_name: string | null;
  emails: string[];
  phone_numbers: string[];
  state: string | null;
  synced_at: Date;
}

const COLUMNS = 'dialpad_user_id, first_name, last_name, display_name, emails, phone_numbers, state, synced_at';

/** The only place SQL on `dialpad_users` lives. Every method takes the tenant id. */
@Injectable()
export class DialpadUsersRepository {
  constructor(private readonly db: Sql) {}

  /** Upserts one page of users in one statement, stamping them with `syncedAt`. */
  async upsertMany(appId: AppId, users: DialpadUser[], syncedAt: Date): Promise<number> {
    if (users.length === 0) return 0;
    return this.db.execute(
      `INSERT INTO dialpad_users (app_id, dialpad_user_id, first_name, last_name, display_name, emails, phone_numbers, state, synced_at)
       SELECT $1, u.id, u.first_name, u.last_name, u.display_name,
              ARRAY(SELECT jsonb_array_elements_text(u.emails)), ARRAY(SELECT jsonb_array_elements_text(u.phone_numbers)), u.state, $3
         FROM jsonb_to_recordset($2::jsonb)
              AS u(id text, first_name text, last_name text, display_name text, emails jsonb, phone_numbers jsonb, state text)
       ON CONFLICT (app_id, dialpad_user_id) DO UPDATE SET
         first_name = EXCLUDED.first_name, last_name = EXCLUDED.last_name, display_name = EXCLUDED.display_name,
         emails = EXCLUDED.emails, phone_numbers = EXCLUDED.phone_numbers, state = EXCLUDED.state,
         synced_at = EXCLUDED.synced_at, updated_at = now()`,
      [appId, JSON.stringify(users), syncedAt],
    );
  }

  /** After a complete sync: users Dialpad no longer lists are removed. */
  async deleteNotSyncedSince(appId: AppId, syncedAt: Date): Promise<number> {
    return this.db.execute(`DELETE FROM dialpad_users WHERE app_id = $1 AND synced_at < $2`, [appId, syncedAt]);
  }

  /** Lower-cased e-mail → the ids of the app's users holding it (usually one). */
  async idsByEmails(appId: AppId, emails: string[]): Promise<Map<string, string[]>> {
    const wanted = [...new Set(emails.map((e) => e.toLowerCase()))];
    const found = new Map<string, string[]>();
    if (wanted.length === 0) return found;
    const rows = await this.db.query<{ email: string; dialpad_user_id: string }>(
      `SELECT e.email, u.dialpad_user_id
         FROM dialpad_users u CROSS JOIN LATERAL unnest(u.emails) AS e(email)
        WHERE u.app_id = $1 AND u.emails && $2::text[] AND e.email = ANY($2::text[])
        ORDER BY u.dialpad_user_id`,
      [appId, wanted],
    );
    for (const r of rows) found.set(r.email, [...(found.get(r.email) ?? []), r.dialpad_user_id]);
    return found;
  }

  async list(appId: AppId, limit: number, offset: number): Promise<DialpadUserRow[]> {
    return this.db.query<DialpadUserRow>(
      `SELECT ${COLUMNS} FROM dialpad_users WHERE app_id = $1 ORDER BY dialpad_user_id LIMIT $2 OFFSET $3`,
      [appId, limit, offset],
    );
  }

  async count(appId: AppId): Promise<number> {
    const [row] = await this.db.query<{ n: string }>(`SELECT count(*) AS n FROM dialpad_users WHERE app_id = $1`, [appId]);
    return Number(row?.n ?? 0);
  }
}
