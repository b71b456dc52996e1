import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module.js';
import { CallsController } from './calls.controller.js';
import { CallDetailsRepository } from './call-details.repository.js';
import { CallsRepository } from './calls.repository.js';
import { CallsService } from './calls.service.js';
import { ConversationsController } from './conversations.controller.js';
import { ConversationsService } from './conversations.service.js';
import { VoicemailsModule } from '../voicemails/voicemails.module.js';

/** Calls: the `calls` and `call_details` tables (written by the event processor), the calls API and conversations (a call's legs together). */
@Module({
  imports: [AuthModule, VoicemailsModule],
  controllers: [CallsController, ConversationsController],
  providers: [CallsRepository, CallDetailsRepository, CallsService, ConversationsService],
  exports: [CallsRepository, CallDetailsRepository, CallsService],
})
export class CallsModule {}
