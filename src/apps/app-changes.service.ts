import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { type AppId, asAppId } from '../common/app-id.js';
import { RedisService } from '../infra/redis/redis.service.js';

const CHANNEL = 'apps:invalidate';

/**
 * "This app changed" (its keys, its status, its Dialpad connection), across
 * nodes: a change published on any node reaches every node's listeners — the
 * API-key cache, the webhook tenant cache, the agent guard, open WebSockets.
 */
@Injectable()
export class AppChanges implements OnModuleInit {
  private readonly logger = new Logger(AppChanges.name);
  private readonly listeners = new Set<(appId: AppId) => void>();

  constructor(private readonly redis: RedisService) {}

  async onModuleInit(): Promise<void> {
    await this.redis.subscribe(CHANNEL, (appId) => this.notifyLocal(asAppId(appId)));
  }

  /** Tells every node (this one at once) that the app changed. A Redis outage is logged: this node still drops its caches. */
  async publish(appId: AppId): Promise<void> {
    this.notifyLocal(appId);
    try {
      await this.redis.publish(CHANNEL, appId);
    } catch (err) {
      this.logger.error(`could not publish the change of app ${appId}: ${(err as Error).message}`);
    }
  }

  /** Called on every node for each change; returns the unsubscribe function. */
  subscribe(listener: (appId: AppId) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private notifyLocal(appId: AppId): void {
    for (const listener of this.listeners) listener(appId);
  }
}
