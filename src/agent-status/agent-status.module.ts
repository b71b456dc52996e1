import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module.js';
import { AgentStatusController } from './agent-status.controller.js';
import { AgentStatusRepository } from './agent-status.repository.js';
import { AgentStatusService } from './agent-status.service.js';

/** Agent status: the `agent_statuses` table (each agent's latest status, written by the event processor) and `GET /api/agents/status`. */
@Module({
  imports: [AuthModule],
  controllers: [AgentStatusController],
  providers: [AgentStatusRepository, AgentStatusService],
  exports: [AgentStatusRepository],
})
export class AgentStatusModule {}
