import { Injectable } from '@nestjs/common';
import type { AppId } from '../common/app-id.js';
import { Sql } from '../infra/database/sql.js';

export interface DialerConfigRow {
  router_spreadsheet_id: string;
  router_tab: string;
  policy: Record<string, unknown>;
  pause_reasons: string[] | null;
  updated_at: Date;
}

@Injectable()
export class DialerConfigRepository {
  constructor(private readonly db: Sql) {}

  async get(appId: AppId): Promise<DialerConfigRow | null> {
    const rows = await this.db.query<DialerConfigRow>(
      `SELECT router_spreadsheet_id, router_tab, policy, pause_reasons, updated_at FROM dialer_configs WHERE app_id = $1`,
      [appId],
    );
    return rows[0] ?? null;
  }

  async put(
    appId: AppId,
    c: { routerSpreadsheetId: string; routerTab: string; policy: Record<string, unknown>; pauseReasons: string[] | null },
  ): Promise<DialerConfigRow> {
    const rows = await this.db.query<DialerConfigRow>(
      `INSERT INTO dialer_configs (app_id, router_spreadsheet_id, router_tab, policy, pause_reasons) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (app_id) DO UPDATE SET router_spreadsheet_id = EXCLUDED.router_spreadsheet_id,
         router_tab = EXCLUDED.router_tab, policy = EXCLUDED.policy, pause_reasons = EXCLUDED.pause_reasons, updated_at = now()
       RETURNING router_spreadsheet_id, router_tab, policy, pause_reasons, updated_at`,
      [appId, c.routerSpreadsheetId, c.routerTab, JSON.stringify(c.policy), c.pauseReasons],
    );
    return rows[0]!;
  }
}
