import { Body, Controller, Get, HttpCode, Post, UseGuards, UseInterceptors } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { AgentGuard } from '../auth/agent.guard.js';
import { CurrentAgent } from '../auth/request-context.js';
import type { AgentPrincipal } from '../auth/request-context.js';
import { IdempotencyInterceptor } from '../infra/http/idempotency.interceptor.js';
import { DialerService, DialResult, DispositionResult, SessionView } from './dialer.service.js';
import { DialResultDto, DispositionInputDto, DispositionResultDto } from './dto/dialer.dto.js';

const IDEMPOTENCY_HEADER = {
  name: 'idempotency-key',
  required: false,
  description: 'Same key within 60 s replays the stored answer; another body with it → 422; while the first runs → 409',
};

/** The agent's loop (SPEC §9): Bearer agent token from POST /api/agents/token. */
@ApiTags('dialer')
@ApiBearerAuth('agent')
@UseGuards(AgentGuard)
@UseInterceptors(IdempotencyInterceptor)
@Controller()
export class DialerController {
  constructor(private readonly dialer: DialerService) {}

  /** Start (PLAY) the agent's session from the router sheet; an agent with a live session gets it back. */
  @Post('session/start')
  @HttpCode(200)
  @ApiHeader(IDEMPOTENCY_HEADER)
  start(@CurrentAgent() agent: AgentPrincipal): Promise<{ session: SessionView; recovered: boolean }> {
    return this.dialer.start(agent);
  }

  /** The agent's live session with its stats. */
  @Get('session/current')
  current(@CurrentAgent() agent: AgentPrincipal): Promise<SessionView> {
    return this.dialer.current(agent);
  }

  /** Pause: the call in progress goes on, no next dial is chained. */
  @Post('session/pause')
  @HttpCode(200)
  @ApiHeader(IDEMPOTENCY_HEADER)
  pause(@CurrentAgent() agent: AgentPrincipal): Promise<SessionView> {
    return this.dialer.setState(agent, 'PAUSE');
  }

  @Post('session/resume')
  @HttpCode(200)
  @ApiHeader(IDEMPOTENCY_HEADER)
  resume(@CurrentAgent() agent: AgentPrincipal): Promise<SessionView> {
    return this.dialer.setState(agent, 'PLAY');
  }

  @Post('session/stop')
  @HttpCode(200)
  @ApiHeader(IDEMPOTENCY_HEADER)
  stop(@CurrentAgent() agent: AgentPrincipal): Promise<SessionView> {
    return this.dialer.setState(agent, 'STOPPED');
  }

  /** Dial the next lead: `{attempt_id, row_id, name, number_index, phone, dialpad_call_id}`, or `{attempt: null, reason}`. */
  @Post('dial')
  @HttpCode(200)
  @ApiHeader(IDEMPOTENCY_HEADER)
  @ApiOkResponse({ type: DialResultDto })
  dial(@CurrentAgent() agent: AgentPrincipal): Promise<DialResult> {
    return this.dialer.dial(agent);
  }

  /** Record the outcome of an attempt (code 1–6 or its name); when PLAY, the next dial is returned as `next`. */
  @Post('disposition')
  @HttpCode(200)
  @ApiHeader(IDEMPOTENCY_HEADER)
  @ApiOkResponse({ type: DispositionResultDto })
  disposition(@CurrentAgent() agent: AgentPrincipal, @Body() body: DispositionInputDto): Promise<DispositionResult> {
    return this.dialer.disposition(agent, { attemptId: body.attempt_id, code: body.code, notes: body.notes });
  }
}
