import { Controller, Get, Query, UseGuards } from '@nestjs/common';
import { ApiSecurity, ApiTags } from '@nestjs/swagger';
import type { ResolvedApp } from '../api-keys/api-key-resolver.service.js';
import { ApiKeyGuard } from '../auth/api-key.guard.js';
import { CurrentApp } from '../auth/request-context.js';
import { ApiErrors, API_KEY_AUTH_ERRORS } from '../infra/http/api-errors.js';
import { ListSmsQueryDto, SmsPageDto } from './dto/sms.dto.js';
import { SmsService } from './sms.service.js';

@ApiTags('api: sms')
@ApiSecurity('api-key')
@UseGuards(ApiKeyGuard)
@ApiErrors(API_KEY_AUTH_ERRORS, 503)
@Controller('api/sms')
export class SmsController {
  constructor(private readonly sms: SmsService) {}

  /** The app's SMS messages (received and sent, from Dialpad's SMS events), newest first, with filters and cursor pagination. */
  @Get()
  @ApiErrors({ 400: 'A query parameter is invalid (the message names it), `from` is not before `to`, or the cursor is not one of ours' })
  list(@CurrentApp() app: ResolvedApp, @Query() query: ListSmsQueryDto): Promise<SmsPageDto> {
    return this.sms.list(app.id, query);
  }
}
