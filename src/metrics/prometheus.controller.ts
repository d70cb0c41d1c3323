import { Controller, Get, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { PrometheusController } from '@willsoto/nestjs-prometheus';
import type { Response } from 'express';

/** GET /metrics: the Prometheus text exposition, documented in Swagger. */
@ApiTags('metrics')
@Controller()
export class MetricsScrapeController extends PrometheusController {
  @Get()
  @ApiOperation({
    summary: 'Prometheus metrics',
    description:
      'Every `gateway_*` metric (requests, latency histograms, bytes, upstream target health, circuit states, rate-limit and auth refusals, ' +
      'configuration, dependency reachability) and the default `process_*`/`nodejs_*` metrics, in the Prometheus text format. ' +
      'Counters are monotonic: POST /admin/reset-metrics does not touch them.',
  })
  @ApiProduces('text/plain')
  @ApiOkResponse({ description: 'Prometheus text format 0.0.4.', schema: { type: 'string', example: 'gateway_requests_total{route="jobs",service="jobs",method="GET",status_class="2xx"} 42' } })
  override index(@Res({ passthrough: true }) response: Response): Promise<string> {
    return super.index(response);
  }
}
