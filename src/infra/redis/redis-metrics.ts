import { Injectable } from '@nestjs/common';
import { Gauge } from 'prom-client';
import { MetricsService } from '../metrics/metrics.service.js';
import { RedisService } from './redis.service.js';

/** `used_memory` and `maxmemory` from a Redis `INFO memory` answer (bytes; maxmemory 0 = no limit). */
export function parseRedisMemory(info: string): { used: number; max: number } | null {
  const field = (name: string) => {
    const match = new RegExp(`^${name}:(\\d+)\\r?$`, 'm').exec(info);
    return match ? Number(match[1]) : null;
  };
  const used = field('used_memory');
  return used === null ? null : { used, max: field('maxmemory') ?? 0 };
}

/**
 * Redis memory for the RedisMemoryHigh alert, read with `INFO memory` at scrape
 * time (at most once a second whatever the number of scrapers); -1 when Redis
 * does not answer.
 */
@Injectable()
export class RedisMetrics {
  constructor(metrics: MetricsService, redis: RedisService) {
    let reading: Promise<{ used: number; max: number }> | null = null;
    const read = () =>
      (reading ??= redis.client
        .info('memory')
        .then((info) => parseRedisMemory(info) ?? { used: -1, max: -1 }, () => ({ used: -1, max: -1 }))
        .finally(() => setTimeout(() => (reading = null), 1000).unref()));
    const registers = [metrics.registry];
    new Gauge({
      name: 'cti_redis_used_memory_bytes',
      help: 'Memory used by Redis (INFO memory used_memory); -1 when Redis does not answer',
      registers,
      async collect() {
        this.set((await read()).used);
      },
    });
    new Gauge({
      name: 'cti_redis_maxmemory_bytes',
      help: 'Redis maxmemory (0: no limit set); -1 when Redis does not answer',
      registers,
      async collect() {
        this.set((await read()).max);
      },
    });
  }
}
