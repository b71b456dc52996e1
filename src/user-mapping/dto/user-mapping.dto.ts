import { Transform, Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsEmail, IsInt, IsOptional, IsString, Length, Matches, Max, Min, ValidateNested } from 'class-validator';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

export class UserMappingInputDto {
  /** Dialpad user id (digits; Dialpad ids exceed JavaScript's safe integers, send a string). */
  @Matches(/^\d{1,32}$/, { message: 'dialpad_user_id must be a string of digits' })
  dialpad_user_id!: string;

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
  @Matches(/^\d{1,32}$/)
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
