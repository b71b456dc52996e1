import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { runDetached } from '../../common/run-detached.js';
import { type HeldLock, RedisLock } from '../../infra/redis/redis-lock.js';
import { RedisService } from '../../infra/redis/redis.service.js';

/** A tab as Google returned it: its cells, its title then, and when the read started (epoch ms). */
export interface TabRead {
  readonly title: string;
  readonly values: unknown[][];
  readonly readAt: number;
}

/** How long one node may read a tab for the others before they stop waiting and read it themselves. */
const LEASE_MS = 10_000;
/** Waiters look at the shared copy this often too (a notification can be missed across a reconnect). */
const POLL_MS = 250;
/** A shared copy outlives any decision that could use it (the reader's staleness bound), a minute at least. */
const MIN_KEEP_MS = 60_000;
const CHANNEL = 'sheets:tab-read';
/** How long a tab's "rows moved at" mark is kept: far longer than any copy is used for positions. */
const MOVED_KEEP_MS = 10 * 60_000;

interface Waiter {
  notBefore: number;
  wake: () => void;
}

/**
 * One read of an agent tab for every node (single-flight across nodes): the
 * latest read any node made of a tab — a decision's refresh or a flush's read
 * before writing — is kept in Redis with the time it started, and a node whose
 * cached copy expired takes that copy when it is recent enough instead of
 * spending a request of the Google user's read quota. When none is, one node
 * takes a lease and reads; the others wait for its copy (notified on a
 * channel), and read themselves only if it fails or the lease runs out. Redis
 * out of reach: every node reads for itself, as without sharing.
 *
 * A copy carries its read time, so the gateway still puts on top every write
 * queued or applied since (the outbox's `notYetRead`), whichever node made it.
 */
@Injectable()
export class SharedTabReads implements OnModuleInit {
  private readonly logger = new Logger('SheetsSharedReads');
  private readonly waiters = new Map<string, Set<Waiter>>();

  constructor(
    private readonly redis: RedisService,
    private readonly locks: RedisLock,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.redis.subscribe(CHANNEL, (message) => {
      const split = message.lastIndexOf('\u0000');
      const key = message.slice(0, split);
      const readAt = Number(message.slice(split + 1));
      for (const w of this.waiters.get(key) ?? []) if (readAt >= w.notBefore) w.wake();
    });
  }

  /**
   * A read of the tab that started at `notBefore` or later: another node's if
   * there is one (or one is on its way), else `readFromGoogle`'s, which is then
   * offered to the others.
   */
  async read(spreadsheetId: string, sheetId: number, notBefore: number, keepMs: number, readFromGoogle: () => Promise<TabRead>): Promise<TabRead> {
    const key = tabKey(spreadsheetId, sheetId);
    const deadline = Date.now() + LEASE_MS;
    let lease: HeldLock | null = null;
    try {
      for (;;) {
        const shared = await this.recent(key, notBefore);
        if (shared) return shared;
        lease = await this.locks.tryAcquire(`sheets-read:${key}`, LEASE_MS);
        if (lease) {
          // someone may have offered a copy between our look and the lease
          const justOffered = await this.recent(key, notBefore);
          if (!justOffered) break;
          this.release(lease, key);
          return justOffered;
        }
        if (Date.now() >= deadline) break;
        await this.waitForOffer(key, notBefore, Math.min(POLL_MS, deadline - Date.now()));
      }
    } catch (err) {
      this.logger.warn(`shared tab reads unavailable, reading ${key} alone: ${(err as Error).message}`);
    }
    try {
      const read = await readFromGoogle();
      await this.offer(spreadsheetId, sheetId, read, keepMs);
      return read;
    } finally {
      if (lease) this.release(lease, key);
    }
  }

  /**
   * Tells every node that the tab's rows or columns moved (a write's echo showed it) at `at`: a copy of the
   * tab read before then gives no row positions to a flush, whichever node holds it. Best effort.
   */
  async markMoved(spreadsheetId: string, sheetId: number, at = Date.now()): Promise<void> {
    try {
      await this.redis.client.set(this.movedKey(spreadsheetId, sheetId), String(at), 'PX', MOVED_KEEP_MS);
    } catch (err) {
      this.logger.warn(`could not tell the other nodes that ${tabKey(spreadsheetId, sheetId)} moved: ${(err as Error).message}`);
    }
  }

  /** When each tab's rows last moved, as far as any node saw (epoch ms, 0: not lately); all 0 without Redis. */
  async movedAt(spreadsheetId: string, sheetIds: readonly number[]): Promise<Map<number, number>> {
    const out = new Map(sheetIds.map((id) => [id, 0]));
    if (sheetIds.length === 0) return out;
    try {
      // one slot: the spreadsheet is the keys' hash tag
      const values = await this.redis.client.mget(...sheetIds.map((id) => this.movedKey(spreadsheetId, id)));
      sheetIds.forEach((id, i) => out.set(id, Number(values[i] ?? 0)));
    } catch (err) {
      this.logger.warn(`could not ask whether the tabs of ${spreadsheetId} moved: ${(err as Error).message}`);
    }
    return out;
  }

  private movedKey(spreadsheetId: string, sheetId: number): string {
    return this.redis.key(`sheets:moved:${tabKey(spreadsheetId, sheetId)}`);
  }

  /** Makes a read of the tab available to every node (kept if no newer one is there). Best effort. */
  async offer(spreadsheetId: string, sheetId: number, read: TabRead, keepMs: number): Promise<void> {
    const key = tabKey(spreadsheetId, sheetId);
    try {
      const stored = await this.redis.client.eval(
        OFFER,
        1,
        this.redis.key(`sheets:tab:${key}`),
        String(read.readAt),
        read.title,
        JSON.stringify(read.values),
        String(Math.max(keepMs, MIN_KEEP_MS)),
      );
      if (stored === 1) await this.redis.publish(CHANNEL, `${key}\u0000${read.readAt}`);
    } catch (err) {
      this.logger.warn(`could not share the read of ${key}: ${(err as Error).message}`);
    }
  }

  private release(lease: HeldLock, key: string): void {
    runDetached(lease.release(), this.logger, `releasing the read lease of ${key}`);
  }

  /** The shared copy if it was read at `notBefore` or later: one round trip, and its cells only when they are wanted. */
  private async recent(key: string, notBefore: number): Promise<TabRead | null> {
    const found = (await this.redis.client.eval(RECENT, 1, this.redis.key(`sheets:tab:${key}`), String(notBefore))) as (string | null)[] | null;
    const [readAt, title, values] = found ?? [];
    if (readAt == null || title == null || values == null) return null;
    return { readAt: Number(readAt), title, values: JSON.parse(values) as unknown[][] };
  }

  private waitForOffer(key: string, notBefore: number, ms: number): Promise<void> {
    return new Promise((resolve) => {
      const set = this.waiters.get(key) ?? new Set<Waiter>();
      this.waiters.set(key, set);
      const waiter: Waiter = {
        notBefore,
        wake: () => {
          clearTimeout(timer);
          set.delete(waiter);
          if (set.size === 0 && this.waiters.get(key) === set) this.waiters.delete(key);
          resolve();
        },
      };
      const timer = setTimeout(() => waiter.wake(), Math.max(ms, 1));
      set.add(waiter);
    });
  }
}

/** Stores the read unless a newer one is already there (a slow read must not replace a fresher copy). */
const OFFER = `
local current = tonumber(redis.call('hget', KEYS[1], 'readAt'))
if current and current > tonumber(ARGV[1]) then return 0 end
redis.call('hset', KEYS[1], 'readAt', ARGV[1], 'title', ARGV[2], 'values', ARGV[3])
redis.call('pexpire', KEYS[1], ARGV[4])
return 1`;

/** The copy's read time, title and cells when it was read at ARGV[1] or later; nil otherwise (nothing sent). */
const RECENT = `
local at = tonumber(redis.call('hget', KEYS[1], 'readAt'))
if not at or at < tonumber(ARGV[1]) then return nil end
return redis.call('hmget', KEYS[1], 'readAt', 'title', 'values')`;

/** One tab's name in Redis: the spreadsheet as a hash tag (a cluster keeps a spreadsheet's keys in one slot). */
function tabKey(spreadsheetId: string, sheetId: number): string {
  return `{${spreadsheetId}}:${sheetId}`;
}
