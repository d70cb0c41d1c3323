import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Put, Query, Res } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiTags,
} from '@nestjs/swagger';
import type { Response } from 'express';
import { AdminAuth } from '../auth/admin-auth.decorator.js';
import { ProblemView } from '../common/problem.view.js';
import { CascadeQueryDto, ListQueryDto } from './dto/list-query.dto.js';
import { CreateServiceDto, ReplaceServiceDto, ServiceList, ServiceView, UpdateServiceDto } from './dto/service.dto.js';
import { ServicesService } from './services.service.js';

const ID_OR_NAME = { name: 'idOrName', description: 'The service id (UUID) or name.', example: 'orders' };

@ApiTags('services')
@AdminAuth()
@ApiBadRequestResponse({ description: 'A field is missing, unknown or invalid; each is named in `errors`.', type: ProblemView })
@Controller('admin/services')
export class ServicesController {
  constructor(private readonly services: ServicesService) {}

  @Post()
  @ApiOperation({ summary: 'Register an upstream service' })
  @ApiCreatedResponse({ type: ServiceView })
  @ApiConflictResponse({ description: 'A service with this name exists.', type: ProblemView })
  create(@Body() body: CreateServiceDto): Promise<ServiceView> {
    return this.services.create(body);
  }

  @Get()
  @ApiOperation({ summary: 'List services', description: 'Oldest first; paginated with limit and offset; filtered by tag.' })
  @ApiOkResponse({ type: ServiceList })
  list(@Query() query: ListQueryDto): Promise<ServiceList> {
    return this.services.list(query);
  }

  @Get(':idOrName')
  @ApiOperation({ summary: 'Show a service' })
  @ApiParam(ID_OR_NAME)
  @ApiOkResponse({ type: ServiceView })
  @ApiNotFoundResponse({ type: ProblemView })
  get(@Param('idOrName') idOrName: string): Promise<ServiceView> {
    return this.services.get(idOrName);
  }

  @Patch(':idOrName')
  @ApiOperation({ summary: 'Change some fields of a service', description: '`url` or `targets` replaces the whole target set.' })
  @ApiParam(ID_OR_NAME)
  @ApiOkResponse({ type: ServiceView })
  @ApiNotFoundResponse({ type: ProblemView })
  @ApiConflictResponse({ description: 'The new name is taken.', type: ProblemView })
  update(@Param('idOrName') idOrName: string, @Body() body: UpdateServiceDto): Promise<ServiceView> {
    return this.services.update(idOrName, body);
  }

  @Put(':idOrName')
  @ApiOperation({ summary: 'Replace a service, or create it under this name', description: 'Fields left out take their defaults.' })
  @ApiParam(ID_OR_NAME)
  @ApiOkResponse({ description: 'Replaced.', type: ServiceView })
  @ApiCreatedResponse({ description: 'Created.', type: ServiceView })
  @ApiNotFoundResponse({ description: 'No service has this id.', type: ProblemView })
  async replace(@Param('idOrName') idOrName: string, @Body() body: ReplaceServiceDto, @Res({ passthrough: true }) res: Response): Promise<ServiceView> {
    const { view, created } = await this.services.replace(idOrName, body);
    res.status(created ? 201 : 200);
    return view;
  }

  @Delete(':idOrName')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a service', description: 'Refused while routes use it, unless `?cascade=true` deletes them too.' })
  @ApiParam(ID_OR_NAME)
  @ApiNoContentResponse({ description: 'Deleted.' })
  @ApiNotFoundResponse({ type: ProblemView })
  @ApiConflictResponse({ description: 'Routes still use the service.', type: ProblemView })
  async remove(@Param('idOrName') idOrName: string, @Query() query: CascadeQueryDto): Promise<void> {
    await this.services.remove(idOrName, query.cascade ?? false);
  }
}
