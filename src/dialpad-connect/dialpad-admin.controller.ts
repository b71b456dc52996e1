import { applyDecorators, Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Post, Query, Res, UseGuards } from '@nestjs/common';
import type { AppId } from '../common/app-id.js';
import { ApiBearerAuth, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { AdminGuard } from '../auth/admin.guard.js';
import { ApiErrors, ADMIN_AUTH_ERRORS } from '../infra/http/api-errors.js';
import { DialpadConnectService } from './dialpad-connect.service.js';
import { DialpadSubscribeService } from './dialpad-subscribe.service.js';
import { DialpadUsersService } from './dialpad-users.service.js';
import {
  DialpadStatusDto,
  DialpadUserDto,
  DisconnectResultDto,
  ListDialpadUsersQueryDto,
  SubscribeDto,
  SubscribeResultDto,
  SyncUsersResultDto,
} from './dto/dialpad-connect.dto.js';

/** The answers of a route that calls Dialpad. */
const CallsDialpad = () =>
  applyDecorators(
    ApiResponse({ status: 409, description: 'The app is not connected to Dialpad, or must connect again' }),
    ApiResponse({ status: 429, description: 'Rate limited (ours or Dialpad’s): see Retry-After' }),
    ApiResponse({ status: 502, description: 'Dialpad refused the request (its message is in the answer)' }),
    ApiResponse({ status: 503, description: 'Dialpad unreachable, failing or timing out (circuit open: Retry-After)' }),
  );

@ApiTags('internal: dialpad')
@ApiBearerAuth('admin')
@UseGuards(AdminGuard)
@ApiErrors(ADMIN_AUTH_ERRORS, 400, { 404: 'Unknown app' }, 503)
@Controller('internal/apps/:app_id/dialpad')
export class DialpadAdminController {
  constructor(
    private readonly connect: DialpadConnectService,
    private readonly users: DialpadUsersService,
    private readonly subscriptions: DialpadSubscribeService,
  ) {}

  /** The app's Dialpad connection: status, company, token expiry, scopes, last error. No secrets. */
  @Get('status')
  status(@Param('app_id', new ParseUUIDPipe()) appId: AppId): Promise<DialpadStatusDto> {
    return this.connect.status(appId);
  }

  /** Disconnect: revoke at Dialpad (best effort), wipe the tokens, status `disconnected`. */
  @Delete()
  @HttpCode(200)
  @ApiErrors({ 404: 'Unknown app, or the app has no Dialpad connection' })
  disconnect(@Param('app_id', new ParseUUIDPipe()) appId: AppId): Promise<DisconnectResultDto> {
    return this.connect.disconnect(appId);
  }

  /** Pull the company's Dialpad users (pages of at most 100) into dialpad_users, so user mappings can be made by e-mail. */
  @Post('sync-users')
  @HttpCode(200)
  @CallsDialpad()
  syncUsers(@Param('app_id', new ParseUUIDPipe()) appId: AppId): Promise<SyncUsersResultDto> {
    return this.users.sync(appId);
  }

  /** The synced Dialpad users of the app. */
  @Get('users')
  listUsers(@Param('app_id', new ParseUUIDPipe()) appId: AppId, @Query() q: ListDialpadUsersQueryDto): Promise<DialpadUserDto[]> {
    return this.users.list(appId, q.limit ?? 100, q.offset ?? 0);
  }

  /**
   * Wire Dialpad to this service: creates a Dialpad webhook to PUBLIC_BASE_URL/webhooks/dialpad/<app_id>
   * (signed with the app's webhook secret) and a call-event subscription (all states by default).
   */
  @Post('subscribe')
  @CallsDialpad()
  @ApiResponse({ status: 201, type: SubscribeResultDto, description: 'Created' })
  @ApiResponse({ status: 200, type: SubscribeResultDto, description: 'Already subscribed (nothing created)' })
  async subscribe(
    @Param('app_id', new ParseUUIDPipe()) appId: AppId,
    @Body() body: SubscribeDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<SubscribeResultDto> {
    const result = await this.subscriptions.subscribe(appId, body);
    reply.status(result.created ? 201 : 200);
    return result;
  }
}
