import { Injectable } from '@nestjs/common';
import type { AppId } from '../common/app-id.js';
import { Sql } from '../infra/database/sql.js';

export interface DialerConfigRow {
  router_spreadsheet_id: string;
  router_tab: string;
  policy: Record<string, unknown>;
  updated_at: Date;
}

@Injectable()
export class DialerConfigRepository {
  constructor(private readonly db: Sql) {}

  async get(appId: AppId): Promise<DialerConfigRow | null> {
    const rows = await this.db.query<DialerConfigRow>(
      `SELECT router_spreadsheet_id, router_tab, policy, updated_at FROM dialer_configs WHERE app_id = $1`,
      [appId],
    );
    return rows[0] ?? null;
  }

  async put(appId: AppId, c: { routerSpreadsheetId: string; routerTab: string; policy: Record<string, unknown> }): Promise<DialerConfigRow> {
    const rows = await this.db.query<DialerConfigRow>(
      `INSERT INTO dialer_configs (app_id, router_spreadsheet_id, router_tab, policy) VALUES ($1, $2, $3, $4)
       ON CONFLICT (app_id) DO UPDATE SET router_spreadsheet_id = EXCLUDED.router_spreadsheet_id,
         router_tab = EXCLUDED.router_tab, policy = EXCLUDED.policy, updated_at = now()
       RETURNING router_spreadsheet_id, router_tab, policy, updated_at`,
      [appId, c.routerSpreadsheetId, c.routerTab, JSON.stringify(c.policy)],
    );
    return rows[0]!;
  }
}
