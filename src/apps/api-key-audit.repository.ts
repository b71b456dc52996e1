import { Injectable } from '@nestjs/common';
import type { AppId } from '../common/app-id.js';
import { Sql } from '../infra/database/sql.js';

export type ApiKeyAction = 'generate' | 'rotate' | 'revoke';

export interface AuditEntry {
  id: string;
  app_id: AppId;
  action: ApiKeyAction;
  key_prefix: string | null;
  actor: string;
  request_ip: string | null;
  user_agent: string | null;
  created_at: Date;
}

export interface AuditContext {
  actor: string;
  ip: string | null;
  userAgent: string | null;
}

@Injectable()
export class ApiKeyAuditRepository {
  constructor(private readonly db: Sql) {}

  async record(appId: AppId, action: ApiKeyAction, keyPrefix: string | null, ctx: AuditContext): Promise<void> {
    await this.db.query(
      `INSERT INTO api_key_audit_log (app_id, action, key_prefix, actor, request_ip, user_agent)
       VALUES ($1, $2, $3, $4, $5, $6)`,
      [appId, action, keyPrefix, ctx.actor, ctx.ip, ctx.userAgent?.slice(0, 512) ?? null],
    );
  }

  /** Newest first; `beforeId` pages backwards. */
  async list(appId: AppId, limit: number, beforeId?: string): Promise<AuditEntry[]> {
    return await this.db.query<AuditEntry>(
      `SELECT id::text, app_id, action, key_prefix, actor, request_ip, user_agent, created_at
         FROM api_key_audit_log
        WHERE app_id = $1 AND ($3::bigint IS NULL OR id < $3::bigint)
        ORDER BY api_key_audit_log.id DESC LIMIT $2`,
      [appId, limit, beforeId ?? null],
    );
  }
}
