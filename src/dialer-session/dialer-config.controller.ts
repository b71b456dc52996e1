import { Body, Controller, Get, Param, ParseUUIDPipe, Put, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { AppsService } from '../apps/apps.service.js';
import { AdminGuard } from '../auth/admin.guard.js';
import { DialerConfigService } from './dialer-config.service.js';
import { DialerConfigDto, DialerConfigInputDto } from './dto/dialer.dto.js';

@ApiTags('internal: dialer')
@ApiBearerAuth('admin')
@UseGuards(AdminGuard)
@Controller('internal/apps/:app_id/dialer-config')
export class DialerConfigController {
  constructor(
    private readonly configs: DialerConfigService,
    private readonly apps: AppsService,
  ) {}

  /** The app's dialer configuration (its own, else ROUTER_SPREADSHEET_ID with the default policy). */
  @Get()
  async get(@Param('app_id', new ParseUUIDPipe()) appId: string): Promise<DialerConfigDto> {
    await this.apps.require(appId);
    return this.configs.get(appId);
  }

  /** Set the router spreadsheet and tab and the campaign policy overrides (validated). */
  @Put()
  async put(@Param('app_id', new ParseUUIDPipe()) appId: string, @Body() body: DialerConfigInputDto): Promise<DialerConfigDto> {
    await this.apps.require(appId);
    return this.configs.put(appId, body);
  }
}
