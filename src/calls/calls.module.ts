import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module.js';
import { CallsController } from './calls.controller.js';
import { CallsRepository } from './calls.repository.js';
import { CallsService } from './calls.service.js';

/** Calls: the `calls` table (written by the event processor) and the calls API. */
@Module({ imports: [AuthModule], controllers: [CallsController], providers: [CallsRepository, CallsService], exports: [CallsRepository, CallsService] })
export class CallsModule {}
