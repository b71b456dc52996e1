import { Controller, Get, Param, UseGuards } from '@nestjs/common';
import { ApiSecurity, ApiTags } from '@nestjs/swagger';
import type { ResolvedApp } from '../api-keys/api-key-resolver.service.js';
import { ApiKeyGuard } from '../auth/api-key.guard.js';
import { CurrentApp } from '../auth/request-context.js';
import { ApiErrors, API_KEY_AUTH_ERRORS } from '../infra/http/api-errors.js';
import { ConversationsService } from './conversations.service.js';
import { ConversationDto } from './dto/conversation.dto.js';

@ApiTags('api: calls')
@ApiSecurity('api-key')
@UseGuards(ApiKeyGuard)
@ApiErrors(API_KEY_AUTH_ERRORS, 503)
@Controller('api/conversations')
export class ConversationsController {
  constructor(private readonly conversations: ConversationsService) {}

  /**
   * One conversation: the legs Dialpad links by `entry_point_call_id` / `master_call_id` (a lone call is its own
   * conversation), in order, with its outcome (answered by whom, voicemail, missed) computed once from all of them.
   * `id` is a Dialpad call id, the `conversation_id` of its calls. Another app's conversation answers 404.
   */
  @Get(':id')
  @ApiErrors({ 400: 'The id is not a Dialpad call id (digits)', 404: 'No call of the app belongs to this conversation' })
  get(@CurrentApp() app: ResolvedApp, @Param('id') id: string): Promise<ConversationDto> {
    return this.conversations.get(app.id, id);
  }
}
