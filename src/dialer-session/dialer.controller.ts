import { Body, Controller, Get, HttpCode, Post, Query, UseGuards, UseInterceptors } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiTags } from '@nestjs/swagger';
import { AgentGuard } from '../auth/agent.guard.js';
import { CurrentAgent } from '../auth/request-context.js';
import type { AgentPrincipal } from '../auth/request-context.js';
import { IdempotencyInterceptor } from '../infra/http/idempotency.interceptor.js';
import { CallProgressService } from './call-progress.service.js';
import { DialPlacement } from './dial-placement.service.js';
import { DispositionService } from './disposition.service.js';
import {
  AttemptRefDto,
  DialQueryDto,
  DialResultDto,
  DispositionInputDto,
  DispositionResultDto,
  HangupResultDto,
  SessionViewDto,
  StartSessionResultDto,
} from './dto/dialer.dto.js';
import { SessionLifecycle } from './session-lifecycle.service.js';

const IDEMPOTENCY_HEADER = {
  name: 'idempotency-key',
  required: false,
  description: 'Same key within 60 s replays the stored answer; another body with it → 422; while the first runs → 409',
};

/** The agent's loop: Bearer agent token from POST /api/agents/token (or a console link). */
@ApiTags('dialer')
@ApiBearerAuth('agent')
@UseGuards(AgentGuard)
@UseInterceptors(IdempotencyInterceptor)
@Controller()
export class DialerController {
  constructor(
    private readonly lifecycle: SessionLifecycle,
    private readonly placement: DialPlacement,
    private readonly dispositions: DispositionService,
    private readonly calls: CallProgressService,
  ) {}

  /** Start (PLAY) the agent's session from the router sheet; an agent with a live session gets it back. */
  @Post('session/start')
  @HttpCode(200)
  @ApiHeader(IDEMPOTENCY_HEADER)
  start(@CurrentAgent() agent: AgentPrincipal): Promise<StartSessionResultDto> {
    return this.lifecycle.start(agent);
  }

  /** The agent's live session with its stats and the attempt waiting for its disposition (with its lead). */
  @Get('session/current')
  current(@CurrentAgent() agent: AgentPrincipal): Promise<SessionViewDto> {
    return this.lifecycle.current(agent);
  }

  /** Pause: the call in progress goes on, no next dial is chained. */
  @Post('session/pause')
  @HttpCode(200)
  @ApiHeader(IDEMPOTENCY_HEADER)
  pause(@CurrentAgent() agent: AgentPrincipal): Promise<SessionViewDto> {
    return this.lifecycle.setState(agent, 'PAUSE');
  }

  /** Resume (PLAY): dispositions chain the next dial again. */
  @Post('session/resume')
  @HttpCode(200)
  @ApiHeader(IDEMPOTENCY_HEADER)
  resume(@CurrentAgent() agent: AgentPrincipal): Promise<SessionViewDto> {
    return this.lifecycle.setState(agent, 'PLAY');
  }

  /** Stop: ends the session (refused while an attempt waits for its disposition). */
  @Post('session/stop')
  @HttpCode(200)
  @ApiHeader(IDEMPOTENCY_HEADER)
  stop(@CurrentAgent() agent: AgentPrincipal): Promise<SessionViewDto> {
    return this.lifecycle.setState(agent, 'STOPPED');
  }

  /** Dial the next lead: `{attempt_id, row_id, name, number_index, phone, dialpad_call_id, lead}`, or `{attempt: null, reason}`. */
  @Post('dial')
  @HttpCode(200)
  @ApiHeader(IDEMPOTENCY_HEADER)
  dial(@CurrentAgent() agent: AgentPrincipal, @Query() query: DialQueryDto): Promise<DialResultDto> {
    return this.placement.dial(agent, dialOptions(query));
  }

  /** Record the outcome of an attempt (code 1–6 or its name); when PLAY, the next dial is returned as `next`. */
  @Post('disposition')
  @HttpCode(200)
  @ApiHeader(IDEMPOTENCY_HEADER)
  disposition(@CurrentAgent() agent: AgentPrincipal, @Body() body: DispositionInputDto, @Query() query: DialQueryDto): Promise<DispositionResultDto> {
    return this.dispositions.disposition(agent, { attemptId: body.attempt_id, code: body.code, notes: body.notes }, dialOptions(query));
  }

  /** Skip the lead before its call connects: the call is hung up, the number written SKIPPED (MANUAL_SKIP); in PLAY the next dial follows. */
  @Post('skip')
  @HttpCode(200)
  @ApiHeader(IDEMPOTENCY_HEADER)
  skip(@CurrentAgent() agent: AgentPrincipal, @Body() body: AttemptRefDto, @Query() query: DialQueryDto): Promise<DispositionResultDto> {
    return this.dispositions.skip(agent, body.attempt_id, dialOptions(query));
  }

  /** Hang up the attempt's call through Dialpad; SHOW_DISPO follows on the agent's socket when the end arrives. */
  @Post('hangup')
  @HttpCode(200)
  @ApiHeader(IDEMPOTENCY_HEADER)
  hangup(@CurrentAgent() agent: AgentPrincipal, @Body() body: AttemptRefDto): Promise<HangupResultDto> {
    return this.calls.hangup(agent, body.attempt_id);
  }
}

function dialOptions(query: DialQueryDto): { includeLead: boolean } {
  return { includeLead: query.include === 'lead' };
}
