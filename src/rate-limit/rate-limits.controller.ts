import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Put, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiConflictResponse, ApiCreatedResponse, ApiNoContentResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { AdminAuth } from '../auth/admin-auth.decorator.js';
import { ProblemView } from '../common/problem.view.js';
import {
  CreateRateLimitRuleDto,
  RateLimitListQueryDto,
  RateLimitRuleList,
  RateLimitRuleView,
  RateLimitStatusView,
  UpdateRateLimitRuleDto,
} from './dto/rate-limit-rule.dto.js';
import { RATE_LIMIT_SCOPES } from './policy/limit-settings.js';
import { RateLimitRulesService } from './rate-limit-rules.service.js';
import { RateLimitStatusService } from './rate-limit-status.service.js';

const RULE_ID = { name: 'id', description: 'The rule id.', format: 'uuid' };

@ApiTags('rate-limits')
@AdminAuth()
@ApiBadRequestResponse({ description: 'A field is missing, unknown or invalid; each is named in `errors`.', type: ProblemView })
@Controller('admin/rate-limits')
export class RateLimitsController {
  constructor(
    private readonly rules: RateLimitRulesService,
    private readonly statuses: RateLimitStatusService,
  ) {}

  @Post()
  @ApiOperation({ summary: 'Create a rate-limit rule', description: 'Applies on every instance within a second. One rule per scope and match.' })
  @ApiCreatedResponse({ type: RateLimitRuleView })
  @ApiConflictResponse({ description: 'A rule for this scope and match exists.', type: ProblemView })
  create(@Body() body: CreateRateLimitRuleDto): Promise<RateLimitRuleView> {
    return this.rules.create(body);
  }

  @Get()
  @ApiOperation({ summary: 'List rate-limit rules', description: 'Oldest first; paginated; filtered by scope and tag. Environment defaults (GLOBAL_RATE_LIMIT, ...) are not rules and show in GET /admin/configuration.' })
  @ApiOkResponse({ type: RateLimitRuleList })
  list(@Query() query: RateLimitListQueryDto): Promise<RateLimitRuleList> {
    return this.rules.list(query);
  }

  @Get(':scope/:value/status')
  @ApiOperation({
    summary: 'How much of its limit a value has left',
    description: 'The rule that holds the value (an IP, a consumer id/username/subject, an API key id, a route, or `<route>:<consumer>`) and its counter, read without taking from it.',
  })
  @ApiParam({ name: 'scope', enum: RATE_LIMIT_SCOPES })
  @ApiParam({ name: 'value', example: '203.0.113.7' })
  @ApiOkResponse({ type: RateLimitStatusView })
  @ApiNotFoundResponse({ description: 'No limit applies to this value.', type: ProblemView })
  status(@Param('scope') scope: string, @Param('value') value: string): Promise<RateLimitStatusView> {
    return this.statuses.status(scope, value);
  }

  @Get(':id')
  @ApiOperation({ summary: 'Show a rate-limit rule' })
  @ApiParam(RULE_ID)
  @ApiOkResponse({ type: RateLimitRuleView })
  @ApiNotFoundResponse({ type: ProblemView })
  get(@Param('id') id: string): Promise<RateLimitRuleView> {
    return this.rules.get(id);
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Change some fields of a rule', description: 'Counters carry on unless the algorithm or window changes.' })
  @ApiParam(RULE_ID)
  @ApiOkResponse({ type: RateLimitRuleView })
  @ApiNotFoundResponse({ type: ProblemView })
  @ApiConflictResponse({ description: 'Another rule has this scope and match.', type: ProblemView })
  update(@Param('id') id: string, @Body() body: UpdateRateLimitRuleDto): Promise<RateLimitRuleView> {
    return this.rules.update(id, body);
  }

  @Put(':id')
  @ApiOperation({ summary: 'Replace a rule', description: 'Fields left out take their defaults.' })
  @ApiParam(RULE_ID)
  @ApiOkResponse({ type: RateLimitRuleView })
  @ApiNotFoundResponse({ type: ProblemView })
  @ApiConflictResponse({ description: 'Another rule has this scope and match.', type: ProblemView })
  replace(@Param('id') id: string, @Body() body: CreateRateLimitRuleDto): Promise<RateLimitRuleView> {
    return this.rules.update(id, body, true);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a rule' })
  @ApiParam(RULE_ID)
  @ApiNoContentResponse({ description: 'Deleted.' })
  @ApiNotFoundResponse({ type: ProblemView })
  async remove(@Param('id') id: string): Promise<void> {
    await this.rules.remove(id);
  }
}
