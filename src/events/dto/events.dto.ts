import { Transform } from 'class-transformer';
import { IsIn, IsInt, IsOptional, Matches, Max, Min } from 'class-validator';
import type { EventStatus } from '../events.repository.js';

export class ListEventsQueryDto {
  /** pending: not yet tried; failed: retrying; processed; dead: gave up after EVENT_MAX_ATTEMPTS. */
  @IsOptional()
  @IsIn(['pending', 'failed', 'processed', 'dead'])
  status?: EventStatus;

  /** Page size (1–200, default 50). */
  @IsOptional()
  @Transform(({ value }) => Number(value))
  @IsInt()
  @Min(1)
  @Max(200)
  limit?: number;

  /** Events with a smaller id than this (from `next_before`). */
  @IsOptional()
  // at most 18 digits: a longer number overflows the bigint column (a 500, not a 400)
  @Matches(/^\d{1,18}$/, { message: 'before must be an event id (digits only)' })
  before?: string;
}

export class WebhookEventDto {
  id!: string;
  dialpad_event_id!: string;
  event_type!: string;
  dialpad_call_id!: string | null;
  status!: 'pending' | 'failed' | 'processed' | 'dead';
  received_at!: Date;
  processed_at!: Date | null;
  attempts!: number;
  last_error!: string | null;
  next_attempt_at!: Date;
  dead_at!: Date | null;
}

export class WebhookEventDetailDto extends WebhookEventDto {
  /** The payload as stored (big integer ids kept exact). */
  payload!: Record<string, unknown>;
}

export class WebhookEventPageDto {
  items!: WebhookEventDto[];
  next_before!: string | null;
}

export class ReplayResultDto {
  id!: string;
  requeued!: true;
}
