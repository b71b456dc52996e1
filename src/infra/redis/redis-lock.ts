import { randomBytes } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { runDetached } from '../../common/run-detached.js';
import { RedisService } from './redis.service.js';

const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;
const RENEW = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end`;

export interface HeldLock {
  readonly key: string;
  readonly token: string;
  /** Releases the lock if it is still ours (compare-and-delete). */
  release(): Promise<boolean>;
  /** Stops renewing and lets the lock expire `ms` from now if it is still ours (released at once when ms ≤ 0). */
  keepFor(ms: number): Promise<boolean>;
}

/**
 * A Redis lock: `SET key token NX PX ttl`, renewed while held (every ttl/3), released
 * by compare-and-delete so a lock that expired and was taken by someone else is
 * never released by the old holder.
 */
@Injectable()
export class RedisLock {
  private readonly logger = new Logger(RedisLock.name);

  constructor(private readonly redis: RedisService) {}

  /** Tries once; null when someone else holds it. */
  async tryAcquire(resource: string, ttlMs = 5000): Promise<HeldLock | null> {
    const key = this.redis.key(`dialer:lock:${resource}`);
    const token = randomBytes(16).toString('hex');
    const ok = await this.redis.client.set(key, token, 'PX', ttlMs, 'NX');
    if (ok !== 'OK') return null;
    const client = this.redis.client;
    // a renewal that fails lets the lock expire while held: said in the log (the next one may succeed)
    const renewal = setInterval(() => {
      runDetached(client.eval(RENEW, 1, key, token, String(ttlMs)), this.logger, `renewing lock ${key}`);
    }, Math.max(Math.floor(ttlMs / 3), 50));
    renewal.unref();
    let released = false;
    return {
      key,
      token,
      release: async () => {
        if (released) return false;
        released = true;
        clearInterval(renewal);
        return (await client.eval(RELEASE, 1, key, token)) === 1;
      },
      keepFor: async (ms: number) => {
        if (released) return false;
        released = true;
        clearInterval(renewal);
        if (ms <= 0) return (await client.eval(RELEASE, 1, key, token)) === 1;
        return (await client.eval(RENEW, 1, key, token, String(Math.ceil(ms)))) === 1;
      },
    };
  }

  /** Runs `fn` holding the lock; null (fn not run) when the lock is taken. */
  async withLock<T>(resource: string, fn: () => Promise<T>, ttlMs = 5000): Promise<{ ok: true; value: T } | { ok: false }> {
    const lock = await this.tryAcquire(resource, ttlMs);
    if (!lock) return { ok: false };
    try {
      return { ok: true, value: await fn() };
    } finally {
      // not released: the lock expires after its ttl, the outcome of fn stands
      await lock.release().catch((err: unknown) => this.logger.warn(`could not release lock ${lock.key} (it expires in ${ttlMs} ms): ${(err as Error).message}`));
    }
  }
}
