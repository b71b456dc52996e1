import { createRequire } from 'node:module';
import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { Cluster, Redis } from 'ioredis';
import { AppConfig } from '../config/app-config.js';

type MessageHandler = (message: string) => void;

/** One Redis or a Redis Cluster: the commands this service uses are the same on both. */
export type RedisClient = Redis | Cluster;

/**
 * The shared Redis connections: `client` for commands, a dedicated subscriber
 * for pub/sub (a subscribed connection can run nothing else). REDIS_URL is one
 * Redis; REDIS_CLUSTER_NODES a Redis Cluster (pub/sub is cluster-wide; keys used
 * in one command or transaction share a `{hash tag}`). With neither, an
 * in-process stand-in (ioredis-mock) is used: single node only.
 */
@Injectable()
export class RedisService implements OnApplicationShutdown {
  private readonly logger = new Logger(RedisService.name);
  readonly client: RedisClient;
  private readonly subscriber: RedisClient;
  private readonly handlers = new Map<string, Set<MessageHandler>>();
  private readonly prefix: string;

  constructor(config: AppConfig) {
    this.prefix = config.REDIS_KEY_PREFIX;
    const options = { maxRetriesPerRequest: 2, enableOfflineQueue: true, lazyConnect: false };
    if (config.REDIS_CLUSTER_NODES) {
      const nodes = config.REDIS_CLUSTER_NODES.split(',').map((hostPort) => {
        const at = hostPort.lastIndexOf(':');
        return { host: hostPort.slice(0, at), port: Number(hostPort.slice(at + 1)) };
      });
      this.client = new Cluster(nodes, { redisOptions: { ...options, connectionName: 'turbo-cti' } });
      this.subscriber = new Cluster(nodes, { redisOptions: { ...options, connectionName: 'turbo-cti-sub' } });
    } else if (config.REDIS_URL) {
      this.client = new Redis(config.REDIS_URL, { ...options, connectionName: 'turbo-cti' });
      this.subscriber = new Redis(config.REDIS_URL, { ...options, connectionName: 'turbo-cti-sub' });
    } else {
      this.logger.warn(
        'REDIS_URL is not set: using an in-process Redis stand-in. SINGLE NODE ONLY — locks, caches and ' +
          'WebSocket fan-out do not cross processes. Set REDIS_URL in production.',
      );
      this.client = createMockRedis();
      this.subscriber = this.client.duplicate();
    }
    for (const conn of [this.client, this.subscriber]) {
      conn.on('error', (err: Error) => this.logger.error(`redis: ${err.message}`));
    }
    this.subscriber.on('message', (channel: string, message: string) => {
      for (const handler of this.handlers.get(channel) ?? []) {
        try {
          handler(message);
        } catch (err) {
          this.logger.error(`handler for ${channel} failed: ${(err as Error).message}`);
        }
      }
    });
  }

  /** A key in this deployment's namespace. Use for every key and channel. */
  key(name: string): string {
    return this.prefix + name;
  }

  /** Subscribes to `channel` (namespaced with the key prefix). */
  async subscribe(name: string, handler: MessageHandler): Promise<void> {
    const channel = this.key(name);
    let set = this.handlers.get(channel);
    if (!set) {
      set = new Set();
      this.handlers.set(channel, set);
      await this.subscriber.subscribe(channel);
    }
    set.add(handler);
  }

  /** Publishes on `channel` (namespaced with the key prefix). */
  async publish(name: string, message: string): Promise<void> {
    await this.client.publish(this.key(name), message);
  }

  async ping(): Promise<boolean> {
    return (await this.client.ping()) === 'PONG';
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.allSettled([this.subscriber.quit(), this.client.quit()]);
  }
}

function createMockRedis(): Redis {
  // loaded lazily (a CommonJS package): production never needs the stand-in
  const RedisMock = createRequire(import.meta.url)('ioredis-mock') as new () => Redis;
  return new RedisMock();
}
