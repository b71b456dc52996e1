import { Body, Controller, HttpCode, Post, UseGuards } from '@nestjs/common';
import { ApiSecurity, ApiTags } from '@nestjs/swagger';
import type { ResolvedApp } from '../api-keys/api-key-resolver.service.js';
import { ApiKeyGuard } from '../auth/api-key.guard.js';
import { mintAgentToken } from '../auth/agent-token.js';
import { CurrentApp } from '../auth/request-context.js';
import { AppConfig } from '../infra/config/app-config.js';
import { AgentTokenDto, AgentTokenRequestDto } from './dto/agent-token.dto.js';

@ApiTags('api: dialer')
@ApiSecurity('api-key')
@UseGuards(ApiKeyGuard)
@Controller('api/agents')
export class AgentTokenController {
  constructor(private readonly config: AppConfig) {}

  /** Mint a short-lived agent token (`sub` = e-mail, `app_id`, `exp`) for the dialer routes and the agent's WebSocket. */
  @Post('token')
  @HttpCode(201)
  async token(@CurrentApp() app: ResolvedApp, @Body() body: AgentTokenRequestDto): Promise<AgentTokenDto> {
    const { token, expiresAt } = await mintAgentToken(this.config.INTERNAL_JWT_SECRET, app.id, body.agent_email, this.config.AGENT_TOKEN_TTL_SECONDS);
    return { token, expires_at: expiresAt };
  }
}
