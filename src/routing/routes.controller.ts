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
import { ListQueryDto } from './dto/list-query.dto.js';
import { CreateRouteDto, ReplaceRouteDto, RouteList, RouteView, UpdateRouteDto } from './dto/route.dto.js';
import { RoutesService } from './routes.service.js';

const ID_OR_NAME = { name: 'idOrName', description: 'The route id (UUID) or name.', example: 'jobs-search' };

@ApiTags('routes')
@AdminAuth()
@ApiBadRequestResponse({ description: 'A field is missing, unknown or invalid; each is named in `errors`.', type: ProblemView })
@Controller('admin/routes')
export class RoutesController {
  constructor(private readonly routes: RoutesService) {}

  @Post()
  @ApiOperation({ summary: 'Create a route', description: 'Served by every instance within a second of the answer.' })
  @ApiCreatedResponse({ type: RouteView })
  @ApiConflictResponse({ description: 'A route with this name exists.', type: ProblemView })
  create(@Body() body: CreateRouteDto): Promise<RouteView> {
    return this.routes.create(body);
  }

  @Get()
  @ApiOperation({ summary: 'List routes', description: 'Oldest first; paginated with limit and offset; filtered by tag.' })
  @ApiOkResponse({ type: RouteList })
  list(@Query() query: ListQueryDto): Promise<RouteList> {
    return this.routes.list(query);
  }

  @Get(':idOrName')
  @ApiOperation({ summary: 'Show a route' })
  @ApiParam(ID_OR_NAME)
  @ApiOkResponse({ type: RouteView })
  @ApiNotFoundResponse({ type: ProblemView })
  get(@Param('idOrName') idOrName: string): Promise<RouteView> {
    return this.routes.get(idOrName);
  }

  @Patch(':idOrName')
  @ApiOperation({ summary: 'Change some fields of a route' })
  @ApiParam(ID_OR_NAME)
  @ApiOkResponse({ type: RouteView })
  @ApiNotFoundResponse({ type: ProblemView })
  @ApiConflictResponse({ description: 'The new name is taken.', type: ProblemView })
  update(@Param('idOrName') idOrName: string, @Body() body: UpdateRouteDto): Promise<RouteView> {
    return this.routes.update(idOrName, body);
  }

  @Put(':idOrName')
  @ApiOperation({ summary: 'Replace a route, or create it under this name', description: 'Fields left out take their defaults.' })
  @ApiParam(ID_OR_NAME)
  @ApiOkResponse({ description: 'Replaced.', type: RouteView })
  @ApiCreatedResponse({ description: 'Created.', type: RouteView })
  @ApiNotFoundResponse({ description: 'No route has this id.', type: ProblemView })
  async replace(@Param('idOrName') idOrName: string, @Body() body: ReplaceRouteDto, @Res({ passthrough: true }) res: Response): Promise<RouteView> {
    const { view, created } = await this.routes.replace(idOrName, body);
    res.status(created ? 201 : 200);
    return view;
  }

  @Delete(':idOrName')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a route' })
  @ApiParam(ID_OR_NAME)
  @ApiNoContentResponse({ description: 'Deleted.' })
  @ApiNotFoundResponse({ type: ProblemView })
  async remove(@Param('idOrName') idOrName: string): Promise<void> {
    await this.routes.remove(idOrName);
  }
}
