import { Injectable } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import { ApiKeyResolver } from '../api-keys/api-key-resolver.service.js';
import type { AppId } from '../common/app-id.js';
import { AppChanges } from '../apps/app-changes.service.js';
import { AppsRepository } from '../apps/apps.repository.js';
import { DomainError } from '../common/errors/domain-error.js';
import { AppConfig } from '../infra/config/app-config.js';
import { SecretBox } from '../infra/crypto/secret-box.js';
import { Sql } from '../infra/database/sql.js';
import { UUID_PATTERN, DIGITS_ID_PATTERN } from '../common/ids.js';

export interface WebhookTenant {
  appId: AppId;
  isActive: boolean;
  secret: string;
}


/**
 * Finds the app a webhook is for, with its decrypted secret, cached briefly so
 * the ingest path does not query and decrypt on every delivery. Entries are
 * dropped on every node when the app changes (the same invalidation as API keys).
 */
@Injectable()
export class WebhookTenantResolver {
  private readonly byId: LRUCache<string, { tenant: WebhookTenant | null }>;
  private readonly byOrg: LRUCache<string, { appId: AppId }>;

  constructor(
    private readonly apps: AppsRepository,
    private readonly apiKeys: ApiKeyResolver,
    appChanges: AppChanges,
    private readonly secretBox: SecretBox,
    private readonly db: Sql,
    config: AppConfig,
  ) {
    const ttl = Math.max(config.API_KEY_CACHE_TTL_SECONDS * 1000, 1);
    this.byId = new LRUCache({ max: 10_000, ttl });
    this.byOrg = new LRUCache({ max: 10_000, ttl });
    appChanges.subscribe((appId) => {
      this.byId.delete(appId);
      this.byOrg.clear();
    });
  }

  /** `/webhooks/dialpad/:app_id` */
  async fromAppId(appId: AppId): Promise<WebhookTenant> {
    if (!UUID_PATTERN.test(appId)) throw new DomainError('APP_NOT_FOUND', `Unknown app ${appId.slice(0, 64)}`);
    let entry = this.byId.get(appId);
    if (!entry) {
      const row = await this.apps.findById(appId);
      entry = {
        tenant: row
          ? { appId: row.id, isActive: row.is_active, secret: this.secretBox.decrypt(row.webhook_secret_enc, `app:${row.id}:webhook`) }
          : null,
      };
      this.byId.set(appId, entry);
    }
    if (!entry.tenant) throw new DomainError('APP_NOT_FOUND', `Unknown app ${appId}`);
    return entry.tenant;
  }

  /** `/webhooks/dialpad` with `x-app-api-key` or `x-dialpad-org-id`. */
  async fromHeaders(apiKey: string | undefined, orgId: string | undefined): Promise<WebhookTenant> {
    if (apiKey) {
      const app = await this.apiKeys.resolve(apiKey);
      if (!app) throw new DomainError('UNAUTHENTICATED', 'Invalid or revoked API key');
      return this.fromAppId(app.id);
    }
    if (orgId) {
      if (!DIGITS_ID_PATTERN.test(orgId)) throw new DomainError('APP_NOT_FOUND', 'Unknown x-dialpad-org-id');
      let entry: { appId: AppId | null } | undefined = this.byOrg.get(orgId);
      if (!entry) {
        const rows = await this.db.query<{ app_id: AppId }>(`SELECT app_id FROM dialpad_connections WHERE dialpad_company_id = $1`, [orgId]);
        const appId = rows[0]?.app_id ?? null;
        // only hits are cached: a company connected a moment later must not be refused (Dialpad never retries a 404)
        if (appId) this.byOrg.set(orgId, { appId });
        entry = { appId };
      }
      if (!entry.appId) throw new DomainError('APP_NOT_FOUND', 'No app is connected to this Dialpad company (x-dialpad-org-id)');
      return this.fromAppId(entry.appId);
    }
    throw new DomainError(
      'APP_NOT_FOUND',
      'No tenant: post to /webhooks/dialpad/<app_id>, or send x-app-api-key or x-dialpad-org-id',
    );
  }
}
