import { Controller, Get, Param, Query, UseGuards } from '@nestjs/common';
import { ApiSecurity, ApiTags } from '@nestjs/swagger';
import type { ResolvedApp } from '../api-keys/api-key-resolver.service.js';
import { ApiKeyGuard } from '../auth/api-key.guard.js';
import { CurrentApp } from '../auth/request-context.js';
import { ApiErrors, API_KEY_AUTH_ERRORS } from '../infra/http/api-errors.js';
import { CallsService } from './calls.service.js';
import { ActiveCallsDto, CallDetailDto, CallPageDto, CallTranscriptDto, ListCallsQueryDto } from './dto/calls.dto.js';

@ApiTags('api: calls')
@ApiSecurity('api-key')
@UseGuards(ApiKeyGuard)
@ApiErrors(API_KEY_AUTH_ERRORS, 503)
@Controller('api/calls')
export class CallsController {
  constructor(private readonly calls: CallsService) {}

  /** The app's calls, newest first, with filters and cursor pagination. */
  @Get()
  @ApiErrors({ 400: 'A query parameter is invalid (the message names it), `from` is not before `to`, or the cursor is not one of ours' })
  list(@CurrentApp() app: ResolvedApp, @Query() query: ListCallsQueryDto): Promise<CallPageDto> {
    return this.calls.list(app.id, query);
  }

  /** Calls in progress (initiated, ringing or connected; silent for over 12 h excluded). */
  @Get('active')
  active(@CurrentApp() app: ResolvedApp): Promise<ActiveCallsDto> {
    return this.calls.active(app.id);
  }

  /** The call's transcript (Dialpad's `transcription_text`). 404 when the call is not the app's or has none. */
  @Get(':id/transcript')
  @ApiErrors({ 404: 'No such call in the app, or Dialpad sent no transcript for it' })
  transcript(@CurrentApp() app: ResolvedApp, @Param('id') id: string): Promise<CallTranscriptDto> {
    return this.calls.transcript(app.id, id);
  }

  /** One call by our uuid or by Dialpad's call id, with its recordings, recap, CSAT, labels and times. Another app's call answers 404. */
  @Get(':id')
  @ApiErrors({ 404: 'No such call in the app' })
  get(@CurrentApp() app: ResolvedApp, @Param('id') id: string): Promise<CallDetailDto> {
    return this.calls.get(app.id, id);
  }
}
