import { createRequire } from 'node:module';
import type { Redis } from 'ioredis';
import { decide, retryAfterMs, takeSlot } from './sliding-window.js';

// the Lua script runs on ioredis-mock's embedded Lua here; the e2e tests run it on a real Redis
const RedisMock = createRequire(import.meta.url)('ioredis-mock') as new () => Redis;

describe('sliding window limiter', () => {
  let redis: Redis;
  beforeEach(() => {
    redis = new RedisMock();
  });
  afterEach(async () => {
    await redis.flushall();
    redis.disconnect();
  });

  it('computes the wait from the oldest event in the window', () => {
    expect(retryAfterMs(1_000, 31_000, 60_000)).toBe(30_000);
    expect(retryAfterMs(1_000, 61_000, 60_000)).toBe(1);
    expect(decide([0, 5, 1_000], 31_000, { limit: 5, windowMs: 60_000 })).toEqual({ allowed: false, count: 5, retryAfterMs: 30_000 });
    expect(decide([1, 3, 0], 31_000, { limit: 5, windowMs: 60_000 })).toEqual({ allowed: true, count: 3 });
  });

  it('allows 5 per minute, refuses the 6th with the wait, and frees a slot as the window slides', async () => {
    const rule = { limit: 5, windowMs: 60_000 };
    const t0 = 1_700_000_000_000;
    for (let i = 0; i < 5; i++) expect((await takeSlot(redis, 'k', rule, t0 + i * 1000)).allowed).toBe(true);
    const sixth = await takeSlot(redis, 'k', rule, t0 + 10_000);
    expect(sixth).toEqual({ allowed: false, count: 5, retryAfterMs: 50_000 });
    // a refusal does not count: still 50 s to wait, not pushed further
    expect(await takeSlot(redis, 'k', rule, t0 + 10_000)).toMatchObject({ allowed: false, retryAfterMs: 50_000 });
    // the first event leaves the window at t0 + 60 s
    expect((await takeSlot(redis, 'k', rule, t0 + 59_999)).allowed).toBe(false);
    expect((await takeSlot(redis, 'k', rule, t0 + 60_000)).allowed).toBe(true);
    expect((await takeSlot(redis, 'k', rule, t0 + 60_001)).allowed).toBe(false);
  });

  it('keeps keys apart', async () => {
    const rule = { limit: 1, windowMs: 1000 };
    expect((await takeSlot(redis, 'a', rule, 5000)).allowed).toBe(true);
    expect((await takeSlot(redis, 'b', rule, 5000)).allowed).toBe(true);
    expect((await takeSlot(redis, 'a', rule, 5001)).allowed).toBe(false);
  });
});
