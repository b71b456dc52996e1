import { Module } from '@nestjs/common';
import { ApiKeysModule } from '../api-keys/api-keys.module.js';
import { AppsModule } from '../apps/apps.module.js';
import { EventsModule } from '../events/events.module.js';
import { AgentChannel } from './agent-channel.service.js';
import { ConnectionRegistry } from './connection-registry.js';
import { RealtimeFanout } from './realtime-fanout.service.js';
import { RealtimeGateway } from './realtime.gateway.js';
import { ReplayRepository } from './replay.repository.js';
import { WsAuthService } from './ws-auth.service.js';

/** `/ws`: processed events to CRM frontends (every node, resumable) and messages to one dialer agent. */
@Module({
  imports: [AppsModule, ApiKeysModule, EventsModule],
  providers: [RealtimeGateway, ConnectionRegistry, RealtimeFanout, ReplayRepository, WsAuthService, AgentChannel],
  exports: [WsAuthService, ConnectionRegistry, RealtimeFanout, AgentChannel],
})
export class RealtimeModule {}
