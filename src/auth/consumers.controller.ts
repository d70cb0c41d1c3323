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
import { ProblemView } from '../common/problem.view.js';
import { ListQueryDto } from '../routing/dto/list-query.dto.js';
import { AdminAuth } from './admin-auth.decorator.js';
import { ConsumersService } from './consumers.service.js';
import { ConsumerList, ConsumerView, CreateConsumerDto, ReplaceConsumerDto, UpdateConsumerDto } from './dto/consumer.dto.js';

export const CONSUMER_REF = { name: 'consumer', description: 'The consumer id (UUID) or username.', example: 'billing-app' };

@ApiTags('consumers')
@AdminAuth()
@ApiBadRequestResponse({ description: 'A field is missing, unknown or invalid; each is named in `errors`.', type: ProblemView })
@Controller('admin/consumers')
export class ConsumersController {
  constructor(private readonly consumers: ConsumersService) {}

  @Post()
  @ApiOperation({ summary: 'Create a consumer', description: 'Then give it API keys or OAuth clients.' })
  @ApiCreatedResponse({ type: ConsumerView })
  @ApiConflictResponse({ description: 'The username or custom_id is taken.', type: ProblemView })
  create(@Body() body: CreateConsumerDto): Promise<ConsumerView> {
    return this.consumers.create(body);
  }

  @Get()
  @ApiOperation({ summary: 'List consumers', description: 'Oldest first; paginated with limit and offset; filtered by tag.' })
  @ApiOkResponse({ type: ConsumerList })
  list(@Query() query: ListQueryDto): Promise<ConsumerList> {
    return this.consumers.list(query);
  }

  @Get(':consumer')
  @ApiOperation({ summary: 'Show a consumer' })
  @ApiParam(CONSUMER_REF)
  @ApiOkResponse({ type: ConsumerView })
  @ApiNotFoundResponse({ type: ProblemView })
  get(@Param('consumer') ref: string): Promise<ConsumerView> {
    return this.consumers.get(ref);
  }

  @Patch(':consumer')
  @ApiOperation({ summary: 'Change some fields of a consumer', description: 'New scopes apply to its API keys at once and to tokens issued from then on.' })
  @ApiParam(CONSUMER_REF)
  @ApiOkResponse({ type: ConsumerView })
  @ApiNotFoundResponse({ type: ProblemView })
  @ApiConflictResponse({ description: 'The new username or custom_id is taken.', type: ProblemView })
  update(@Param('consumer') ref: string, @Body() body: UpdateConsumerDto): Promise<ConsumerView> {
    return this.consumers.update(ref, body);
  }

  @Put(':consumer')
  @ApiOperation({ summary: 'Replace a consumer, or create it under this username', description: 'Fields left out take their defaults.' })
  @ApiParam(CONSUMER_REF)
  @ApiOkResponse({ description: 'Replaced.', type: ConsumerView })
  @ApiCreatedResponse({ description: 'Created.', type: ConsumerView })
  @ApiNotFoundResponse({ description: 'No consumer has this id.', type: ProblemView })
  async replace(@Param('consumer') ref: string, @Body() body: ReplaceConsumerDto, @Res({ passthrough: true }) res: Response): Promise<ConsumerView> {
    const { view, created } = await this.consumers.replace(ref, body);
    res.status(created ? 201 : 200);
    return view;
  }

  @Delete(':consumer')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a consumer', description: 'Its API keys and clients go with it; tokens issued to it stop working.' })
  @ApiParam(CONSUMER_REF)
  @ApiNoContentResponse({ description: 'Deleted.' })
  @ApiNotFoundResponse({ type: ProblemView })
  async remove(@Param('consumer') ref: string): Promise<void> {
    await this.consumers.remove(ref);
  }
}
