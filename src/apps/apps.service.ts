import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { ApiKeyAuditRepository, AuditContext } from './api-key-audit.repository.js';
import { displayPrefix, generateApiKey, generateWebhookSecret, hashApiKey } from './app-credentials.js';
import { type AppId, asAppId } from '../common/app-id.js';
import { DomainError } from '../common/errors/domain-error.js';
import { SecretBox } from '../infra/crypto/secret-box.js';
import { AppChanges } from './app-changes.service.js';
import { AppRow, AppsRepository } from './apps.repository.js';
import { AppDto, CreatedAppDto } from './dto/app.dto.js';

@Injectable()
export class AppsService {
  constructor(
    private readonly apps: AppsRepository,
    private readonly audit: ApiKeyAuditRepository,
    private readonly changes: AppChanges,
    private readonly secretBox: SecretBox,
  ) {}

  /** Creates a tenant with its first API key and webhook secret; both are returned only here. */
  async create(name: string, ctx: AuditContext): Promise<CreatedAppDto> {
    const id = asAppId(randomUUID());
    const apiKey = generateApiKey();
    const webhookSecret = generateWebhookSecret();
    const row = await this.apps.create({
      id,
      name,
      webhookSecretEnc: this.secretBox.encrypt(webhookSecret, `app:${id}:webhook`),
      apiKeyHash: hashApiKey(apiKey),
      apiKeyPrefix: displayPrefix(apiKey),
    });
    await this.audit.record(id, 'generate', displayPrefix(apiKey), ctx);
    return { ...toAppDto(row), api_key: apiKey, webhook_secret: webhookSecret };
  }

  async list(limit = 50, offset = 0): Promise<AppDto[]> {
    return (await this.apps.list(limit, offset)).map(toAppDto);
  }

  async get(appId: AppId): Promise<AppDto> {
    return toAppDto(await this.require(appId));
  }

  async update(appId: AppId, patch: { name?: string; is_active?: boolean; show_admin_recordings?: boolean }): Promise<AppDto> {
    const row = await this.apps.update(appId, { name: patch.name, isActive: patch.is_active, showAdminRecordings: patch.show_admin_recordings });
    if (!row) throw new DomainError('APP_NOT_FOUND', `App ${appId} not found`);
    await this.changes.publish(appId);
    return toAppDto(row);
  }

  /** The app's webhook secret in clear, for signature checks and Dialpad subscription setup. */
  async webhookSecret(appId: AppId): Promise<string> {
    const row = await this.require(appId);
    return this.secretBox.decrypt(row.webhook_secret_enc, `app:${appId}:webhook`);
  }

  async require(appId: AppId): Promise<AppRow> {
    const row = await this.apps.findById(appId);
    if (!row) throw new DomainError('APP_NOT_FOUND', `App ${appId} not found`);
    return row;
  }
}

export function toAppDto(row: AppRow): AppDto {
  return {
    id: row.id,
    name: row.name,
    is_active: row.is_active,
    show_admin_recordings: row.show_admin_recordings,
    api_key_prefix: row.api_key_revoked_at ? null : row.api_key_prefix,
    created_at: row.created_at,
    updated_at: row.updated_at,
  };
}
