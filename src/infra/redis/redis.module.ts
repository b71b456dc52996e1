import { Global, Module } from '@nestjs/common';
import { RedisLock } from './redis-lock.js';
import { RedisService } from './redis.service.js';

@Global()
@Module({ providers: [RedisService, RedisLock], exports: [RedisService, RedisLock] })
export class RedisModule {}
