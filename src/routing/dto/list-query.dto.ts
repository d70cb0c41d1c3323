import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsBoolean, IsInt, IsOptional, Max, Min } from 'class-validator';
import { IsTag } from '../../common/validators.js';

export class ListQueryDto {
  @ApiPropertyOptional({ minimum: 1, maximum: 1000, default: 100 })
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(1000)
  limit: number = 100;

  @ApiPropertyOptional({ minimum: 0, default: 0 })
  @IsOptional() @Type(() => Number) @IsInt() @Min(0)
  offset: number = 0;

  @ApiPropertyOptional({ description: 'Only entities carrying every given tag; repeat or comma-separate.', type: [String], example: 'team-orders' })
  @IsOptional()
  @Transform(({ value }) => (Array.isArray(value) ? value : String(value).split(',')).map((tag: string) => tag.trim()).filter(Boolean))
  @IsArray() @ArrayMaxSize(16) @IsTag()
  tag?: string[];
}

export class CascadeQueryDto {
  @ApiPropertyOptional({ description: 'Delete the routes that use the service too.', default: false })
  @IsOptional()
  @Transform(({ value }) => (value === 'true' || value === true ? true : value === 'false' || value === false ? false : value))
  @IsBoolean({ message: 'cascade must be true or false' })
  cascade?: boolean;
}
