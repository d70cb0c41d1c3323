import type { Type } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';

/** The documented shape of a page of `item`s (see routing/lookup.ts `page`). */
export function PageView<T>(item: Type<T>) {
  class Page {
    @ApiProperty({ type: [item] }) data: T[];
    @ApiProperty({ example: 1 }) total: number;
    @ApiProperty({ example: 100 }) limit: number;
    @ApiProperty({ example: 0 }) offset: number;
    @ApiProperty({ nullable: true, type: Number, description: 'Offset of the next page, null on the last one.' }) next_offset: number | null;
  }
  return Page;
}
