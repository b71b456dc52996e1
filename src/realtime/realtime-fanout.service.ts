import { randomUUID } from 'node:crypto';
import type { AppId } from '../common/app-id.js';
import { Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { Counter, Gauge } from 'prom-client';
import { ProcessedEvent, ProcessedEventsBus } from '../events/processed-events.bus.js';
import { MetricsService } from '../infra/metrics/metrics.service.js';
import { RedisService } from '../infra/redis/redis.service.js';
import { Connection, ConnectionRegistry, OutgoingEvent } from './connection-registry.js';
import type { EventMessage } from '../events/event-message.js';
import { ReplayRepository } from './replay.repository.js';
import { StreamOrderer } from './stream-orderer.js';

const CHANNEL = 'rt:events';

interface Envelope {
  node: string;
  apps: { appId: AppId; events: OutgoingEvent[] }[];
}

/**
 * Every processed event goes to this node's sockets at once and to the other
 * nodes through Redis pub/sub (a node ignores its own envelopes when they come
 * back); each node delivers to its own sockets in each app's stream order
 * (StreamOrderer), so each socket gets each event once. If Redis cannot take
 * the publish, other nodes' clients catch up with `?since=`, or when the next
 * event reveals the gap.
 */
@Injectable()
export class RealtimeFanout implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(RealtimeFanout.name);
  private readonly node = randomUUID();
  /** How every envelope this node publishes begins (`node` is serialised first): its own come back and are not parsed. */
  private readonly ownPrefix = `{"node":${JSON.stringify(this.node)},`;
  private readonly sent: Counter;
  private readonly orderer: StreamOrderer;
  private unsubscribe: (() => void) | null = null;

  constructor(
    private readonly bus: ProcessedEventsBus,
    private readonly redis: RedisService,
    private readonly registry: ConnectionRegistry,
    private readonly replays: ReplayRepository,
    metrics: MetricsService,
  ) {
    // the orderer keys its streams by the app ids this service gives it (ProcessedEvent.appId, or the envelope's): AppIds
    this.orderer = new StreamOrderer(
      (appId, events) => this.sent.inc(this.registry.deliver(appId as AppId, events)),
      async (appId, from, to) => (await this.replays.range(appId as AppId, from, to)).map(toOutgoing),
      (appId) => this.registry.room(appId as AppId).size > 0,
      (err) => this.logger.warn(`could not fill a stream gap: ${(err as Error).message}`),
    );
    this.sent = new Counter({ name: 'cti_ws_messages_sent_total', help: 'Event frames sent to WebSocket clients', registers: [metrics.registry] });
    new Gauge({
      name: 'cti_ws_connections',
      help: 'Open WebSocket connections on this node, per app',
      labelNames: ['app_id'],
      registers: [metrics.registry],
      collect() {
        this.reset();
        for (const [appId, n] of registry.countsByApp()) this.set({ app_id: appId }, n);
      },
    });
  }

  async onModuleInit(): Promise<void> {
    this.unsubscribe = this.bus.subscribe((events) => void this.publish(events));
    await this.redis.subscribe(CHANNEL, (message) => this.onMessage(message));
  }

  onModuleDestroy(): void {
    this.unsubscribe?.();
    this.orderer.close();
  }

  private async publish(events: ProcessedEvent[]): Promise<void> {
    const byApp = new Map<AppId, OutgoingEvent[]>();
    for (const e of events) {
      if (!e.messageJson || e.streamSeq === null) continue;
      const list = byApp.get(e.appId) ?? [];
      // the targets travel with the frame: no parse of what was just serialised
      list.push(e.messageTargets ? { seq: e.streamSeq, frame: e.messageJson, ...e.messageTargets } : toOutgoing({ seq: e.streamSeq, frame: e.messageJson }));
      byApp.set(e.appId, list);
    }
    if (byApp.size === 0) return;
    // `node` first: onMessage recognises its own envelopes by their start (ownPrefix)
    const envelope: Envelope = { node: this.node, apps: [...byApp].map(([appId, list]) => ({ appId, events: list })) };
    // this node's sockets without the round trip through Redis (a screen pop's last milliseconds)
    this.deliver(envelope);
    try {
      await this.redis.publish(CHANNEL, JSON.stringify(envelope));
    } catch (err) {
      this.logger.warn(`Redis publish failed (${(err as Error).message}): delivered to this node's sockets only`);
    }
  }

  private onMessage(raw: string): void {
    // delivered when it was published: a whole batch's frames, not parsed a second time
    if (raw.startsWith(this.ownPrefix)) return;
    let envelope: Envelope;
    try {
      envelope = JSON.parse(raw) as Envelope;
    } catch {
      this.logger.warn('ignoring a malformed fan-out message');
      return;
    }
    this.deliver(envelope);
  }

  private deliver(envelope: Envelope): void {
    for (const { appId, events } of envelope.apps) this.orderer.receive(appId, events);
  }

  /** Resume: replays the app's events after `since` from PostgreSQL, then releases the live ones held meanwhile. */
  async replay(conn: Connection, since: number): Promise<void> {
    try {
      const replayed = (await this.replays.after(conn.context.appId, since)).map(toOutgoing);
      // no await from here on: nothing can interleave. Replayed events first, then the live
      // ones held meanwhile (those the replay already covered are skipped by position)
      conn.replaying = false;
      let sent = 0;
      for (const e of replayed) if (conn.offer(e)) sent++;
      sent += conn.finishReplay();
      this.sent.inc(sent);
      conn.sendControl({ type: 'resumed', since, replayed: replayed.filter((e) => conn.wants(e)).length });
    } catch (err) {
      this.logger.error(`replay for app ${conn.context.appId} failed: ${(err as Error).message}`);
      conn.finishReplay();
      conn.sendControl({ type: 'error', error: 'replay_failed', message: 'could not replay missed events; reconnect with ?since= later' });
    }
  }
}

function toOutgoing(r: { seq: number; frame: string }): OutgoingEvent {
  const message = JSON.parse(r.frame) as EventMessage;
  return { seq: r.seq, frame: r.frame, dialpadUserId: message.user_id, crmUserId: message.target_crm_user ?? null };
}
