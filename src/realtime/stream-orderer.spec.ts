import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import type { OutgoingEvent } from './connection-registry.js';
import { GAP_WAIT_MS, StreamOrderer } from './stream-orderer.js';

const APP = 'app-a';
const OTHER = 'app-b';

const ev = (seq: number): OutgoingEvent => ({ seq, frame: `{"seq":${seq}}`, dialpadUserId: null, crmUserId: null });
const evs = (...seqs: number[]) => seqs.map(ev);

/** A StreamOrderer with recording fakes; `stored` is what the database holds per app. */
function setup(opts: { listeners?: boolean; stored?: Record<string, number[]> } = {}) {
  const delivered: Record<string, number[]> = {};
  const batches: { appId: string; seqs: number[] }[] = [];
  const fetches: { appId: string; from: number; to: number }[] = [];
  const errors: unknown[] = [];
  const stored = opts.stored ?? {};
  let listeners = opts.listeners ?? true;
  let fetchImpl = async (appId: string, from: number, to: number): Promise<OutgoingEvent[]> =>
    (stored[appId] ?? []).filter((s) => s >= from && s <= to).map(ev);
  const orderer = new StreamOrderer(
    (appId, events) => {
      batches.push({ appId, seqs: events.map((e) => e.seq) });
      (delivered[appId] ??= []).push(...events.map((e) => e.seq));
    },
    (appId, from, to) => {
      fetches.push({ appId, from, to });
      return fetchImpl(appId, from, to);
    },
    () => listeners,
    (err) => errors.push(err),
  );
  return {
    orderer,
    delivered: (appId = APP) => delivered[appId] ?? [],
    batches,
    fetches,
    errors,
    setListeners: (v: boolean) => (listeners = v),
    setFetch: (f: typeof fetchImpl) => (fetchImpl = f),
    /** the app's stream starts at `first` (the first events a node sees wait GAP_WAIT_MS) */
    async start(first: number, appId = APP) {
      orderer.receive(appId, [ev(first)]);
      await jest.advanceTimersByTimeAsync(GAP_WAIT_MS);
    },
  };
}

describe('StreamOrderer', () => {
  beforeEach(() => {
    jest.useFakeTimers();
  });
  afterEach(() => {
    jest.useRealTimers();
  });

  it('passes an in-order stream straight through, batch by batch, without fetching', async () => {
    const o = setup();
    await o.start(1);
    expect(o.delivered()).toEqual([1]);
    o.orderer.receive(APP, evs(2));
    expect(o.delivered()).toEqual([1, 2]); // synchronously: no wait when nothing is missing
    o.orderer.receive(APP, evs(3, 4, 5));
    o.orderer.receive(APP, evs(6));
    expect(o.delivered()).toEqual([1, 2, 3, 4, 5, 6]);
    expect(o.batches.slice(1)).toEqual([
      { appId: APP, seqs: [2] },
      { appId: APP, seqs: [3, 4, 5] },
      { appId: APP, seqs: [6] },
    ]);
    await jest.advanceTimersByTimeAsync(GAP_WAIT_MS * 3);
    expect(o.fetches).toEqual([]);
    expect(o.delivered()).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('sorts an out-of-order batch', async () => {
    const o = setup();
    await o.start(1);
    o.orderer.receive(APP, evs(4, 2, 3));
    expect(o.delivered()).toEqual([1, 2, 3, 4]);
  });

  it('holds the first events it sees of an app for GAP_WAIT_MS: an earlier position that crossed them is not lost', async () => {
    const o = setup();
    o.orderer.receive(APP, evs(8, 9));
    await jest.advanceTimersByTimeAsync(GAP_WAIT_MS / 2);
    expect(o.delivered()).toEqual([]);
    o.orderer.receive(APP, evs(7)); // published by another node, arrived later
    await jest.advanceTimersByTimeAsync(GAP_WAIT_MS / 2);
    expect(o.delivered()).toEqual([7, 8, 9]);
    expect(o.fetches).toEqual([]); // where the stream starts on this node is unknown: nothing to fetch
    o.orderer.receive(APP, evs(10));
    expect(o.delivered()).toEqual([7, 8, 9, 10]);
  });

  it('holds an early position and releases it, in order, when the missing one arrives (no fetch)', async () => {
    const o = setup();
    await o.start(1);
    o.orderer.receive(APP, evs(3));
    o.orderer.receive(APP, evs(4));
    expect(o.delivered()).toEqual([1]);
    await jest.advanceTimersByTimeAsync(GAP_WAIT_MS - 10);
    expect(o.delivered()).toEqual([1]);
    o.orderer.receive(APP, evs(2));
    expect(o.delivered()).toEqual([1, 2, 3, 4]);
    expect(o.batches.at(-1)).toEqual({ appId: APP, seqs: [2, 3, 4] });
    await jest.advanceTimersByTimeAsync(GAP_WAIT_MS * 2);
    expect(o.fetches).toEqual([]);
    expect(o.delivered()).toEqual([1, 2, 3, 4]);
  });

  it('fills a gap from the database after GAP_WAIT_MS, then delivers in order', async () => {
    const o = setup({ stored: { [APP]: [1, 2, 3, 4, 5, 6, 7] } });
    await o.start(1);
    o.orderer.receive(APP, evs(5, 6));
    await jest.advanceTimersByTimeAsync(GAP_WAIT_MS - 1);
    expect(o.fetches).toEqual([]);
    await jest.advanceTimersByTimeAsync(1);
    expect(o.fetches).toEqual([{ appId: APP, from: 2, to: 4 }]);
    expect(o.delivered()).toEqual([1, 2, 3, 4, 5, 6]);
    // the live copies of the fetched positions, arriving late, are dropped
    o.orderer.receive(APP, evs(2, 3, 4, 7));
    expect(o.delivered()).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });

  it('fills several gaps one after the other', async () => {
    const o = setup({ stored: { [APP]: [1, 2, 3, 4, 5, 6, 7, 8] } });
    await o.start(1);
    o.orderer.receive(APP, evs(3, 6, 8));
    await jest.advanceTimersByTimeAsync(GAP_WAIT_MS);
    expect(o.delivered()).toEqual([1, 2, 3]);
    await jest.advanceTimersByTimeAsync(GAP_WAIT_MS);
    expect(o.delivered()).toEqual([1, 2, 3, 4, 5, 6]);
    await jest.advanceTimersByTimeAsync(GAP_WAIT_MS);
    expect(o.delivered()).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(o.fetches).toEqual([
      { appId: APP, from: 2, to: 2 },
      { appId: APP, from: 4, to: 5 },
      { appId: APP, from: 7, to: 7 },
    ]);
  });

  it('drops duplicates and positions already delivered', async () => {
    const o = setup();
    await o.start(1);
    o.orderer.receive(APP, evs(2, 3));
    o.orderer.receive(APP, evs(2, 3, 1)); // redelivered
    o.orderer.receive(APP, evs(5));
    o.orderer.receive(APP, evs(5)); // duplicate of a held one
    o.orderer.receive(APP, evs(4, 4));
    expect(o.delivered()).toEqual([1, 2, 3, 4, 5]);
    await jest.advanceTimersByTimeAsync(GAP_WAIT_MS * 2);
    expect(o.delivered()).toEqual([1, 2, 3, 4, 5]);
    expect(o.fetches).toEqual([]);
  });

  it('skips a gap the database cannot fill, and keeps delivering', async () => {
    const o = setup({ stored: { [APP]: [1, 2, 4, 5] } }); // 3 is nowhere
    await o.start(1);
    o.orderer.receive(APP, evs(2, 4, 5));
    expect(o.delivered()).toEqual([1, 2]);
    await jest.advanceTimersByTimeAsync(GAP_WAIT_MS);
    expect(o.fetches).toEqual([{ appId: APP, from: 3, to: 3 }]);
    expect(o.delivered()).toEqual([1, 2, 4, 5]);
    o.orderer.receive(APP, evs(3)); // too late: the stream has moved on
    o.orderer.receive(APP, evs(6));
    expect(o.delivered()).toEqual([1, 2, 4, 5, 6]);
    expect(o.errors).toEqual([]);
  });

  it('skips the gap when the fetch fails, reporting the error', async () => {
    const o = setup();
    await o.start(1);
    o.setFetch(() => Promise.reject(new Error('database down')));
    o.orderer.receive(APP, evs(3));
    await jest.advanceTimersByTimeAsync(GAP_WAIT_MS);
    expect(o.errors).toEqual([new Error('database down')]);
    expect(o.delivered()).toEqual([1, 3]);
    o.orderer.receive(APP, evs(4));
    expect(o.delivered()).toEqual([1, 3, 4]);
  });

  it('does not fetch when the app has no listeners on this node, and moves on after the wait', async () => {
    const o = setup({ listeners: false, stored: { [APP]: [1, 2, 3, 4] } });
    await o.start(1);
    o.orderer.receive(APP, evs(4));
    await jest.advanceTimersByTimeAsync(GAP_WAIT_MS * 2);
    expect(o.fetches).toEqual([]);
    expect(o.delivered()).toEqual([1, 4]);
    o.setListeners(true);
    o.orderer.receive(APP, evs(5));
    expect(o.delivered()).toEqual([1, 4, 5]);
  });

  it('a gap filled live while its fetch is in flight: the stream goes on (no stall)', async () => {
    const o = setup();
    await o.start(1);
    let answer!: (events: OutgoingEvent[]) => void;
    o.setFetch(() => new Promise((r) => (answer = r)));
    o.orderer.receive(APP, evs(3));
    await jest.advanceTimersByTimeAsync(GAP_WAIT_MS);
    expect(o.fetches).toEqual([{ appId: APP, from: 2, to: 2 }]);
    o.orderer.receive(APP, evs(2)); // the live copy wins the race
    expect(o.delivered()).toEqual([1, 2, 3]);
    o.orderer.receive(APP, evs(5)); // a new gap while the first fetch is still out: no second fetch yet
    await jest.advanceTimersByTimeAsync(GAP_WAIT_MS * 2);
    expect(o.fetches).toHaveLength(1);
    answer(evs(2));
    await jest.advanceTimersByTimeAsync(0);
    expect(o.delivered()).toEqual([1, 2, 3]); // 2 is not delivered twice
    o.setFetch(async () => evs(4));
    await jest.advanceTimersByTimeAsync(GAP_WAIT_MS);
    expect(o.fetches.at(-1)).toEqual({ appId: APP, from: 4, to: 4 });
    expect(o.delivered()).toEqual([1, 2, 3, 4, 5]);
    o.orderer.receive(APP, evs(6));
    expect(o.delivered()).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('a gap emptied by live events during the fetch leaves nothing to skip to', async () => {
    const o = setup();
    await o.start(1);
    let answer!: (events: OutgoingEvent[]) => void;
    o.setFetch(() => new Promise((r) => (answer = r)));
    o.orderer.receive(APP, evs(3));
    await jest.advanceTimersByTimeAsync(GAP_WAIT_MS);
    o.orderer.receive(APP, evs(2));
    answer([]);
    await jest.advanceTimersByTimeAsync(0);
    o.orderer.receive(APP, evs(4));
    expect(o.delivered()).toEqual([1, 2, 3, 4]);
  });

  it('keeps apps apart: a gap in one does not hold another', async () => {
    const o = setup({ stored: { [APP]: [1, 2, 3] } });
    await o.start(1, APP);
    await o.start(10, OTHER);
    o.orderer.receive(APP, evs(3));
    o.orderer.receive(OTHER, evs(11, 12));
    expect(o.delivered(OTHER)).toEqual([10, 11, 12]);
    expect(o.delivered(APP)).toEqual([1]);
    await jest.advanceTimersByTimeAsync(GAP_WAIT_MS);
    expect(o.fetches).toEqual([{ appId: APP, from: 2, to: 2 }]);
    expect(o.delivered(APP)).toEqual([1, 2, 3]);
  });

  it('close() stops the gap timers', async () => {
    const o = setup({ stored: { [APP]: [1, 2, 3] } });
    await o.start(1);
    o.orderer.receive(APP, evs(3));
    o.orderer.close();
    await jest.advanceTimersByTimeAsync(GAP_WAIT_MS * 3);
    expect(o.fetches).toEqual([]);
    expect(o.delivered()).toEqual([1]);
  });
});
