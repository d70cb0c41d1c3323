import { Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { Agent, request } from 'undici';
import type { ActiveCheck, CompiledService, ServiceTarget } from '../routing/table/compiled-route.js';
import type { RouteTable } from '../routing/table/route-table.js';
import { RouteTableService } from '../routing/table/route-table.service.js';
import { HealthRegistry } from './health-registry.service.js';
import type { CheckResult, TargetState } from './target-state.js';

const USER_AGENT = 'api-gateway-health-check';

interface Probe {
  /** Settings that, when changed, restart the probe. */
  key: string;
  target: ServiceTarget;
  check: ActiveCheck;
  state: TargetState;
  timer: NodeJS.Timeout | undefined;
  stopped: boolean;
}

const probeKey = (target: ServiceTarget, check: ActiveCheck) =>
  `${target.origin}|${target.hostHeader}|${check.path}|${check.intervalMs}|${check.timeoutMs}|${check.healthyThreshold}|${check.unhealthyThreshold}`;

/** What a failed check is called in the health views: an error code, a timeout, or the status. */
function checkError(error: unknown, timeoutMs: number): string {
  const e = error as { code?: unknown; name?: unknown; message?: unknown };
  if (e?.name === 'TimeoutError' || e?.code === 'UND_ERR_HEADERS_TIMEOUT' || e?.code === 'UND_ERR_BODY_TIMEOUT' || e?.code === 'UND_ERR_CONNECT_TIMEOUT') {
    return `timeout after ${timeoutMs} ms`;
  }
  return typeof e?.code === 'string' ? e.code : String(e?.message ?? error);
}

/**
 * Active health checks: every instance asks each checked target for its check path every
 * interval, on its own (as Kong's do), and reports to the HealthRegistry. Probes follow the
 * route table: added, restarted with new settings, or stopped when their target goes.
 */
@Injectable()
export class HealthChecker implements OnModuleInit, OnApplicationShutdown {
  private readonly probes = new Map<string, Probe>();
  // Its own connections, so that checks neither wait behind nor count against live traffic.
  private readonly agent = new Agent({ connections: 2, keepAliveTimeout: 4_000 });
  private unsubscribe: (() => void) | undefined;

  constructor(
    private readonly routes: RouteTableService,
    private readonly registry: HealthRegistry,
  ) {}

  onModuleInit(): void {
    this.reconcile(this.routes.current);
    this.unsubscribe = this.routes.onSwap((table) => this.reconcile(table));
  }

  async onApplicationShutdown(): Promise<void> {
    this.unsubscribe?.();
    for (const probe of this.probes.values()) this.stop(probe);
    this.probes.clear();
    await this.agent.close().catch(() => undefined);
  }

  private reconcile(table: RouteTable): void {
    const wanted = new Map<string, { service: CompiledService; target: ServiceTarget; check: ActiveCheck }>();
    for (const service of table.services) {
      for (const target of service.targets) if (target.check) wanted.set(target.id, { service, target, check: target.check });
    }
    for (const [id, probe] of this.probes) {
      const next = wanted.get(id);
      if (next && probeKey(next.target, next.check) === probe.key) continue;
      this.stop(probe);
      this.probes.delete(id);
    }
    for (const [id, { service, target, check }] of wanted) {
      if (this.probes.has(id)) continue;
      const probe: Probe = { key: probeKey(target, check), target, check, state: this.registry.ensure(service, target), timer: undefined, stopped: false };
      this.probes.set(id, probe);
      // Spread over the interval, so that a table of many targets does not check them all at once.
      this.schedule(probe, Math.random() * Math.min(check.intervalMs, 1_000));
    }
  }

  private schedule(probe: Probe, delayMs: number): void {
    if (probe.stopped) return;
    probe.timer = setTimeout(() => void this.run(probe), delayMs);
    probe.timer.unref();
  }

  private stop(probe: Probe): void {
    probe.stopped = true;
    clearTimeout(probe.timer);
  }

  private async run(probe: Probe): Promise<void> {
    const started = performance.now();
    const result = await this.check(probe.target, probe.check);
    if (probe.stopped) return;
    this.registry.recordCheck(probe.state, result, probe.check);
    this.schedule(probe, Math.max(0, probe.check.intervalMs - (performance.now() - started)));
  }

  private async check(target: ServiceTarget, check: ActiveCheck): Promise<CheckResult> {
    const at = Date.now();
    const started = performance.now();
    try {
      const { statusCode, body } = await request(`${target.origin}${check.path}`, {
        dispatcher: this.agent,
        method: 'GET',
        headers: { host: target.hostHeader, 'user-agent': USER_AGENT },
        headersTimeout: check.timeoutMs,
        bodyTimeout: check.timeoutMs,
        signal: AbortSignal.timeout(check.timeoutMs),
      });
      await body.dump();
      const ok = statusCode >= 200 && statusCode < 400;
      return { ok, at, latencyMs: performance.now() - started, status: statusCode, error: ok ? null : `status ${statusCode}` };
    } catch (error) {
      return { ok: false, at, latencyMs: performance.now() - started, status: null, error: checkError(error, check.timeoutMs) };
    }
  }
}
