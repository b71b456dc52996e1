import { Body, Controller, Get, Param, ParseUUIDPipe, Put, UseGuards } from '@nestjs/common';
import type { AppId } from '../common/app-id.js';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { AppsService } from '../apps/apps.service.js';
import { AdminGuard } from '../auth/admin.guard.js';
import { ADMIN_AUTH_ERRORS, ApiErrors } from '../infra/http/api-errors.js';
import { DialerConfigService } from './dialer-config.service.js';
import { DialerConfigDto, DialerConfigInputDto } from './dto/dialer.dto.js';

@ApiTags('internal: dialer')
@ApiBearerAuth('admin')
@UseGuards(AdminGuard)
@ApiErrors(ADMIN_AUTH_ERRORS, 400, 503)
@Controller('internal/apps/:app_id/dialer-config')
export class DialerConfigController {
  constructor(
    private readonly configs: DialerConfigService,
    private readonly apps: AppsService,
  ) {}

  /** The app's dialer configuration (its own, else ROUTER_SPREADSHEET_ID with the default policy). */
  @Get()
  @ApiErrors({ 404: 'Unknown app, or no dialer configuration (none PUT, and ROUTER_SPREADSHEET_ID unset)' })
  async get(@Param('app_id', new ParseUUIDPipe()) appId: AppId): Promise<DialerConfigDto> {
    await this.apps.require(appId);
    return this.configs.get(appId);
  }

  /** Set the router spreadsheet and tab and the campaign policy overrides (validated). */
  @Put()
  @ApiErrors({ 404: 'Unknown app' })
  async put(@Param('app_id', new ParseUUIDPipe()) appId: AppId, @Body() body: DialerConfigInputDto): Promise<DialerConfigDto> {
    await this.apps.require(appId);
    return this.configs.put(appId, body);
  }
}
