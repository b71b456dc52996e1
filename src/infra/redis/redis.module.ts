import { Global, Module } from '@nestjs/common';
import { RedisLock } from './redis-lock.js';
import { RedisMetrics } from './redis-metrics.js';
import { RedisService } from './redis.service.js';

@Global()
@Module({ providers: [RedisService, RedisLock, RedisMetrics], exports: [RedisService, RedisLock] })
export class RedisModule {}
