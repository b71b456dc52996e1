import { describe, expect, it, jest } from '@jest/globals';
import { Registry } from 'prom-client';
import { asAppId } from '../common/app-id.js';
import { ProcessedEvent, ProcessedEventsBus } from '../events/processed-events.bus.js';
import type { MetricsService } from '../infra/metrics/metrics.service.js';
import type { RedisService } from '../infra/redis/redis.service.js';
import type { ConnectionRegistry, OutgoingEvent } from './connection-registry.js';
import { RealtimeFanout } from './realtime-fanout.service.js';
import { GAP_WAIT_MS } from './stream-orderer.js';
import type { ReplayRepository } from './replay.repository.js';

const APP = asAppId('00000000-0000-4000-8000-000000000001');
/** the first events a node sees of an app wait GAP_WAIT_MS before they go out (StreamOrderer) */
const settled = () => new Promise((r) => setTimeout(r, GAP_WAIT_MS + 50));

function processed(seq: number): ProcessedEvent {
  return {
    eventId: String(seq),
    appId: APP,
    eventType: 'call.ring',
    call: null,
    voicemail: null,
    sms: null,
    agentStatus: null,
    contactEvent: null,
    occurredAt: new Date(0),
    streamSeq: seq,
    messageJson: JSON.stringify({ type: 'call.ringing', seq }),
    messageTargets: { dialpadUserId: null, crmUserId: null },
  };
}

/** One node's fan-out over a Redis that hands every publish back to the node's own subscription, as pub/sub does. */
async function node() {
  const bus = new ProcessedEventsBus();
  let onMessage: (message: string) => void = () => undefined;
  const published: string[] = [];
  const redis = {
    subscribe: async (_channel: string, fn: (message: string) => void) => {
      onMessage = fn;
    },
    publish: async (_channel: string, message: string) => {
      published.push(message);
    },
  };
  const delivered: number[] = [];
  const registry = {
    deliver: jest.fn((_app: string, events: OutgoingEvent[]) => {
      delivered.push(...events.map((e) => e.seq));
      return events.length;
    }),
    room: () => new Set([{}]),
    countsByApp: () => new Map(),
  };
  const fanout = new RealtimeFanout(
    bus,
    redis as unknown as RedisService,
    registry as unknown as ConnectionRegistry,
    { range: async () => [], after: async () => [] } as unknown as ReplayRepository,
    { registry: new Registry() } as unknown as MetricsService,
  );
  await fanout.onModuleInit();
  return { bus, published, delivered, receive: (message: string) => onMessage(message), close: () => fanout.onModuleDestroy() };
}

describe('RealtimeFanout', () => {
  it("delivers a batch to this node's sockets once: its own envelope, back from Redis, is recognised without being parsed", async () => {
    const a = await node();
    a.bus.publish([processed(1), processed(2)]);
    await settled();
    expect(a.delivered).toEqual([1, 2]);
    expect(a.published).toHaveLength(1);

    const parse = jest.spyOn(JSON, 'parse');
    try {
      a.receive(a.published[0]!);
      expect(parse).not.toHaveBeenCalled();
      a.bus.publish([processed(3)]);
      a.receive(a.published[1]!);
      expect(parse).not.toHaveBeenCalled();
    } finally {
      parse.mockRestore();
    }
    await settled();
    expect(a.delivered).toEqual([1, 2, 3]);
    a.close();
  });

  it("delivers another node's envelope to this node's sockets, in stream order", async () => {
    const a = await node();
    const b = await node();
    b.bus.publish([processed(1)]);
    a.receive(b.published[0]!);
    await settled();
    expect(a.delivered).toEqual([1]);
    // and a malformed message is ignored, not thrown
    expect(() => a.receive('{"node":')).not.toThrow();
    expect(a.delivered).toEqual([1]);
    a.close();
    b.close();
  });
});
