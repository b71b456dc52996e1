import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { type AppId, asAppId } from '../common/app-id.js';
import { RedisService } from '../infra/redis/redis.service.js';
import { DncRepository } from './dnc.repository.js';

const CHANNEL = 'dnc:changed';
/** A node that missed a change notice (Redis down) still reloads within this. */
const MAX_AGE_MS = 60_000;

/**
 * The do-not-call list as the policy engine reads it: one in-memory set per app
 * (a 100,000-number list costs the policy nothing per decision), loaded once and
 * dropped on every node when the list changes (Redis pub/sub, with a one-minute
 * age as the fallback). The set may lag a change by a moment on another node:
 * `isListed` — PostgreSQL itself — is asked again just before a call is placed.
 */
@Injectable()
export class DncList implements OnModuleInit {
  private readonly logger = new Logger(DncList.name);
  private readonly sets = new Map<AppId, { numbers: Promise<ReadonlySet<string>>; loadedAt: number }>();

  constructor(
    private readonly repository: DncRepository,
    private readonly redis: RedisService,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.redis.subscribe(CHANNEL, (appId) => this.sets.delete(asAppId(appId)));
  }

  numbers(appId: AppId, now = Date.now()): Promise<ReadonlySet<string>> {
    const cached = this.sets.get(appId);
    if (cached && now - cached.loadedAt < MAX_AGE_MS) return cached.numbers;
    const numbers = this.repository.all(appId).then((phones) => new Set(phones));
    // a failed load is not kept: the next decision tries again
    numbers.catch(() => this.sets.delete(appId));
    this.sets.set(appId, { numbers, loadedAt: now });
    return numbers;
  }

  isListed(appId: AppId, phone: string): Promise<boolean> {
    return this.repository.contains(appId, phone);
  }

  /** After a change: this node's set at once, every other node's through Redis. */
  async changed(appId: AppId): Promise<void> {
    this.sets.delete(appId);
    try {
      await this.redis.publish(CHANNEL, appId);
    } catch (err) {
      this.logger.warn(`could not announce the DNC change of app ${appId} (other nodes reload within a minute): ${(err as Error).message}`);
    }
  }
}
