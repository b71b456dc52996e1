import { Injectable } from '@nestjs/common';
import type { AppId } from '../common/app-id.js';
import { RedisService } from '../infra/redis/redis.service.js';
import { SESSION_TTL_SECONDS } from './session.store.js';

export interface SessionStats {
  dials: number;
  connects: number;
  dispositions: Record<string, number>;
  talk_time_ms: number;
  dials_per_hour: number;
}

/** Per-session counters in Redis (`dialer:metric:{app}:{session}`), incremented atomically from any node. */
@Injectable()
export class SessionStatsStore {
  constructor(private readonly redis: RedisService) {}

  private key(appId: AppId, sessionId: string): string {
    return this.redis.key(`dialer:metric:${appId}:${sessionId}`);
  }

  async incr(appId: AppId, sessionId: string, field: string, by = 1): Promise<void> {
    const key = this.key(appId, sessionId);
    await this.redis.client.multi().hincrby(key, field, by).expire(key, SESSION_TTL_SECONDS).exec();
  }

  async read(appId: AppId, sessionId: string, startedAt: string, now = Date.now()): Promise<SessionStats> {
    const raw = await this.redis.client.hgetall(this.key(appId, sessionId));
    const dispositions: Record<string, number> = {};
    for (const [k, v] of Object.entries(raw)) if (k.startsWith('dispo:')) dispositions[k.slice(6)] = Number(v);
    const dials = Number(raw.dials ?? 0);
    const hours = Math.max((now - Date.parse(startedAt)) / 3_600_000, 1 / 60);
    return {
      dials,
      connects: Number(raw.connects ?? 0),
      dispositions,
      talk_time_ms: Number(raw.talk_time_ms ?? 0),
      dials_per_hour: Math.round((dials / hours) * 10) / 10,
    };
  }
}
