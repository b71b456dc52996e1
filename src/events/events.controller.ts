import { Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query, UseGuards } from '@nestjs/common';
import type { AppId } from '../common/app-id.js';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { AppsService } from '../apps/apps.service.js';
import { AdminGuard } from '../auth/admin.guard.js';
import { DomainError } from '../common/errors/domain-error.js';
import { parseJsonLossless } from '../common/lossless-json.js';
import { ApiErrors, ADMIN_AUTH_ERRORS } from '../infra/http/api-errors.js';
import { ListEventsQueryDto, ReplayResultDto, WebhookEventDetailDto, WebhookEventPageDto } from './dto/events.dto.js';
import { EventProcessor } from './event-processor.service.js';
import { EventsRepository } from './events.repository.js';

const EVENT_ID = /^\d{1,18}$/;

@ApiTags('internal: events')
@ApiBearerAuth('admin')
@UseGuards(AdminGuard)
@ApiErrors(ADMIN_AUTH_ERRORS, 400, 503)
@Controller('internal/apps/:app_id/events')
export class EventsController {
  constructor(
    private readonly events: EventsRepository,
    private readonly apps: AppsService,
    private readonly processor: EventProcessor,
  ) {}

  /** The app's stored webhook events, newest first; `status=dead` lists the dead letters. */
  @Get()
  @ApiErrors({ 404: 'Unknown app' })
  async list(@Param('app_id', new ParseUUIDPipe()) appId: AppId, @Query() q: ListEventsQueryDto): Promise<WebhookEventPageDto> {
    await this.apps.require(appId);
    const limit = q.limit ?? 50;
    const items = await this.events.list(appId, q.status, limit, q.before);
    return { items, next_before: items.length === limit ? items[items.length - 1]!.id : null };
  }

  /** One event with its payload. */
  @Get(':id')
  @ApiErrors({ 404: 'No such event in the app' })
  async get(@Param('app_id', new ParseUUIDPipe()) appId: AppId, @Param('id') id: string): Promise<WebhookEventDetailDto> {
    const row = EVENT_ID.test(id) ? await this.events.findOne(appId, id) : null;
    if (!row) throw new DomainError('NOT_FOUND', `Event ${id.slice(0, 32)} not found`);
    const { payload_json, ...rest } = row;
    return { ...rest, payload: parseJsonLossless(payload_json) as Record<string, unknown> };
  }

  /** Put a dead (or processed) event back in the queue; it is processed again at once. */
  @Post(':id/replay')
  @HttpCode(202)
  @ApiErrors({ 404: 'No such event in the app' })
  async replay(@Param('app_id', new ParseUUIDPipe()) appId: AppId, @Param('id') id: string): Promise<ReplayResultDto> {
    if (!EVENT_ID.test(id) || !(await this.events.requeue(appId, id))) {
      throw new DomainError('NOT_FOUND', `Event ${id.slice(0, 32)} not found`);
    }
    this.processor.wakeForWholeQueue();
    return { id, requeued: true };
  }
}
