import { Injectable } from '@nestjs/common';
import type { AppId } from '../common/app-id.js';
import { Sql } from '../infra/database/sql.js';

export interface DncRow {
  phone: string;
  reason: string | null;
  added_by: string;
  created_at: Date;
}

/** The per-app do-not-call list (E.164 numbers). Every method takes the tenant id. */
@Injectable()
export class DncRepository {
  constructor(private readonly db: Sql) {}

  /** Adds the numbers (one statement); answers how many were new. */
  async add(appId: AppId, phones: readonly string[], reason: string | null, addedBy: string): Promise<number> {
    if (phones.length === 0) return 0;
    return this.db.execute(
      `INSERT INTO dnc_numbers (app_id, phone, reason, added_by)
       SELECT $1, p, $3, $4 FROM unnest($2::text[]) AS p
       ON CONFLICT (app_id, phone) DO NOTHING`,
      [appId, [...new Set(phones)], reason, addedBy],
    );
  }

  async remove(appId: AppId, phone: string): Promise<boolean> {
    return (await this.db.execute(`DELETE FROM dnc_numbers WHERE app_id = $1 AND phone = $2`, [appId, phone])) > 0;
  }

  async list(appId: AppId, options: { limit: number; offset: number; contains?: string }): Promise<{ items: DncRow[]; total: number }> {
    const filter = options.contains ? `AND phone LIKE '%' || $4 || '%'` : '';
    const params: unknown[] = [appId, options.limit, options.offset];
    if (options.contains) params.push(options.contains);
    const items = await this.db.query<DncRow>(
      `SELECT phone, reason, added_by, created_at FROM dnc_numbers WHERE app_id = $1 ${filter}
        ORDER BY created_at DESC, phone LIMIT $2 OFFSET $3`,
      params,
    );
    const countParams: unknown[] = [appId];
    if (options.contains) countParams.push(options.contains);
    const [count] = await this.db.query<{ n: string }>(
      `SELECT count(*)::text AS n FROM dnc_numbers WHERE app_id = $1 ${options.contains ? `AND phone LIKE '%' || $2 || '%'` : ''}`,
      countParams,
    );
    return { items, total: Number(count?.n ?? 0) };
  }

  /** Whether the number is listed now: the authoritative check just before a call is placed. */
  async contains(appId: AppId, phone: string): Promise<boolean> {
    return (await this.db.query(`SELECT 1 FROM dnc_numbers WHERE app_id = $1 AND phone = $2`, [appId, phone])).length > 0;
  }

  /** Every listed number of the app (for the in-memory set the policy reads). */
  async all(appId: AppId): Promise<string[]> {
    return (await this.db.query<{ phone: string }>(`SELECT phone FROM dnc_numbers WHERE app_id = $1`, [appId])).map((r) => r.phone);
  }
}
