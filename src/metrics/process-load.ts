import { Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { type EventLoopUtilization, type IntervalHistogram, monitorEventLoopDelay } from 'node:perf_hooks';

const SAMPLE_MS = 5_000;

export interface ProcessLoadSample {
  /** Over the last sample period (5 s). */
  event_loop_delay_p50_ms: number | null;
  event_loop_delay_p99_ms: number | null;
  event_loop_delay_max_ms: number | null;
  /** Share of the last period the event loop was busy (0 to 1). */
  event_loop_utilization: number | null;
  /** CPU time used over the last period, as a share of one core (100 = one full core). */
  cpu_percent: number | null;
}

const ms = (ns: number) => Math.round(ns / 1e4) / 100;

/** Event-loop delay and utilization and CPU use, sampled every 5 s off the request path. */
@Injectable()
export class ProcessLoad implements OnModuleInit, OnModuleDestroy {
  private readonly delay: IntervalHistogram = monitorEventLoopDelay({ resolution: 10 });
  private timer: NodeJS.Timeout | undefined;
  private lastUtilization: EventLoopUtilization = performance.eventLoopUtilization();
  private lastCpu = process.cpuUsage();
  private lastAt = performance.now();
  private latest: ProcessLoadSample = {
    event_loop_delay_p50_ms: null,
    event_loop_delay_p99_ms: null,
    event_loop_delay_max_ms: null,
    event_loop_utilization: null,
    cpu_percent: null,
  };

  onModuleInit(): void {
    this.delay.enable();
    this.timer = setInterval(() => this.sample(), SAMPLE_MS);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
    this.delay.disable();
  }

  get current(): ProcessLoadSample {
    return this.latest;
  }

  sample(): void {
    const now = performance.now();
    const utilization = performance.eventLoopUtilization(this.lastUtilization);
    const cpu = process.cpuUsage(this.lastCpu);
    const elapsedMs = now - this.lastAt;
    this.latest = {
      event_loop_delay_p50_ms: this.delay.count > 0 ? ms(this.delay.percentile(50)) : null,
      event_loop_delay_p99_ms: this.delay.count > 0 ? ms(this.delay.percentile(99)) : null,
      event_loop_delay_max_ms: this.delay.count > 0 ? ms(this.delay.max) : null,
      event_loop_utilization: Math.round(utilization.utilization * 1000) / 1000,
      cpu_percent: elapsedMs > 0 ? Math.round(((cpu.user + cpu.system) / 1000 / elapsedMs) * 1000) / 10 : null,
    };
    this.delay.reset();
    this.lastUtilization = performance.eventLoopUtilization();
    this.lastCpu = process.cpuUsage();
    this.lastAt = now;
  }
}
