import { Transform } from 'class-transformer';
import { IsInt, IsOptional, Matches, Max, Min } from 'class-validator';

const toNumber = ({ value }: { value: unknown }) => Number(value);

/** `?limit=`: every list's page size. */
export class LimitQueryDto {
  /** Page size (1–200, default 50). */
  @IsOptional()
  @Transform(toNumber)
  @IsInt()
  @Min(1)
  @Max(200)
  limit?: number;
}

/** `?limit=&offset=` pagination. */
export class OffsetPageQueryDto extends LimitQueryDto {
  /** Rows to skip. */
  @IsOptional()
  @Transform(toNumber)
  @IsInt()
  @Min(0)
  @Max(Number.MAX_SAFE_INTEGER) // beyond it the value reaches PostgreSQL as "1e+20"
  offset?: number;
}

/** `?limit=&before=` pagination over a bigint id, newest first. */
export class BeforeIdPageQueryDto extends LimitQueryDto {
  /** Items older than this id (the previous page's `next_before`). */
  @IsOptional()
  // at most 18 digits: a longer number overflows the bigint column
  @Matches(/^\d{1,18}$/, { message: 'before must be an id from next_before (digits only)' })
  before?: string;
}
