import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { type AppConfig, ConfigError, parseConfig } from '../infra/config/app-config.js';
import { IngestPressure } from './ingest-pressure.js';

const config = (queue = 16, maxDeferMs = 1000) => ({ EVENT_INGEST_PRIORITY_QUEUE: queue, EVENT_INGEST_PRIORITY_MAX_DEFER_MS: maxDeferMs }) as AppConfig;

/**
 * A closed loop like a saturating burst: `connections` requests always out; every `commitMs` the micro-batch
 * commits and all of them settle, and each connection sends its next at once. From `from` for `ms`.
 */
function burst(p: IngestPressure, connections: number, commitMs: number, from: number, ms: number): number {
  let t = from;
  for (let i = 0; i < connections; i++) p.arrived(t);
  for (; t < from + ms; t += commitMs) {
    for (let i = 0; i < connections; i++) p.settled(t);
    for (let i = 0; i < connections; i++) p.arrived(t);
  }
  return t;
}

describe('IngestPressure', () => {
  afterEach(() => {
    jest.useRealTimers();
  });

  it('is zero and not pressing before any webhook', () => {
    const p = new IngestPressure(config());
    expect(p.congestion(1_000)).toBe(0);
    expect(p.pressing(1_000)).toBe(false);
  });

  it('does not press at ordinary rates: webhooks one at a time, each committed in 2 ms, 50 ms apart', () => {
    const p = new IngestPressure(config());
    let max = 0;
    for (let t = 1_000; t < 3_000; t += 50) {
      p.arrived(t);
      p.settled(t + 2);
      max = Math.max(max, p.congestion(t + 2));
    }
    expect(max).toBeLessThan(1);
    expect(p.pressing(3_000)).toBe(false);
  });

  it('presses under a burst that keeps 50 requests waiting, although each commit empties the queue', () => {
    const p = new IngestPressure(config());
    const end = burst(p, 50, 5, 1_000, 500);
    // right after a commit, when nobody waits: the average still says the requests keep queuing
    for (let i = 0; i < 50; i++) p.settled(end);
    expect(p.congestion(end + 1)).toBeGreaterThan(40);
    expect(p.pressing(end + 1)).toBe(true);
  });

  it('stops pressing within a few tenths of a second after the burst ends', () => {
    const p = new IngestPressure(config());
    const end = burst(p, 50, 5, 1_000, 500);
    for (let i = 0; i < 50; i++) p.settled(end);
    expect(p.pressing(end + 50)).toBe(true);
    expect(p.pressing(end + 300)).toBe(false);
  });

  it('never presses when EVENT_INGEST_PRIORITY_QUEUE is 0', () => {
    const p = new IngestPressure(config(0));
    const end = burst(p, 50, 5, 1_000, 500);
    expect(p.congestion(end)).toBeGreaterThan(40);
    expect(p.pressing(end)).toBe(false);
  });

  it('counts a refused or failed store as settled, never below zero', () => {
    const p = new IngestPressure(config(1));
    p.settled(1_000);
    p.arrived(1_000);
    p.settled(1_001);
    p.settled(1_001);
    expect(p.congestion(5_000)).toBeLessThan(0.01);
  });

  it('deferred() resolves at once with 0 when webhooks do not press', async () => {
    const p = new IngestPressure(config());
    await expect(p.deferred()).resolves.toBe(0);
  });

  it('deferred() waits while they press, and no longer than EVENT_INGEST_PRIORITY_MAX_DEFER_MS', async () => {
    jest.useFakeTimers({ now: 1_000_000 });
    const p = new IngestPressure(config(16, 200));
    // 50 requests that never commit (a database stalled): the pressure holds
    for (let i = 0; i < 50; i++) p.arrived(Date.now() - 1_000);
    const deferred = p.deferred();
    await jest.advanceTimersByTimeAsync(150);
    let settled: number | undefined;
    void deferred.then((ms) => (settled = ms));
    await jest.advanceTimersByTimeAsync(0);
    expect(settled).toBeUndefined();
    await jest.advanceTimersByTimeAsync(60);
    expect(settled).toBeGreaterThanOrEqual(200);
    expect(settled).toBeLessThan(220);
  });

  it('deferred() ends early when the burst ends', async () => {
    jest.useFakeTimers({ now: 1_000_000 });
    const p = new IngestPressure(config(16, 5_000));
    const end = burst(p, 50, 5, Date.now() - 500, 500);
    const deferred = p.deferred();
    for (let i = 0; i < 50; i++) p.settled(end);
    await jest.advanceTimersByTimeAsync(1_000);
    const ms = await deferred;
    expect(ms).toBeGreaterThan(0);
    expect(ms).toBeLessThan(500);
  });

  it('watch(): tells a listener when webhooks start pressing and, within about 10 ms, when they stop', async () => {
    jest.useFakeTimers({ now: 1_000_000 });
    const p = new IngestPressure(config());
    const seen: boolean[] = [];
    const unwatch = p.watch((pressing) => seen.push(pressing));
    const end = burst(p, 50, 5, Date.now(), 300);
    jest.setSystemTime(end);
    expect(seen).toEqual([true]);
    for (let i = 0; i < 50; i++) p.settled(end);
    await jest.advanceTimersByTimeAsync(100);
    expect(seen).toEqual([true]);
    await jest.advanceTimersByTimeAsync(400);
    expect(seen).toEqual([true, false]);
    unwatch();
    burst(p, 50, 5, Date.now(), 300);
    expect(seen).toEqual([true, false]);
  });

  it('pressedByParent(): a processor child defers while its web process says webhooks press', () => {
    const p = new IngestPressure(config());
    expect(p.pressing()).toBe(false);
    p.pressedByParent(true);
    expect(p.pressing()).toBe(true);
    p.pressedByParent(false);
    expect(p.pressing()).toBe(false);
  });

  it('its settings: defaults, and values the node refuses to start with', () => {
    const base = { INTERNAL_JWT_SECRET: 'x'.repeat(32), ENCRYPTION_KEY: '0'.repeat(64) };
    const parsed = parseConfig(base);
    expect([parsed.EVENT_INGEST_PRIORITY_QUEUE, parsed.EVENT_INGEST_PRIORITY_MAX_DEFER_MS, parsed.EVENT_INGEST_PRIORITY_MAX_LAG_MS]).toEqual([16, 1000, 10_000]);
    expect(parseConfig({ ...base, EVENT_INGEST_PRIORITY_QUEUE: '0' }).EVENT_INGEST_PRIORITY_QUEUE).toBe(0);
    for (const [name, value] of [
      ['EVENT_INGEST_PRIORITY_QUEUE', '-1'],
      ['EVENT_INGEST_PRIORITY_QUEUE', 'many'],
      ['EVENT_INGEST_PRIORITY_MAX_DEFER_MS', '5'],
      ['EVENT_INGEST_PRIORITY_MAX_DEFER_MS', '1.5'],
      ['EVENT_INGEST_PRIORITY_MAX_LAG_MS', '-1'],
    ] as const) {
      expect(() => parseConfig({ ...base, [name]: value })).toThrow(ConfigError);
      expect(() => parseConfig({ ...base, [name]: value })).toThrow(new RegExp(name));
    }
  });
});
