import { Module } from '@nestjs/common';
import { AgentTokenController } from './agent-token.controller.js';

/** The preview dialer: agent tokens, sessions, dial and disposition (SPEC §9). */
@Module({ controllers: [AgentTokenController] })
export class DialerSessionModule {}
