import { Body, Controller, HttpCode, Param, ParseUUIDPipe, Post, UseGuards } from '@nestjs/common';
import type { AppId } from '../common/app-id.js';
import { ApiBearerAuth, ApiSecurity, ApiTags } from '@nestjs/swagger';
import type { ResolvedApp } from '../api-keys/api-key-resolver.service.js';
import { AppsService } from '../apps/apps.service.js';
import { AdminGuard } from '../auth/admin.guard.js';
import { AgentGuard } from '../auth/agent.guard.js';
import { mintAgentToken } from '../auth/agent-token.js';
import { ApiKeyGuard } from '../auth/api-key.guard.js';
import { CurrentAgent, CurrentApp } from '../auth/request-context.js';
import type { AgentPrincipal } from '../auth/request-context.js';
import { AppConfig } from '../infra/config/app-config.js';
import { ADMIN_AUTH_ERRORS, AGENT_AUTH_ERRORS, API_KEY_AUTH_ERRORS, ApiErrors } from '../infra/http/api-errors.js';
import { AgentTokenDto, AgentTokenRequestDto, ConsoleLinkDto, ConsoleLinkRequestDto } from './dto/agent-token.dto.js';

/** Agent tokens: minted by the app (API key), refreshed by the agent through a shift, or handed out as a console link by an admin. */
@Controller()
export class AgentTokenController {
  constructor(
    private readonly config: AppConfig,
    private readonly apps: AppsService,
  ) {}

  /** Mint a short-lived agent token (`sub` = e-mail, `app_id`, `exp`) for the dialer routes and the agent's WebSocket. */
  @ApiTags('api: dialer')
  @ApiSecurity('api-key')
  @UseGuards(ApiKeyGuard)
  @ApiErrors(API_KEY_AUTH_ERRORS, 400, 503)
  @Post('api/agents/token')
  @HttpCode(201)
  token(@CurrentApp() app: ResolvedApp, @Body() body: AgentTokenRequestDto): Promise<AgentTokenDto> {
    return this.mint(app.id, body.agent_email);
  }

  /** A fresh token for the agent holding a valid one: the console refreshes before expiry, so a shift outlives AGENT_TOKEN_TTL_SECONDS. */
  @ApiTags('dialer')
  @ApiBearerAuth('agent')
  @UseGuards(AgentGuard)
  @ApiErrors(AGENT_AUTH_ERRORS, 503)
  @Post('api/agents/token/refresh')
  @HttpCode(200)
  refresh(@CurrentAgent() agent: AgentPrincipal): Promise<AgentTokenDto> {
    return this.mint(agent.appId, agent.email);
  }

  /** A signed-in link to the agent console for one agent (the token travels in the URL fragment). */
  @ApiTags('internal: dialer')
  @ApiBearerAuth('admin')
  @UseGuards(AdminGuard)
  @ApiErrors(ADMIN_AUTH_ERRORS, 400, { 404: 'Unknown app' }, 503)
  @Post('internal/apps/:app_id/agents/console-link')
  @HttpCode(201)
  async consoleLink(@Param('app_id', new ParseUUIDPipe()) appId: AppId, @Body() body: ConsoleLinkRequestDto): Promise<ConsoleLinkDto> {
    const app = await this.apps.require(appId);
    const { token, expires_at } = await this.mint(app.id, body.agent_email);
    const base = this.config.PUBLIC_BASE_URL ?? `http://localhost:${this.config.PORT}`;
    return { url: `${base.replace(/\/$/, '')}/console#token=${encodeURIComponent(token)}`, expires_at };
  }

  private async mint(appId: AppId, email: string): Promise<AgentTokenDto> {
    const { token, expiresAt } = await mintAgentToken(this.config.INTERNAL_JWT_SECRET, appId, email, this.config.AGENT_TOKEN_TTL_SECONDS);
    return { token, expires_at: expiresAt };
  }
}
