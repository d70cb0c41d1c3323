import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiCreatedResponse, ApiNoContentResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { ProblemView } from '../common/problem.view.js';
import { ListQueryDto } from '../routing/dto/list-query.dto.js';
import { AdminAuth } from './admin-auth.decorator.js';
import { ConsumerCredentialsService } from './consumer-credentials.service.js';
import { CONSUMER_REF } from './consumers.controller.js';
import { ApiKeyList, ApiKeyView, CreateApiKeyDto, CreatedApiKeyView } from './dto/api-key.dto.js';

const KEY_ID = { name: 'keyId', description: 'The API key id (UUID).', format: 'uuid' };

@ApiTags('consumers')
@AdminAuth()
@ApiBadRequestResponse({ description: 'A field is missing, unknown or invalid; each is named in `errors`.', type: ProblemView })
@ApiParam(CONSUMER_REF)
@Controller('admin/consumers/:consumer/keys')
export class ApiKeysController {
  constructor(private readonly credentials: ConsumerCredentialsService) {}

  @Post()
  @ApiOperation({ summary: 'Create an API key', description: 'The answer is the only place the key appears: only a keyed hash of it is stored.' })
  @ApiCreatedResponse({ type: CreatedApiKeyView })
  @ApiNotFoundResponse({ description: 'No such consumer.', type: ProblemView })
  create(@Param('consumer') consumer: string, @Body() body: CreateApiKeyDto): Promise<CreatedApiKeyView> {
    return this.credentials.createKey(consumer, body);
  }

  @Get()
  @ApiOperation({ summary: "List a consumer's API keys", description: 'Oldest first, without the keys themselves.' })
  @ApiOkResponse({ type: ApiKeyList })
  @ApiNotFoundResponse({ description: 'No such consumer.', type: ProblemView })
  list(@Param('consumer') consumer: string, @Query() query: ListQueryDto): Promise<ApiKeyList> {
    return this.credentials.listKeys(consumer, query);
  }

  @Get(':keyId')
  @ApiOperation({ summary: 'Show an API key' })
  @ApiParam(KEY_ID)
  @ApiOkResponse({ type: ApiKeyView })
  @ApiNotFoundResponse({ type: ProblemView })
  get(@Param('consumer') consumer: string, @Param('keyId') keyId: string): Promise<ApiKeyView> {
    return this.credentials.getKey(consumer, keyId);
  }

  @Post(':keyId/revoke')
  @HttpCode(200)
  @ApiOperation({ summary: 'Revoke an API key', description: 'Refused by every instance within a second; the record stays, marked revoked.' })
  @ApiParam(KEY_ID)
  @ApiOkResponse({ type: ApiKeyView })
  @ApiNotFoundResponse({ type: ProblemView })
  revoke(@Param('consumer') consumer: string, @Param('keyId') keyId: string): Promise<ApiKeyView> {
    return this.credentials.revokeKey(consumer, keyId);
  }

  @Delete(':keyId')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete an API key' })
  @ApiParam(KEY_ID)
  @ApiNoContentResponse({ description: 'Deleted.' })
  @ApiNotFoundResponse({ type: ProblemView })
  async remove(@Param('consumer') consumer: string, @Param('keyId') keyId: string): Promise<void> {
    await this.credentials.removeKey(consumer, keyId);
  }
}
