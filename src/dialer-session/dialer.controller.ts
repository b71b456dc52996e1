import { applyDecorators, Body, Controller, Get, HttpCode, Post, Query, UseGuards, UseInterceptors } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiTags } from '@nestjs/swagger';
import { AgentGuard } from '../auth/agent.guard.js';
import { CurrentAgent } from '../auth/request-context.js';
import type { AgentPrincipal } from '../auth/request-context.js';
import { AGENT_AUTH_ERRORS, ApiErrors } from '../infra/http/api-errors.js';
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
  PauseInputDto,
  SessionViewDto,
  StartSessionResultDto,
} from './dto/dialer.dto.js';
import { SessionLifecycle } from './session-lifecycle.service.js';

const IDEMPOTENCY_HEADER = {
  name: 'idempotency-key',
  required: false,
  description: 'Same key within 60 s replays the stored answer; another body with it → 422; while the first runs → 409',
};

/** A route that takes an Idempotency-Key (IdempotencyInterceptor): the header, and the answers it adds. */
const Idempotent = () =>
  applyDecorators(
    ApiHeader(IDEMPOTENCY_HEADER),
    ApiErrors({ 400: 'Malformed Idempotency-Key', 409: 'A request with this Idempotency-Key is still running', 422: 'Idempotency-Key already used with another request' }),
  );

const NO_SESSION = 'No live session: POST /session/start';
const BUSY = 'The session is busy with another dial or disposition (retry)';
const DIALPAD_ERRORS = {
  429: 'Rate limited (ours or Dialpad’s): see Retry-After',
  502: 'Dialpad refused the request (its message is in the answer)',
  503: 'Dialpad, Google Sheets, PostgreSQL or Redis unavailable: retry shortly',
} as const;

/** The agent's loop: Bearer agent token from POST /api/agents/token (or a console link). */
@ApiTags('dialer')
@ApiBearerAuth('agent')
@UseGuards(AgentGuard)
@UseInterceptors(IdempotencyInterceptor)
@ApiErrors(AGENT_AUTH_ERRORS, 503)
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
  @Idempotent()
  @ApiErrors({
    400: 'The router’s DialpadUserID is not a Dialpad user id, or the agent sheet’s header is wrong (the message names it)',
    403: 'The app is inactive, or the agent is missing or not Active in the router sheet',
    404: 'The router or agent spreadsheet or tab is missing, or not shared with the service account',
    409: 'The dialer is not configured for this app',
    503: 'Google Sheets, PostgreSQL or Redis unavailable: retry shortly',
  })
  start(@CurrentAgent() agent: AgentPrincipal): Promise<StartSessionResultDto> {
    return this.lifecycle.start(agent);
  }

  /** The agent's live session with its stats and the attempt waiting for its disposition (with its lead). */
  @Get('session/current')
  @ApiErrors({ 404: NO_SESSION })
  current(@CurrentAgent() agent: AgentPrincipal): Promise<SessionViewDto> {
    return this.lifecycle.current(agent);
  }

  /** Pause with a reason from the app's list: the call in progress goes on, no next dial is chained; the pause is recorded with its start and end. */
  @Post('session/pause')
  @HttpCode(200)
  @Idempotent()
  @ApiErrors({ 400: 'reason is not one of the app\'s pause reasons', 404: NO_SESSION, 409: BUSY })
  pause(@CurrentAgent() agent: AgentPrincipal, @Body() body: PauseInputDto): Promise<SessionViewDto> {
    return this.lifecycle.setState(agent, 'PAUSE', body.reason);
  }

  /** Resume (PLAY): dispositions chain the next dial again. */
  @Post('session/resume')
  @HttpCode(200)
  @Idempotent()
  @ApiErrors({ 404: NO_SESSION, 409: BUSY })
  resume(@CurrentAgent() agent: AgentPrincipal): Promise<SessionViewDto> {
    return this.lifecycle.setState(agent, 'PLAY');
  }

  /** Stop: ends the session (refused while an attempt waits for its disposition). */
  @Post('session/stop')
  @HttpCode(200)
  @Idempotent()
  @ApiErrors({ 404: NO_SESSION, 409: `An attempt waits for its disposition; or ${BUSY.toLowerCase()}` })
  stop(@CurrentAgent() agent: AgentPrincipal): Promise<SessionViewDto> {
    return this.lifecycle.setState(agent, 'STOPPED');
  }

  /** Dial the next lead: `{attempt_id, row_id, name, number_index, phone, dialpad_call_id, lead}`, or `{attempt: null, reason}`. */
  @Post('dial')
  @HttpCode(200)
  @Idempotent()
  @ApiErrors({
    400: 'An invalid query parameter',
    404: `${NO_SESSION}; or the agent sheet is gone`,
    409: `The session is not in PLAY, an attempt waits for its disposition, ${BUSY.toLowerCase()}, or the app must connect Dialpad again`,
    ...DIALPAD_ERRORS,
  })
  dial(@CurrentAgent() agent: AgentPrincipal, @Query() query: DialQueryDto): Promise<DialResultDto> {
    return this.placement.dial(agent, dialOptions(query));
  }

  /** Record the outcome of an attempt (code 1–6 or its name); when PLAY, the next dial is returned as `next`. */
  @Post('disposition')
  @HttpCode(200)
  @Idempotent()
  @ApiErrors({
    400: 'An invalid body or query parameter (e.g. an unknown code)',
    404: `${NO_SESSION}; or no such attempt in the session`,
    409: `The attempt already has its disposition, or was never placed; or ${BUSY.toLowerCase()}`,
    503: 'Google Sheets, PostgreSQL or Redis unavailable: retry shortly',
  })
  disposition(@CurrentAgent() agent: AgentPrincipal, @Body() body: DispositionInputDto, @Query() query: DialQueryDto): Promise<DispositionResultDto> {
    return this.dispositions.disposition(
      agent,
      { attemptId: body.attempt_id, code: body.code, notes: body.notes, callbackAt: body.callback_at, callbackOnlyMe: body.callback_only_me },
      dialOptions(query),
    );
  }

  /** Skip the lead before its call connects: the call is hung up, the number written SKIPPED (MANUAL_SKIP); in PLAY the next dial follows. */
  @Post('skip')
  @HttpCode(200)
  @Idempotent()
  @ApiErrors({
    400: 'An invalid body or query parameter',
    404: `${NO_SESSION}; or no such attempt in the session`,
    409: `The call is connected (hang up, then give the disposition), the attempt already has its disposition or was never placed; or ${BUSY.toLowerCase()}`,
    503: 'Google Sheets, PostgreSQL or Redis unavailable: retry shortly',
  })
  skip(@CurrentAgent() agent: AgentPrincipal, @Body() body: AttemptRefDto, @Query() query: DialQueryDto): Promise<DispositionResultDto> {
    return this.dispositions.skip(agent, body.attempt_id, dialOptions(query));
  }

  /** Hang up the attempt's call through Dialpad; SHOW_DISPO follows on the agent's socket when the end arrives. */
  @Post('hangup')
  @HttpCode(200)
  @Idempotent()
  @ApiErrors({
    400: 'An invalid body',
    404: `${NO_SESSION}; or no such attempt in the session`,
    409: 'The attempt’s call is not in progress, or the app must connect Dialpad again',
    ...DIALPAD_ERRORS,
  })
  hangup(@CurrentAgent() agent: AgentPrincipal, @Body() body: AttemptRefDto): Promise<HangupResultDto> {
    return this.calls.hangup(agent, body.attempt_id);
  }
}

function dialOptions(query: DialQueryDto): { includeLead: boolean } {
  return { includeLead: query.include === 'lead' };
}
