import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AuditLogService } from '../audit/audit-log.service.js';
import { AuditList, AuditQueryDto } from '../audit/audit.dto.js';
import { AdminAuth } from '../auth/admin-auth.decorator.js';

@ApiTags('admin')
@AdminAuth()
@Controller('admin/audit-log')
export class AuditLogController {
  constructor(private readonly audit: AuditLogService) {}

  @Get()
  @ApiOperation({ summary: 'List admin changes', description: 'Newest first; filtered by entity type, entity name or id, action, actor and time; paginated.' })
  @ApiOkResponse({ type: AuditList })
  list(@Query() query: AuditQueryDto): Promise<AuditList> {
    return this.audit.list(query);
  }
}
