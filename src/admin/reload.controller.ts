import { Controller, HttpCode, Post, Query } from '@nestjs/common';
import { ApiConflictResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AdminAuth } from '../auth/admin-auth.decorator.js';
import { conflict, invalidRequest } from '../common/gateway-error.js';
import { ProblemView } from '../common/problem.view.js';
import { GatewayConfig } from '../config/gateway-config.js';
import { DeclarativeConfigError, DeclarativeConfigService } from '../routing/declarative/declarative-config.service.js';
import type { DeclarativePlan } from '../routing/declarative/declarative-plan.js';
import { ReloadQueryDto, ReloadResult } from './reload.dto.js';

function resultOf(plan: DeclarativePlan, dryRun: boolean): ReloadResult {
  const all = [...plan.services, ...plan.routes];
  return {
    dry_run: dryRun,
    file: plan.file,
    created: all.filter((c) => c.action === 'create').map((c) => `${c.entity}:${c.name}`),
    updated: all.filter((c) => c.action === 'update').map((c) => ({ entity: c.entity, name: c.name, changes: c.changes })),
    unchanged: all.filter((c) => c.action === 'unchanged').map((c) => `${c.entity}:${c.name}`),
  };
}

@ApiTags('admin')
@AdminAuth()
@Controller('admin/reload-config')
export class ReloadController {
  constructor(
    private readonly config: GatewayConfig,
    private readonly declarative: DeclarativeConfigService,
  ) {}

  @Post()
  @HttpCode(200)
  @ApiOperation({
    summary: 'Re-apply GATEWAY_CONFIG',
    description:
      'Reads the file again and brings the services and routes it names to what it says (others are left alone); answers with the diff. ' +
      'With `?dry_run=true` only the diff is computed. An invalid file changes nothing and is answered 400 with each problem.',
  })
  @ApiOkResponse({ type: ReloadResult })
  @ApiConflictResponse({ description: 'GATEWAY_CONFIG is not set.', type: ProblemView })
  async reload(@Query() query: ReloadQueryDto): Promise<ReloadResult> {
    const file = this.config.declarativeConfigPath;
    if (!file) throw conflict('GATEWAY_CONFIG is not set: there is no declarative file to reload');
    let plan: DeclarativePlan;
    try {
      plan = await this.declarative.plan(file);
    } catch (error) {
      if (error instanceof DeclarativeConfigError) {
        throw invalidRequest(`GATEWAY_CONFIG ${file} is invalid`, error.problems.map((problem) => ({ field: problem.split(':')[0], message: problem })));
      }
      throw error;
    }
    if (!query.dry_run) await this.declarative.execute(plan);
    return resultOf(plan, query.dry_run ?? false);
  }
}
