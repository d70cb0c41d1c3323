import { Module } from '@nestjs/common';
import { RoutingModule } from '../routing/routing.module.js';
import { AggregatedDocsHandler } from './aggregated-docs.handler.js';
import { AggregatedDocsService } from './aggregated-docs.service.js';

/** The aggregated OpenAPI document of the services behind the gateway (the admin API's own is swagger.ts). */
@Module({
  imports: [RoutingModule],
  providers: [AggregatedDocsService, AggregatedDocsHandler],
  exports: [AggregatedDocsHandler],
})
export class DocsModule {}
