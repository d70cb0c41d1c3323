import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query, Res } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import type { Response } from 'express';
import { ProblemView } from '../common/problem.view.js';
import { ListQueryDto } from '../routing/dto/list-query.dto.js';
import { DiscoveryAuth } from './discovery-auth.decorator.js';
import { DiscoveredServiceList, HeartbeatView, RegisterTargetDto, RegistrationView, TargetIdParam } from './dto/registration.dto.js';
import { RegistrationService } from './registration.service.js';

@ApiTags('discovery')
@DiscoveryAuth()
@ApiBadRequestResponse({ description: 'A field is missing, unknown or invalid; each is named in `errors`.', type: ProblemView })
@Controller('discovery')
export class DiscoveryController {
  constructor(private readonly registrations: RegistrationService) {}

  @Post('register')
  @ApiOperation({
    summary: 'Register an instance of a service',
    description:
      'Adds `host:port` to the service (created when it does not exist) and returns the target id. Registering the same address again updates it and renews it (200). ' +
      'With `ttl_seconds`, the target leaves rotation when no heartbeat arrives for that long.',
  })
  @ApiCreatedResponse({ description: 'Registered.', type: RegistrationView })
  @ApiOkResponse({ description: 'Already registered; updated and renewed.', type: RegistrationView })
  @ApiConflictResponse({ description: 'The address is configured through the admin API.', type: ProblemView })
  async register(@Body() body: RegisterTargetDto, @Res({ passthrough: true }) res: Response): Promise<RegistrationView> {
    const { view, created } = await this.registrations.register(body);
    res.status(created ? 201 : 200);
    return view;
  }

  @Put('heartbeat/:id')
  @ApiOperation({ summary: 'Renew a registration', description: 'Cheap: no configuration change; every instance sees it within a second.' })
  @ApiOkResponse({ type: HeartbeatView })
  @ApiNotFoundResponse({ description: 'No such registration (it may have expired and been deleted: register again).', type: ProblemView })
  heartbeat(@Param() params: TargetIdParam): Promise<HeartbeatView> {
    return this.registrations.heartbeat(params.id);
  }

  @Delete('register/:id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Deregister an instance', description: 'Out of rotation on every instance within a second.' })
  @ApiNoContentResponse({ description: 'Deregistered.' })
  @ApiNotFoundResponse({ description: 'No such registration.', type: ProblemView })
  async deregister(@Param() params: TargetIdParam): Promise<void> {
    await this.registrations.deregister(params.id);
  }

  @Get('services')
  @ApiOperation({ summary: 'Services with their targets and health', description: "Health as this gateway instance sees it. Paginated like /admin/services." })
  @ApiOkResponse({ type: DiscoveredServiceList })
  list(@Query() query: ListQueryDto): Promise<DiscoveredServiceList> {
    return this.registrations.list(query);
  }
}
