import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import type { AppId } from '../common/app-id.js';
import { WebSocket } from 'ws';
import { RedisService } from '../infra/redis/redis.service.js';
import { ConnectionRegistry } from './connection-registry.js';

const CHANNEL = 'rt:agent';

interface AgentEnvelope {
  appId: AppId;
  email: string;
  frame: string;
}

/**
 * Messages for one dialer agent (SHOW_DISPO, session stats), whatever node its
 * socket is on: published on Redis, and every node sends to its own sockets of
 * that agent (connected with `?token=`). Without Redis, this node's sockets only.
 */
@Injectable()
export class AgentChannel implements OnModuleInit {
  private readonly logger = new Logger(AgentChannel.name);

  constructor(
    private readonly redis: RedisService,
    private readonly registry: ConnectionRegistry,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.redis.subscribe(CHANNEL, (raw) => {
      try {
        this.deliver(JSON.parse(raw) as AgentEnvelope);
      } catch {
        this.logger.warn('ignoring a malformed agent message');
      }
    });
  }

  async send(appId: AppId, email: string, message: object): Promise<void> {
    const envelope: AgentEnvelope = { appId, email: email.toLowerCase(), frame: JSON.stringify(message) };
    try {
      await this.redis.publish(CHANNEL, JSON.stringify(envelope));
    } catch (err) {
      this.logger.warn(`Redis publish failed (${(err as Error).message}): agent message delivered on this node only`);
      this.deliver(envelope);
    }
  }

  private deliver(e: AgentEnvelope): void {
    for (const conn of this.registry.room(e.appId)) {
      const auth = conn.context.auth;
      if (auth.kind === 'agent' && auth.email.toLowerCase() === e.email && conn.socket.readyState === WebSocket.OPEN) {
        conn.socket.send(e.frame);
      }
    }
  }
}
