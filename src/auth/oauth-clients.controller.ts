import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiCreatedResponse, ApiNoContentResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { GATEWAY_OWNED_PATHS } from '../common/gateway-owned-paths.js';
import { ProblemView } from '../common/problem.view.js';
import { ListQueryDto } from '../routing/dto/list-query.dto.js';
import { AdminAuth } from './admin-auth.decorator.js';
import { ConsumerCredentialsService } from './consumer-credentials.service.js';
import { CONSUMER_REF } from './consumers.controller.js';
import { CreatedOAuthClientView, CreateOAuthClientDto, OAuthClientList } from './dto/oauth-client.dto.js';

@ApiTags('consumers')
@AdminAuth()
@ApiBadRequestResponse({ description: 'A field is missing, unknown or invalid; each is named in `errors`.', type: ProblemView })
@ApiParam(CONSUMER_REF)
@Controller('admin/consumers/:consumer/clients')
export class OAuthClientsController {
  constructor(private readonly credentials: ConsumerCredentialsService) {}

  @Post()
  @ApiOperation({
    summary: 'Create OAuth2 client credentials',
    description: `For the client credentials grant at ${GATEWAY_OWNED_PATHS.token}. The secret appears only in this answer.`,
  })
  @ApiCreatedResponse({ type: CreatedOAuthClientView })
  @ApiNotFoundResponse({ description: 'No such consumer.', type: ProblemView })
  create(@Param('consumer') consumer: string, @Body() body: CreateOAuthClientDto): Promise<CreatedOAuthClientView> {
    return this.credentials.createClient(consumer, body);
  }

  @Get()
  @ApiOperation({ summary: "List a consumer's OAuth2 clients", description: 'Oldest first, without the secrets.' })
  @ApiOkResponse({ type: OAuthClientList })
  @ApiNotFoundResponse({ description: 'No such consumer.', type: ProblemView })
  list(@Param('consumer') consumer: string, @Query() query: ListQueryDto): Promise<OAuthClientList> {
    return this.credentials.listClients(consumer, query);
  }

  @Delete(':clientRecordId')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete an OAuth2 client', description: 'Tokens issued to it stop working.' })
  @ApiParam({ name: 'clientRecordId', description: 'The id (UUID) of the client record, not its client_id.', format: 'uuid' })
  @ApiNoContentResponse({ description: 'Deleted.' })
  @ApiNotFoundResponse({ type: ProblemView })
  async remove(@Param('consumer') consumer: string, @Param('clientRecordId') id: string): Promise<void> {
    await this.credentials.removeClient(consumer, id);
  }
}
