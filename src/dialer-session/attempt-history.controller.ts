import { Readable } from 'node:stream';
import { Controller, Get, Param, ParseUUIDPipe, Query, Res, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiProduces, ApiTags } from '@nestjs/swagger';
import { stringify } from 'csv-stringify/sync';
import type { FastifyReply } from 'fastify';
import { AppsService } from '../apps/apps.service.js';
import { AdminGuard } from '../auth/admin.guard.js';
import type { AppId } from '../common/app-id.js';
import { timeRange } from '../common/time-range.js';
import { decodeTimeCursor, encodeTimeCursor } from '../common/time-cursor.js';
import { ADMIN_AUTH_ERRORS, ApiErrors } from '../infra/http/api-errors.js';
import { AttemptHistoryRepository, type HistoryRow } from './attempt-history.repository.js';
import { AttemptHistoryPageDto, AttemptHistoryQueryDto, AttemptSummaryDto, AttemptSummaryQueryDto, type AttemptFiltersDto } from './dto/attempt-history.dto.js';

/** Rows per query while a CSV export streams: memory stays bounded whatever the number of attempts. */
const CSV_PAGE = 1000;
const CSV_COLUMNS = [
  'id', 'dialed_at', 'agent_email', 'campaign_name', 'row_id', 'number_index', 'phone', 'status', 'disposition', 'notes',
  'connected_at', 'ended_at', 'talk_time_ms', 'dialpad_call_id', 'spreadsheet_id', 'tab_id',
] as const;

/** The dialer's history and reports for supervisors. */
@ApiTags('internal: dialer')
@ApiBearerAuth('admin')
@UseGuards(AdminGuard)
@ApiErrors(ADMIN_AUTH_ERRORS, 400, { 404: 'Unknown app' }, 503)
@Controller('internal/apps/:app_id/attempts')
export class AttemptHistoryController {
  constructor(
    private readonly history: AttemptHistoryRepository,
    private readonly apps: AppsService,
  ) {}

  /**
   * Dial attempts, newest first, by agent, campaign, lead, number, time range and outcome, with cursor
   * pagination; `format=csv` streams every matching attempt as CSV instead.
   */
  @Get()
  @ApiProduces('application/json', 'text/csv')
  @ApiOkResponse({ type: AttemptHistoryPageDto })
  async list(@Param('app_id', new ParseUUIDPipe()) appId: AppId, @Query() q: AttemptHistoryQueryDto, @Res() reply: FastifyReply): Promise<void> {
    await this.apps.require(appId);
    timeRange(q);
    const after = q.cursor ? decodeTimeCursor(q.cursor) : null;
    if (q.format === 'csv') {
      await reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="attempts-${new Date().toISOString().slice(0, 10)}.csv"`)
        .send(Readable.from(this.csv(appId, q, after)));
      return;
    }
    const limit = q.limit ?? 100;
    const rows = await this.history.page(appId, q, limit, after);
    const last = rows.length === limit ? rows[rows.length - 1] : undefined;
    const page: AttemptHistoryPageDto = { items: rows.map(withoutCursor), next_cursor: last ? encodeTimeCursor({ at: last.cursor_at, id: last.id }) : null };
    await reply.send(page);
  }

  /** Per agent or per campaign over any time range, computed in SQL: dials, connects, connect rate, talk time, dispositions by code, dials per hour, pause time by reason. */
  @Get('summary')
  async summary(@Param('app_id', new ParseUUIDPipe()) appId: AppId, @Query() q: AttemptSummaryQueryDto): Promise<AttemptSummaryDto> {
    await this.apps.require(appId);
    timeRange(q);
    return { group_by: q.group_by, from: q.from ?? null, to: q.to ?? null, rows: await this.history.summary(appId, q.group_by, q) };
  }

  /** The export, a page of rows at a time (each page one query after the previous one's last row). */
  private async *csv(appId: AppId, filters: AttemptFiltersDto, after: { at: string; id: string } | null): AsyncGenerator<string> {
    yield stringify([[...CSV_COLUMNS]]);
    let cursor = after;
    for (;;) {
      const rows = await this.history.page(appId, filters, CSV_PAGE, cursor);
      if (rows.length === 0) return;
      yield stringify(rows.map((r) => CSV_COLUMNS.map((c) => csvCell(r[c]))));
      if (rows.length < CSV_PAGE) return;
      const last = rows[rows.length - 1]!;
      cursor = { at: last.cursor_at, id: last.id };
    }
  }
}

function withoutCursor(row: HistoryRow): AttemptHistoryPageDto['items'][number] {
  const { cursor_at: _cursor, ...item } = row;
  return item;
}

function csvCell(value: string | number | Date | null): string {
  if (value === null) return '';
  return value instanceof Date ? value.toISOString() : String(value);
}
