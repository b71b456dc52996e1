import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsEmail,
  IsInt,
  IsOptional,
  IsString,
  Length,
  Matches,
  Max,
  Min,
  Validate,
  ValidateIf,
  ValidateNested,
  ValidationArguments,
  ValidatorConstraint,
  ValidatorConstraintInterface,
} from 'class-validator';
import { DIGITS_ID_PATTERN } from '../../common/ids.js';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

/** The decorated property may not be given together with the named one. */
@ValidatorConstraint({ name: 'notTogetherWith' })
class NotTogetherWith implements ValidatorConstraintInterface {
  validate(_value: unknown, args: ValidationArguments): boolean {
    return (args.object as Record<string, unknown>)[args.constraints[0] as string] === undefined;
  }

  defaultMessage(args: ValidationArguments): string {
    return `give either ${String(args.constraints[0])} or ${args.property}, not both`;
  }
}

export class UserMappingInputDto {
  /** Dialpad user id (digits; Dialpad ids exceed JavaScript's safe integers, send a string). Give this or `dialpad_user_email`. */
  @ValidateIf((o: UserMappingInputDto) => o.dialpad_user_email === undefined || o.dialpad_user_id !== undefined)
  @Matches(DIGITS_ID_PATTERN, { message: 'dialpad_user_id must be a string of digits (or give dialpad_user_email instead)' })
  dialpad_user_id?: string;

  /**
   * The Dialpad user's e-mail, in place of `dialpad_user_id`: resolved through the app's synced Dialpad
   * users (POST /internal/apps/:app_id/dialpad/sync-users). Also stored as the mapping's `email` unless one is given.
   */
  @ValidateIf((o: UserMappingInputDto) => o.dialpad_user_email !== undefined)
  @IsEmail({}, { message: 'dialpad_user_email must be an e-mail address' })
  @Length(3, 320)
  @Validate(NotTogetherWith, ['dialpad_user_id'])
  dialpad_user_email?: string;

  /** The user's id in the CRM. */
  @Transform(trim)
  @IsString()
  @Length(1, 200)
  crm_user_id!: string;

  @IsOptional()
  @Transform(trim)
  @IsString()
  @Length(1, 200)
  display_name?: string;

  @IsOptional()
  @IsEmail()
  @Length(3, 320)
  email?: string;
}

export class BatchMapDto {
  /** 1–1000 mappings, applied all together or not at all. */
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(1000)
  @ValidateNested({ each: true })
  @Type(() => UserMappingInputDto)
  mappings!: UserMappingInputDto[];
}

export class ListMappingsQueryDto {
  @IsOptional()
  @Matches(DIGITS_ID_PATTERN)
  dialpad_user_id?: string;

  @IsOptional()
  @IsString()
  @Length(1, 200)
  crm_user_id?: string;

  @IsOptional()
  @Transform(({ value }) => Number(value))
  @IsInt()
  @Min(1)
  @Max(1000)
  limit?: number;

  @IsOptional()
  @Transform(({ value }) => Number(value))
  @IsInt()
  @Min(0)
  offset?: number;
}

export class UserMappingDto {
  id!: string;
  dialpad_user_id!: string;
  crm_user_id!: string;
  display_name!: string | null;
  email!: string | null;
  created_at!: Date;
  updated_at!: Date;
}

export class BatchMapResultDto {
  /** Rows created or updated. */
  count!: number;
  mappings!: UserMappingDto[];
}
