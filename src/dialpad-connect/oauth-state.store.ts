import { Injectable } from '@nestjs/common';
import type { AppId } from '../common/app-id.js';
import { RedisService } from '../infra/redis/redis.service.js';

export interface PendingAuthorization {
  appId: AppId;
  codeVerifier: string;
  redirectUri: string;
}

/**
 * The server-side half of an OAuth state: the PKCE verifier, kept in Redis
 * under the state's id for as long as the state lives, and taken exactly once
 * (GETDEL), so a replayed callback finds nothing.
 */
@Injectable()
export class OAuthStateStore {
  constructor(private readonly redis: RedisService) {}

  async save(nonce: string, pending: PendingAuthorization, ttlMs: number): Promise<void> {
    await this.redis.client.set(this.key(nonce), JSON.stringify(pending), 'PX', ttlMs);
  }

  /** The pending authorization, removed in the same step; null if unknown, expired or already used. */
  async consume(nonce: string): Promise<PendingAuthorization | null> {
    const raw = await this.redis.client.getdel(this.key(nonce));
    return raw ? (JSON.parse(raw) as PendingAuthorization) : null;
  }

  private key(nonce: string): string {
    return this.redis.key(`dialpad:oauth:state:${nonce}`);
  }
}
