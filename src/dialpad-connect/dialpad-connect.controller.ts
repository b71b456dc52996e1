import { Controller, Get, Query, Req, Res, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiProduces, ApiResponse, ApiSecurity, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppsService } from '../apps/apps.service.js';
import { AdminOrApiKeyGuard } from '../auth/admin-or-api-key.guard.js';
import { DomainError } from '../common/errors/domain-error.js';
import { AppConfig } from '../infra/config/app-config.js';
import { ApiErrors } from '../infra/http/api-errors.js';
import { DialpadConnectService } from './dialpad-connect.service.js';
import { CallbackQueryDto, ConnectQueryDto, ConnectUrlDto } from './dto/dialpad-connect.dto.js';
import { connectedPage } from './success-page.js';

@ApiTags('dialpad: connect')
@Controller('auth/dialpad')
export class DialpadConnectController {
  constructor(
    private readonly connect: DialpadConnectService,
    private readonly apps: AppsService,
    private readonly config: AppConfig,
  ) {}

  /** Start connecting an app to Dialpad: redirects to Dialpad's consent page (OAuth 2, PKCE S256, single-use state valid 10 minutes). */
  @Get('connect')
  @UseGuards(AdminOrApiKeyGuard)
  @ApiBearerAuth('admin')
  @ApiSecurity('api-key')
  @ApiOperation({ summary: 'Redirect to Dialpad OAuth consent (admin JWT, or the app’s own API key)' })
  @ApiResponse({ status: 302, description: 'Location: <DIALPAD_BASE_URL>/oauth2/authorize?…' })
  @ApiResponse({ status: 200, type: ConnectUrlDto, description: 'With ?response=json' })
  @ApiErrors(400, { 401: 'Missing or invalid admin JWT or API key', 403: 'Not an admin token, or the app is inactive', 404: 'Unknown app, or another app than the key’s' })
  @ApiResponse({ status: 503, description: 'Dialpad OAuth is not configured on this server' })
  async start(@Query() q: ConnectQueryDto, @Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    // an app key may only connect its own app; another app's id is "not found", as everywhere
    if (req.tenant && req.tenant.id !== q.app_id) throw new DomainError('APP_NOT_FOUND', `App ${q.app_id} not found`);
    const link = await this.connect.start(q.app_id);
    reply.header('cache-control', 'no-store');
    if (q.response === 'json') {
      await reply.code(200).send(link);
      return;
    }
    await reply.code(302).header('location', link.authorize_url).send();
  }

  /** Dialpad redirects the browser here after consent: the code is exchanged and the tokens stored (encrypted). */
  @Get('callback')
  @ApiOperation({ summary: 'OAuth redirect target registered with Dialpad (DIALPAD_REDIRECT_URI)', security: [] })
  @ApiProduces('text/html')
  @ApiResponse({ status: 200, description: 'A plain success page (or a 302 to DIALPAD_CONNECT_SUCCESS_URL)' })
  @ApiResponse({ status: 400, description: 'State missing, forged, expired or already used; consent denied; code refused by Dialpad' })
  @ApiResponse({ status: 409, description: 'The Dialpad company is connected to another app' })
  @ApiResponse({ status: 429, description: 'Dialpad rate limited the token exchange (Retry-After)' })
  @ApiResponse({ status: 502, description: 'Dialpad refused the exchange (e.g. bad client credentials)' })
  @ApiResponse({ status: 503, description: 'Dialpad unreachable, failing or timing out' })
  async callback(@Query() q: CallbackQueryDto, @Res() reply: FastifyReply): Promise<void> {
    const done = await this.connect.complete(q);
    reply.header('cache-control', 'no-store');
    if (this.config.DIALPAD_CONNECT_SUCCESS_URL) {
      const target = new URL(this.config.DIALPAD_CONNECT_SUCCESS_URL);
      target.searchParams.set('app_id', done.appId);
      target.searchParams.set('status', 'connected');
      await reply.code(302).header('location', target.toString()).send();
      return;
    }
    const app = await this.apps.require(done.appId);
    await reply.code(200).type('text/html; charset=utf-8').send(connectedPage(app.name, done.companyId));
  }
}
