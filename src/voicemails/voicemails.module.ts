import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module.js';
import { VoicemailsController } from './voicemails.controller.js';
import { VoicemailsRepository } from './voicemails.repository.js';

/** Voicemails: the `voicemails` table (written by the event processor) and its admin routes. */
@Module({ imports: [AuthModule], controllers: [VoicemailsController], providers: [VoicemailsRepository], exports: [VoicemailsRepository] })
export class VoicemailsModule {}
