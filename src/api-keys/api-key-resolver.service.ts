import { Injectable } from '@nestjs/common';
import type { AppId } from '../common/app-id.js';
import { LRUCache } from 'lru-cache';
import { AppChanges } from '../apps/app-changes.service.js';
import { AppsRepository } from '../apps/apps.repository.js';
import { AppConfig } from '../infra/config/app-config.js';
import { API_KEY_PATTERN, hashApiKey } from '../apps/app-credentials.js';

export interface ResolvedApp {
  id: AppId;
  name: string;
  isActive: boolean;
}

type CacheEntry = { app: ResolvedApp | null };

const NEGATIVE_TTL_MS = 5_000;

/**
 * API key → app, cached briefly per node so the hot path does not query
 * PostgreSQL on every request. Any change to an app (AppChanges, on any node)
 * drops this node's entries for that app at once.
 */
@Injectable()
export class ApiKeyResolver {
  private readonly cache: LRUCache<string, CacheEntry>;

  constructor(
    private readonly apps: AppsRepository,
    changes: AppChanges,
    config: AppConfig,
  ) {
    // subscribed at construction, before the listeners that re-resolve keys (they subscribe in onModuleInit)
    changes.subscribe((appId) => this.drop(appId));
    this.cache = new LRUCache<string, CacheEntry>({ max: 50_000, ttl: Math.max(config.API_KEY_CACHE_TTL_SECONDS * 1000, 1) });
  }

  async resolve(apiKey: string): Promise<ResolvedApp | null> {
    if (!API_KEY_PATTERN.test(apiKey)) return null;
    const hash = hashApiKey(apiKey);
    const cached = this.cache.get(hash);
    if (cached) return cached.app;
    const row = await this.apps.findByKeyHash(hash);
    const app = row ? { id: row.id, name: row.name, isActive: row.is_active } : null;
    // a key inside its rotation grace period must not outlive it in the cache
    const ttl = !app ? NEGATIVE_TTL_MS : row?.valid_until ? Math.min(row.valid_until.getTime() - Date.now(), this.cache.ttl) : undefined;
    this.cache.set(hash, { app }, ttl !== undefined ? { ttl: Math.max(ttl, 1) } : undefined);
    return app;
  }

  private drop(appId: AppId): void {
    for (const [hash, entry] of this.cache.entries()) {
      if (entry.app === null || entry.app.id === appId) this.cache.delete(hash);
    }
  }
}
