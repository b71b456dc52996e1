import { Transform } from 'class-transformer';
import { IsOptional, IsString, Length, Matches, MaxLength } from 'class-validator';
import { OffsetPageQueryDto } from '../../common/dto/page-query.dto.js';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

export class AddDncDto {
  /** The number: E.164 (`+14155550123`), or national digits read in `region`. */
  @Transform(trim)
  @IsString()
  @Length(3, 40)
  phone!: string;

  /** Why it may not be called (e.g. "asked on the call", "state list"). */
  @IsOptional()
  @IsString()
  @MaxLength(200)
  reason?: string;

  /** ISO country of numbers written without +country (default US). */
  @IsOptional()
  @Matches(/^[A-Z]{2}$/, { message: 'region must be an ISO country code such as US' })
  region?: string;
}

export class ImportDncDto {
  /**
   * CSV text: one number per line, in the first column or in a column headed
   * `phone` / `number`; blank lines and a header line are skipped.
   */
  @IsString()
  @Length(1, 1_000_000)
  csv!: string;

  @IsOptional()
  @IsString()
  @MaxLength(200)
  reason?: string;

  @IsOptional()
  @Matches(/^[A-Z]{2}$/, { message: 'region must be an ISO country code such as US' })
  region?: string;
}

export class ListDncQueryDto extends OffsetPageQueryDto {
  /** Only numbers containing these digits. */
  @IsOptional()
  @Matches(/^\+?\d{1,15}$/, { message: 'phone must be digits, optionally with a leading +' })
  phone?: string;
}

export class DncEntryDto {
  /** E.164 */
  phone!: string;
  reason!: string | null;
  /** who added it: the admin token's subject, or `agent:<e-mail>` for a disposition */
  added_by!: string;
  created_at!: Date;
}

export class DncPageDto {
  items!: DncEntryDto[];
  total!: number;
}

export class DncImportResultDto {
  /** numbers newly on the list */
  added!: number;
  /** numbers that were on it already */
  already_listed!: number;
  /** lines that are not a valid number, with their line numbers (first 100) */
  invalid!: { line: number; value: string }[];
  invalid_count!: number;
}

export class DncRemovedDto {
  phone!: string;
  removed!: boolean;
}

