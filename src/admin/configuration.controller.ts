import { Body, Controller, Get, Inject, Put } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AdminAuth } from '../auth/admin-auth.decorator.js';
import { RESPONSE_CACHE_STORE, type ResponseCacheStore } from '../cache/response-cache-store.js';
import { GatewayConfig } from '../config/gateway-config.js';
import { RouteTableService } from '../routing/table/route-table.service.js';
import { redactSetting } from './redact.js';
import { ConfigurationView, RuntimeSettingsView, UpdateRuntimeSettingsDto } from './runtime-settings.dto.js';
import { RuntimeSettingsService } from './runtime-settings.service.js';

@ApiTags('admin')
@AdminAuth()
@Controller('admin/configuration')
export class ConfigurationController {
  constructor(
    private readonly config: GatewayConfig,
    private readonly settings: RuntimeSettingsService,
    private readonly routes: RouteTableService,
    @Inject(RESPONSE_CACHE_STORE) private readonly cache: ResponseCacheStore,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Show the effective configuration', description: 'The environment as validated at start (secrets redacted) and the run-time settings in force.' })
  @ApiOkResponse({ type: ConfigurationView })
  show(): ConfigurationView {
    const environment: Record<string, unknown> = {};
    for (const [name, value] of Object.entries(this.config.environment).sort(([a], [b]) => a.localeCompare(b))) environment[name] = redactSetting(name, value);
    return { runtime: this.settings.current, environment, config_version: this.routes.current.version, cache_store: this.cache.kind };
  }

  @Put()
  @ApiOperation({
    summary: 'Change run-time settings',
    description: 'Persisted, audited, and applied by every instance within a second or so (on the next configuration version). Fields left out keep their value.',
  })
  @ApiOkResponse({ type: RuntimeSettingsView })
  update(@Body() body: UpdateRuntimeSettingsDto): Promise<RuntimeSettingsView> {
    return this.settings.update(body);
  }
}
