import { Injectable } from '@nestjs/common';
import type { AppId } from '../common/app-id.js';
import { RedisService } from '../infra/redis/redis.service.js';

/**
 * How long a lead stays reserved without a disposition: longer than any call and
 * its wrap-up, short enough that an agent who never comes back does not hold the
 * lead for long (after it, the dial is abandoned and the number released).
 */
export const RESERVATION_TTL_MS = 60 * 60_000;

const RESERVE = `
local current = redis.call('HGET', KEYS[1], ARGV[1])
if current then
  local sep = string.find(current, '|', 1, true)
  local expires = tonumber(string.sub(current, sep + 1))
  if expires > tonumber(ARGV[3]) and string.sub(current, 1, sep - 1) ~= ARGV[2] then return 0 end
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2] .. '|' .. ARGV[4])
redis.call('PEXPIRE', KEYS[1], ARGV[5])
return 1`;

const RELEASE = `
local current = redis.call('HGET', KEYS[1], ARGV[1])
if current and string.sub(current, 1, string.len(ARGV[2]) + 1) == ARGV[2] .. '|' then
  return redis.call('HDEL', KEYS[1], ARGV[1])
end
return 0`;

/**
 * Row reservations per agent tab: two agents sharing a tab never get the same
 * lead. One hash per tab, `rowId → "<attempt id>|<expiry ms>"`; reserve and
 * release are atomic (Lua), release only by the attempt that holds it.
 */
@Injectable()
export class ReservationStore {
  constructor(private readonly redis: RedisService) {}

  private key(appId: AppId, spreadsheetId: string, tabId: string): string {
    return this.redis.key(`dialer:reserve:${appId}:${spreadsheetId}:${tabId}`);
  }

  /** Row ids reserved by others right now. */
  async reserved(appId: AppId, spreadsheetId: string, tabId: string, now = Date.now()): Promise<Set<string>> {
    const all = await this.redis.client.hgetall(this.key(appId, spreadsheetId, tabId));
    const rows = new Set<string>();
    for (const [rowId, value] of Object.entries(all)) if (Number(value.split('|')[1]) > now) rows.add(rowId);
    return rows;
  }

  async reserve(appId: AppId, spreadsheetId: string, tabId: string, rowId: string, attemptId: string, now = Date.now()): Promise<boolean> {
    const result = await this.redis.client.eval(
      RESERVE,
      1,
      this.key(appId, spreadsheetId, tabId),
      rowId,
      attemptId,
      String(now),
      String(now + RESERVATION_TTL_MS),
      String(RESERVATION_TTL_MS * 2),
    );
    return result === 1;
  }

  async release(appId: AppId, spreadsheetId: string, tabId: string, rowId: string, attemptId: string): Promise<void> {
    await this.redis.client.eval(RELEASE, 1, this.key(appId, spreadsheetId, tabId), rowId, attemptId);
  }
}
