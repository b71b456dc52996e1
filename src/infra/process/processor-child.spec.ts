import { ConfigError, parseConfig } from '../config/app-config.js';
import { nextRestart, processorInChild } from './processor-child.js';

const BASE = { INTERNAL_JWT_SECRET: 'x'.repeat(32), ENCRYPTION_KEY: '0'.repeat(64) };
const REDIS = { REDIS_URL: 'redis://127.0.0.1:6379' };

describe('where the event processor runs (EVENT_PROCESSOR_PROCESS)', () => {
  it('inline by default; auto: a child process on 2 CPUs or more with a shared Redis, else in the web process', () => {
    expect(parseConfig(BASE).EVENT_PROCESSOR_PROCESS).toBe('inline');
    expect(processorInChild(parseConfig({ ...BASE, ...REDIS }), 8)).toBe(false);
    const auto = { ...BASE, EVENT_PROCESSOR_PROCESS: 'auto' };
    expect(processorInChild(parseConfig({ ...auto, ...REDIS }), 2)).toBe(true);
    expect(processorInChild(parseConfig({ ...auto, REDIS_CLUSTER_NODES: '127.0.0.1:7000' }), 8)).toBe(true);
    expect(processorInChild(parseConfig({ ...auto, ...REDIS }), 1)).toBe(false);
    // no Redis: the in-process stand-in is this process's own; a child could not reach its sockets
    expect(processorInChild(parseConfig(auto), 8)).toBe(false);
  });

  it('child and inline as told; never when this node does not process events', () => {
    expect(processorInChild(parseConfig({ ...BASE, ...REDIS, EVENT_PROCESSOR_PROCESS: 'child' }), 1)).toBe(true);
    expect(processorInChild(parseConfig({ ...BASE, ...REDIS, EVENT_PROCESSOR_PROCESS: 'inline' }), 8)).toBe(false);
    expect(processorInChild(parseConfig({ ...BASE, ...REDIS, EVENT_PROCESSOR_ENABLED: 'false' }), 8)).toBe(false);
    expect(processorInChild(parseConfig({ ...BASE, ...REDIS, EVENT_PROCESSOR_ENABLED: 'false', EVENT_PROCESSOR_PROCESS: 'child' }), 8)).toBe(false);
  });

  it('refuses child without a shared Redis, and a value it does not know', () => {
    expect(() => parseConfig({ ...BASE, EVENT_PROCESSOR_PROCESS: 'child' })).toThrow(ConfigError);
    expect(() => parseConfig({ ...BASE, EVENT_PROCESSOR_PROCESS: 'child' })).toThrow(/EVENT_PROCESSOR_PROCESS.*shared Redis/);
    expect(() => parseConfig({ ...BASE, ...REDIS, EVENT_PROCESSOR_PROCESS: 'thread' })).toThrow(/EVENT_PROCESSOR_PROCESS/);
  });
});

describe('restarting a processor child that died (nextRestart)', () => {
  /** The delays of `lives` deaths in a row, each after living that long. */
  const delays = (lives: number[]) => {
    let quickDeaths = 0;
    return lives.map((lived) => {
      const next = nextRestart(quickDeaths, lived);
      quickDeaths = next.quickDeaths;
      return next.delayMs;
    });
  };

  it('restarts at once a child that lived a minute or more', () => {
    expect(delays([60_000, 3_600_000, 60_000])).toEqual([0, 0, 0]);
  });

  it('backs off a child that keeps dying young: 1 s, doubling, at most 30 s', () => {
    expect(delays(Array.from({ length: 8 }, () => 200))).toEqual([1000, 2000, 4000, 8000, 16_000, 30_000, 30_000, 30_000]);
    expect(delays([59_999])).toEqual([1000]);
  });

  it('forgets the young deaths once a child lives long enough', () => {
    expect(delays([100, 100, 100, 120_000, 100])).toEqual([1000, 2000, 4000, 0, 1000]);
  });
});
