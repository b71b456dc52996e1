import { Controller, Get, Query, UseGuards } from '@nestjs/common';
import { ApiSecurity, ApiTags } from '@nestjs/swagger';
import type { ResolvedApp } from '../api-keys/api-key-resolver.service.js';
import { ApiKeyGuard } from '../auth/api-key.guard.js';
import { CurrentApp } from '../auth/request-context.js';
import { ApiErrors, API_KEY_AUTH_ERRORS } from '../infra/http/api-errors.js';
import { AgentStatusService } from './agent-status.service.js';
import { AgentStatusPageDto, ListAgentStatusQueryDto } from './dto/agent-status.dto.js';

@ApiTags('api: agent status')
@ApiSecurity('api-key')
@UseGuards(ApiKeyGuard)
@ApiErrors(API_KEY_AUTH_ERRORS, 503)
@Controller('api/agents/status')
export class AgentStatusController {
  constructor(private readonly statuses: AgentStatusService) {}

  /** The latest status of each call-centre agent (from Dialpad's agent status events), by Dialpad user id. */
  @Get()
  @ApiErrors({ 400: 'A query parameter is invalid (the message names it), or the cursor is not one of ours' })
  list(@CurrentApp() app: ResolvedApp, @Query() query: ListAgentStatusQueryDto): Promise<AgentStatusPageDto> {
    return this.statuses.list(app.id, query);
  }
}
