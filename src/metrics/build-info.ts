import { Injectable, type OnModuleInit } from '@nestjs/common';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import type { Gauge } from 'prom-client';
import { GATEWAY_VERSION } from '../common/version.js';
import { METRIC } from './metric-definitions.js';

/** `gateway_build_info{version, nodejs} 1`, the usual way to tell versions apart in a rollout. */
@Injectable()
export class BuildInfo implements OnModuleInit {
  constructor(@InjectMetric(METRIC.buildInfo) private readonly info: Gauge) {}

  onModuleInit(): void {
    this.info.set({ version: GATEWAY_VERSION, nodejs: process.version }, 1);
  }
}
