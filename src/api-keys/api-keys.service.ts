import { Injectable } from '@nestjs/common';
import type { AppId } from '../common/app-id.js';
import { AppChanges } from '../apps/app-changes.service.js';
import { AppsRepository } from '../apps/apps.repository.js';
import { AppsService } from '../apps/apps.service.js';
import { DomainError } from '../common/errors/domain-error.js';
import { ApiKeyAuditRepository, AuditContext } from '../apps/api-key-audit.repository.js';
import { displayPrefix, generateApiKey, hashApiKey } from '../apps/app-credentials.js';
import { ApiKeyStatusDto, AuditPageDto, IssuedApiKeyDto, RevokedApiKeyDto } from './dto/api-key.dto.js';

@Injectable()
export class ApiKeysService {
  constructor(
    private readonly apps: AppsRepository,
    private readonly appsService: AppsService,
    private readonly audit: ApiKeyAuditRepository,
    private readonly changes: AppChanges,
  ) {}

  /** Generates a key (or rotates the current one). The old key is refused at once unless a grace period is asked for. */
  async issue(appId: AppId, graceSeconds: number, ctx: AuditContext): Promise<IssuedApiKeyDto> {
    const hadKey = await this.apps.hasKey(appId);
    const key = generateApiKey();
    const row = await this.apps.setKey(appId, hashApiKey(key), displayPrefix(key), graceSeconds);
    if (!row) throw new DomainError('APP_NOT_FOUND', `App ${appId} not found`);
    await this.audit.record(appId, hadKey ? 'rotate' : 'generate', displayPrefix(key), ctx);
    await this.changes.publish(appId);
    return {
      app_id: appId,
      api_key: key,
      key_prefix: displayPrefix(key),
      created_at: row.api_key_created_at!,
      previous_key_valid_until: row.previous_api_key_expires_at,
    };
  }

  /** Revokes every key of the app: REST answers 401 and its WebSockets are closed, on every node. */
  async revoke(appId: AppId, ctx: AuditContext): Promise<RevokedApiKeyDto> {
    const before = await this.appsService.require(appId);
    const row = await this.apps.revokeKey(appId);
    if (!row) throw new DomainError('APP_NOT_FOUND', `App ${appId} not found`);
    await this.audit.record(appId, 'revoke', before.api_key_revoked_at ? null : before.api_key_prefix, ctx);
    await this.changes.publish(appId);
    return { app_id: appId, revoked_at: row.api_key_revoked_at! };
  }

  async status(appId: AppId): Promise<ApiKeyStatusDto> {
    const row = await this.appsService.require(appId);
    const status = row.api_key_revoked_at ? 'revoked' : row.api_key_prefix ? 'active' : 'none';
    return {
      app_id: appId,
      app_is_active: row.is_active,
      status,
      key_prefix: status === 'active' ? row.api_key_prefix : null,
      created_at: row.api_key_created_at,
      revoked_at: row.api_key_revoked_at,
      previous_key_valid_until:
        row.previous_api_key_expires_at && row.previous_api_key_expires_at > new Date() ? row.previous_api_key_expires_at : null,
    };
  }

  async auditLog(appId: AppId, limit = 50, before?: string): Promise<AuditPageDto> {
    await this.appsService.require(appId);
    const items = await this.audit.list(appId, limit, before);
    return {
      items: items.map(({ app_id: _appId, ...rest }) => rest),
      next_before: items.length === limit ? items[items.length - 1]!.id : null,
    };
  }
}
