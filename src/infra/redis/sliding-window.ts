import { randomBytes } from 'node:crypto';
import type { RedisClient } from '../../infra/redis/redis.service.js';

/** `limit` events per `windowMs`, counted over a sliding window (not fixed buckets: no double burst at an edge). */
export interface WindowRule {
  limit: number;
  windowMs: number;
}

export type WindowDecision = { allowed: true; count: number } | { allowed: false; count: number; retryAfterMs: number };

/**
 * A sliding-window log in one sorted set per key: members are events, scores
 * their time. Atomic in Redis, so every node shares one count. An event refused
 * is not recorded (asking again does not push the window out).
 */
const SLIDING_WINDOW_LUA = `
local key = KEYS[1]
local now = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local limit = tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
local count = redis.call('ZCARD', key)
if count < limit then
  redis.call('ZADD', key, now, ARGV[4])
  redis.call('PEXPIRE', key, window)
  return {1, count + 1, 0}
end
local oldest = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
return {0, count, tonumber(oldest[2])}
`;

/**
 * When a full window frees its next slot: the oldest event leaves the window
 * `windowMs` after it happened. At least 1 ms, so "retry after" is never "now".
 */
export function retryAfterMs(oldestEventMs: number, nowMs: number, windowMs: number): number {
  return Math.max(1, oldestEventMs + windowMs - nowMs);
}

/** Reads the script's `{allowed, count, oldest}` reply. */
export function decide(reply: unknown, nowMs: number, rule: WindowRule): WindowDecision {
  const [allowed, count, oldest] = (Array.isArray(reply) ? reply : []).map(Number);
  if (allowed === 1) return { allowed: true, count: count ?? 0 };
  return { allowed: false, count: count ?? rule.limit, retryAfterMs: retryAfterMs(oldest ?? nowMs, nowMs, rule.windowMs) };
}

export async function takeSlot(redis: RedisClient, key: string, rule: WindowRule, nowMs: number = Date.now()): Promise<WindowDecision> {
  const member = `${nowMs}:${randomBytes(6).toString('hex')}`;
  const reply = await redis.eval(SLIDING_WINDOW_LUA, 1, key, nowMs, rule.windowMs, rule.limit, member);
  return decide(reply, nowMs, rule);
}
