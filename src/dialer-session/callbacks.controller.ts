import { Body, Controller, Delete, Get, Param, ParseUUIDPipe, Patch, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { AppsService } from '../apps/apps.service.js';
import { AdminGuard } from '../auth/admin.guard.js';
import { AgentGuard } from '../auth/agent.guard.js';
import { CurrentAgent } from '../auth/request-context.js';
import type { AgentPrincipal } from '../auth/request-context.js';
import type { AppId } from '../common/app-id.js';
import { ADMIN_AUTH_ERRORS, AGENT_AUTH_ERRORS, ApiErrors } from '../infra/http/api-errors.js';
import { CallbacksService } from './callbacks.service.js';
import { CallbackDto, UpdateCallbackDto } from './dto/callbacks.dto.js';

export class ListCallbacksQueryDto {
  /** pending (default), done or cancelled */
  @IsOptional()
  @IsIn(['pending', 'done', 'cancelled'])
  status?: 'pending' | 'done' | 'cancelled';
}

/** An agent's scheduled callbacks (theirs, and their campaign's shared ones). */
@ApiTags('dialer')
@ApiBearerAuth('agent')
@UseGuards(AgentGuard)
@ApiErrors(AGENT_AUTH_ERRORS, 400, 503)
@Controller('api/callbacks')
export class AgentCallbacksController {
  constructor(private readonly callbacks: CallbacksService) {}

  /** Callbacks by due time, each in the lead's local time too; `missed`: past due and not dialed yet (it stays due). */
  @Get()
  list(@CurrentAgent() agent: AgentPrincipal, @Query() q: ListCallbacksQueryDto): Promise<CallbackDto[]> {
    return this.callbacks.list(agent.appId, { agentEmail: agent.email, status: q.status ?? 'pending' });
  }

  /** Move a callback, make it the agent's only or the campaign's, or change its notes. */
  @Patch(':id')
  @ApiErrors({ 404: 'No such callback for this agent' })
  update(@CurrentAgent() agent: AgentPrincipal, @Param('id', new ParseUUIDPipe()) id: string, @Body() body: UpdateCallbackDto): Promise<CallbackDto> {
    return this.callbacks.update(agent.appId, id, body, agent.email);
  }

  /** Cancel a pending callback. */
  @Delete(':id')
  @ApiErrors({ 404: 'No such callback for this agent', 409: 'The callback is no longer pending' })
  cancel(@CurrentAgent() agent: AgentPrincipal, @Param('id', new ParseUUIDPipe()) id: string): Promise<CallbackDto> {
    return this.callbacks.cancel(agent.appId, id, agent.email);
  }
}

/** Every scheduled callback of the app, for supervisors. */
@ApiTags('internal: dialer')
@ApiBearerAuth('admin')
@UseGuards(AdminGuard)
@ApiErrors(ADMIN_AUTH_ERRORS, 400, 503)
@Controller('internal/apps/:app_id/callbacks')
export class AdminCallbacksController {
  constructor(
    private readonly callbacks: CallbacksService,
    private readonly apps: AppsService,
  ) {}

  /** The app's callbacks by due time (pending by default). */
  @Get()
  @ApiErrors({ 404: 'Unknown app' })
  async list(@Param('app_id', new ParseUUIDPipe()) appId: AppId, @Query() q: ListCallbacksQueryDto): Promise<CallbackDto[]> {
    await this.apps.require(appId);
    return this.callbacks.list(appId, { status: q.status ?? 'pending' });
  }

  /** Move or reassign a callback. */
  @Patch(':id')
  @ApiErrors({ 404: 'Unknown app or callback' })
  async update(@Param('app_id', new ParseUUIDPipe()) appId: AppId, @Param('id', new ParseUUIDPipe()) id: string, @Body() body: UpdateCallbackDto): Promise<CallbackDto> {
    await this.apps.require(appId);
    return this.callbacks.update(appId, id, body);
  }

  /** Cancel a pending callback. */
  @Delete(':id')
  @ApiErrors({ 404: 'Unknown app or callback', 409: 'The callback is no longer pending' })
  async cancel(@Param('app_id', new ParseUUIDPipe()) appId: AppId, @Param('id', new ParseUUIDPipe()) id: string): Promise<CallbackDto> {
    await this.apps.require(appId);
    return this.callbacks.cancel(appId, id);
  }
}
