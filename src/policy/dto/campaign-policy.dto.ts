import 'reflect-metadata';
import { plainToInstance, Type } from 'class-transformer';
import {
  IsBoolean,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
  ValidateBy,
  ValidateNested,
  ValidationError,
  validateSync,
} from 'class-validator';
import { isSupportedCountry } from 'libphonenumber-js/max';
import { IANAZone } from 'luxon';
import { type CampaignPolicyOverrides, minutesOfDay, resolvePolicy } from '../campaign-policy.js';

const HHMM = /^([01]\d|2[0-3]):[0-5]\d$|^24:00$/;
const WEEK_MINUTES = 7 * 24 * 60;

const IsIanaZone = () =>
  ValidateBy({
    name: 'isIanaZone',
    validator: {
      validate: (v: unknown) => typeof v === 'string' && IANAZone.isValidZone(v),
      defaultMessage: () => '$property must be an IANA time zone such as America/New_York',
    },
  });

const IsRegion = () =>
  ValidateBy({
    name: 'isRegion',
    validator: {
      validate: (v: unknown) => typeof v === 'string' && isSupportedCountry(v),
      defaultMessage: () => '$property must be an ISO 3166 alpha-2 region code such as US',
    },
  });

export class CallingWindowDto {
  /** Enforce the calling window (default true). */
  @IsOptional()
  @IsBoolean()
  enabled?: boolean;

  /** Start, HH:mm in the called person's local time (default 08:00). */
  @IsOptional()
  @IsString()
  @Matches(HHMM, { message: '$property must be HH:mm' })
  start?: string;

  /** End (exclusive), HH:mm (default 21:00). */
  @IsOptional()
  @IsString()
  @Matches(HHMM, { message: '$property must be HH:mm' })
  end?: string;
}

export class RetryDelaysDto {
  /** Minutes after a VM_SAME_NAME disposition (default 180). */
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(WEEK_MINUTES)
  VM_SAME_NAME?: number;

  /** Minutes after a VM_OR_NA_UNKNOWN disposition (default 180). */
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(WEEK_MINUTES)
  VM_OR_NA_UNKNOWN?: number;

  /** Minutes after a NO_ANSWER disposition (default 60). */
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(WEEK_MINUTES)
  NO_ANSWER?: number;
}

export class RetryPolicyDto {
  /** Enforce retry delays (default true). */
  @IsOptional()
  @IsBoolean()
  enabled?: boolean;

  @IsOptional()
  @ValidateNested()
  @Type(() => RetryDelaysDto)
  delayMinutes?: RetryDelaysDto;
}

/** Overrides of the campaign policy (docs/architecture.md, "Picking the next number"); every field is optional and defaults as documented. */
export class CampaignPolicyDto {
  @IsOptional()
  @ValidateNested()
  @Type(() => CallingWindowDto)
  callingWindow?: CallingWindowDto;

  @IsOptional()
  @ValidateNested()
  @Type(() => RetryPolicyDto)
  retry?: RetryPolicyDto;

  /** Attempts per lead before its open numbers become EXHAUSTED (default 6). */
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(100)
  maxAttempts?: number;

  /** Optional cap of dials per number in any 24 h (null or absent: no cap). */
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(100)
  maxAttemptsPerNumberPer24h?: number | null;

  /** Optional cap of dials per number in any 7 days, counted from the attempt history (null or absent: no cap). */
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(1000)
  maxAttemptsPerNumberPer7d?: number | null;

  /** Optional cap of dials per lead (all its numbers) in any 24 h, from the attempt history (null or absent: no cap). */
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(100)
  maxAttemptsPerLeadPer24h?: number | null;

  /** Optional cap of dials per lead in any 7 days, from the attempt history (null or absent: no cap). */
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(1000)
  maxAttemptsPerLeadPer7d?: number | null;

  /** Region of numbers written without a country code (default US). */
  @IsOptional()
  @IsRegion()
  defaultRegion?: string;

  /** Zone used when neither the row nor the number tells the called person's zone (default America/New_York). */
  @IsOptional()
  @IsIanaZone()
  defaultTimezone?: string;
}

export type PolicyValidation = { ok: true; value: CampaignPolicyOverrides } | { ok: false; errors: string[] };

/**
 * Validates policy overrides (unknown fields refused), including what one
 * decorator cannot see: the window must start before it ends.
 */
export function validatePolicyOverrides(input: unknown): PolicyValidation {
  if (input === undefined || input === null) return { ok: true, value: {} };
  if (typeof input !== 'object' || Array.isArray(input)) return { ok: false, errors: ['policy must be an object'] };
  const dto = plainToInstance(CampaignPolicyDto, input);
  const errors = flatten(validateSync(dto, { whitelist: true, forbidNonWhitelisted: true }));
  if (errors.length > 0) return { ok: false, errors };
  const value = dto as CampaignPolicyOverrides;
  const { start, end } = resolvePolicy(value).callingWindow;
  if ((minutesOfDay(start) ?? 0) >= (minutesOfDay(end) ?? 0)) {
    return { ok: false, errors: [`callingWindow.start (${start}) must be before callingWindow.end (${end})`] };
  }
  return { ok: true, value: stripUndefined(value) as CampaignPolicyOverrides };
}

function flatten(errors: ValidationError[], parent = ''): string[] {
  return errors.flatMap((e) => {
    const path = parent ? `${parent}.${e.property}` : e.property;
    const own = Object.values(e.constraints ?? {}).map((m) => (m.startsWith(e.property) ? `${parent ? parent + '.' : ''}${m}` : `${path}: ${m}`));
    return [...own, ...flatten(e.children ?? [], path)];
  });
}

/** A plain object (no DTO prototypes), ready to store as JSON. */
function stripUndefined(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => [k, stripUndefined(v)]),
  );
}
