import type { IncomingMessage } from 'node:http';
import type { AppId } from '../common/app-id.js';
import { BeforeApplicationShutdown, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { OnGatewayConnection, OnGatewayDisconnect, WebSocketGateway } from '@nestjs/websockets';
import type { RawData, WebSocket } from 'ws';
import { AppChanges } from '../apps/app-changes.service.js';
import { runDetached } from '../common/run-detached.js';
import { AppConfig } from '../infra/config/app-config.js';
import { replyTo } from './client-protocol.js';
import { Connection, ConnectionRegistry } from './connection-registry.js';
import { clientContexts } from './cti-ws.adapter.js';
import { RealtimeFanout } from './realtime-fanout.service.js';
import { WsAuthService } from './ws-auth.service.js';

/** Close codes (documented in the API description). */
export const WsCloseCodes = {
  shutdown: 1001,
  policy: 1008,
  keyRevoked: 4401,
  appInactive: 4403,
} as const;

/**
 * `/ws`: authenticated in the upgrade (CtiWsAdapter), per-app rooms, 30 s
 * heartbeat, resume with `?since=`, and a small client protocol (`ping`).
 */
@WebSocketGateway({ path: '/ws' })
export class RealtimeGateway implements OnGatewayConnection, OnGatewayDisconnect, OnModuleInit, OnModuleDestroy, BeforeApplicationShutdown {
  private readonly logger = new Logger(RealtimeGateway.name);
  private readonly connections = new WeakMap<WebSocket, Connection>();
  private heartbeat: NodeJS.Timeout | null = null;
  private stopListening: (() => void) | null = null;

  constructor(
    private readonly registry: ConnectionRegistry,
    private readonly fanout: RealtimeFanout,
    private readonly auth: WsAuthService,
    private readonly appChanges: AppChanges,
    private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    this.heartbeat = setInterval(() => this.beat(), this.config.WS_HEARTBEAT_MS);
    this.heartbeat.unref();
    // a key rotated or revoked, or the app deactivated, on any node: re-check that app's sockets
    this.stopListening = this.appChanges.subscribe((appId) => void this.recheck(appId));
  }

  onModuleDestroy(): void {
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.stopListening?.();
  }

  /** Graceful shutdown: tell clients to reconnect elsewhere. */
  beforeApplicationShutdown(): void {
    for (const conn of this.registry.all()) conn.socket.close(WsCloseCodes.shutdown, 'server shutting down');
  }

  handleConnection(socket: WebSocket, req: IncomingMessage): void {
    const context = clientContexts.get(req);
    if (!context) {
      socket.close(WsCloseCodes.policy, 'not authenticated');
      return;
    }
    const conn = this.registry.add(socket, context);
    this.connections.set(socket, conn);
    socket.on('pong', () => (conn.alive = true));
    socket.on('message', (data: RawData, isBinary: boolean) => {
      const buffer = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
      conn.sendControl(replyTo(buffer, isBinary, new Date()));
    });
    conn.sendControl({
      type: 'welcome',
      app_id: context.appId,
      // the wire protocol is snake_case, like the query parameters that set the filter
      filter: { dialpad_user_id: context.filter.dialpadUserId, crm_user_id: context.filter.crmUserId },
      heartbeat_ms: this.config.WS_HEARTBEAT_MS,
    });
    if (context.since !== undefined) runDetached(this.fanout.replay(conn, context.since), this.logger, `replay for app ${context.appId}`);
  }

  handleDisconnect(socket: WebSocket): void {
    const conn = this.connections.get(socket);
    if (conn) this.registry.remove(conn);
  }

  private beat(): void {
    for (const conn of this.registry.all()) {
      if (!conn.alive) {
        conn.socket.terminate(); // missed the last pong: a dead peer
        continue;
      }
      conn.alive = false;
      conn.socket.ping();
    }
  }

  private async recheck(appId: AppId): Promise<void> {
    for (const conn of [...this.registry.room(appId)]) {
      try {
        const verdict = await this.auth.stillValid(conn.context);
        if (!verdict.ok) conn.socket.close(verdict.code, verdict.reason);
      } catch (err) {
        this.logger.warn(`could not re-check a socket of app ${appId}: ${(err as Error).message}`);
      }
    }
  }
}
