import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import { AppsRepository } from '../apps/apps.repository.js';
import { AppConfig } from '../infra/config/app-config.js';
import { RedisService } from '../infra/redis/redis.service.js';
import { API_KEY_PATTERN, hashApiKey } from './api-key.js';

export interface ResolvedApp {
  id: string;
  name: string;
  isActive: boolean;
}

type CacheEntry = { app: ResolvedApp | null };

const INVALIDATION_CHANNEL = 'apps:invalidate';
const NEGATIVE_TTL_MS = 5_000;

/**
 * API key → app, cached briefly per node so the hot path does not query
 * PostgreSQL on every request. Any change to an app's key or status is
 * published on Redis; every node drops its entries for that app at once.
 */
@Injectable()
export class ApiKeyResolver implements OnModuleInit {
  private readonly logger = new Logger(ApiKeyResolver.name);
  private readonly cache: LRUCache<string, CacheEntry>;
  private readonly listeners = new Set<(appId: string) => void>();

  constructor(
    private readonly apps: AppsRepository,
    private readonly redis: RedisService,
    config: AppConfig,
  ) {
    this.cache = new LRUCache<string, CacheEntry>({ max: 50_000, ttl: Math.max(config.API_KEY_CACHE_TTL_SECONDS * 1000, 1) });
  }

  async onModuleInit(): Promise<void> {
    await this.redis.subscribe(INVALIDATION_CHANNEL, (appId) => this.dropLocal(appId));
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

  /** Call after any change to an app's keys or status: clears every node's cache for it. */
  async invalidate(appId: string): Promise<void> {
    this.dropLocal(appId);
    try {
      await this.redis.publish(INVALIDATION_CHANNEL, appId);
    } catch (err) {
      this.logger.error(`could not publish key invalidation for app ${appId}: ${(err as Error).message}`);
    }
  }

  /** Notified (on every node) when an app's credentials change, e.g. to close its WebSockets. */
  onInvalidate(listener: (appId: string) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private dropLocal(appId: string): void {
    for (const [hash, entry] of this.cache.entries()) {
      if (entry.app === null || entry.app.id === appId) this.cache.delete(hash);
    }
    for (const listener of this.listeners) listener(appId);
  }
}
