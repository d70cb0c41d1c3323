import fs from 'node:fs/promises';
import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { plainToInstance, type ClassConstructor } from 'class-transformer';
import { validate } from 'class-validator';
import YAML from 'yaml';
import { GatewayConfig } from '../../config/gateway-config.js';
import { ConfigWriter } from '../config-writer.service.js';
import { CreateRouteDto } from '../dto/route.dto.js';
import { CreateServiceDto } from '../dto/service.dto.js';
import { RoutesService } from '../routes.service.js';
import { ServicesService } from '../services.service.js';
import { type DeclarativePlan, planRoute, planService } from './declarative-plan.js';

export class DeclarativeConfigError extends Error {
  constructor(
    file: string,
    readonly problems: string[],
  ) {
    super(`GATEWAY_CONFIG ${file} is invalid:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'DeclarativeConfigError';
  }
}

export interface Summary {
  created: string[];
  updated: string[];
  unchanged: string[];
}

/** `service:orders`-style names of a plan's entries, by what happens to them. */
export function summarize(plan: DeclarativePlan): Summary {
  const summary: Summary = { created: [], updated: [], unchanged: [] };
  const bucket = { create: summary.created, update: summary.updated, unchanged: summary.unchanged };
  for (const change of [...plan.services, ...plan.routes]) bucket[change.action].push(`${change.entity}:${change.name}`);
  return summary;
}

function fieldProblems(prefix: string, errors: Awaited<ReturnType<typeof validate>>): string[] {
  return errors.flatMap((error) => [
    ...Object.values(error.constraints ?? {}).map((message) => `${prefix}.${error.property}: ${message}`),
    ...fieldProblems(`${prefix}.${error.property}`, error.children ?? []),
  ]);
}

async function parseEach<T extends object>(cls: ClassConstructor<T>, items: unknown, label: string, problems: string[]): Promise<T[]> {
  if (items === undefined || items === null) return [];
  if (!Array.isArray(items)) {
    problems.push(`${label}: must be a list`);
    return [];
  }
  const parsed: T[] = [];
  for (const [index, item] of items.entries()) {
    const dto = plainToInstance(cls, item);
    const errors = await validate(dto, { whitelist: true, forbidNonWhitelisted: true, forbidUnknownValues: true });
    problems.push(...fieldProblems(`${label}[${index}]`, errors));
    parsed.push(dto);
  }
  return parsed;
}

/**
 * Applies the GATEWAY_CONFIG file at start (and again on POST /admin/reload-config): services and
 * routes are created or brought to what the file says, by name; what is already as described is not
 * written, so applying the same file twice changes nothing. Entities the file does not name are
 * left alone. `plan` computes the diff without writing (a dry run); `execute` carries a plan out.
 */
@Injectable()
export class DeclarativeConfigService implements OnApplicationBootstrap {
  private readonly logger = new Logger('DeclarativeConfig');
  private done = false;

  constructor(
    private readonly config: GatewayConfig,
    private readonly services: ServicesService,
    private readonly routes: RoutesService,
    private readonly writer: ConfigWriter,
  ) {}

  get isApplied(): boolean {
    return this.done;
  }

  async onApplicationBootstrap(): Promise<void> {
    if (this.config.declarativeConfigPath) {
      const summary = summarize(await this.execute(await this.plan(this.config.declarativeConfigPath)));
      this.logger.log({ file: this.config.declarativeConfigPath, ...summary }, 'declarative configuration applied');
    }
    this.done = true;
  }

  async plan(file: string): Promise<DeclarativePlan> {
    let document: unknown;
    try {
      document = YAML.parse(await fs.readFile(file, 'utf8'));
    } catch (error) {
      throw new DeclarativeConfigError(file, [(error as Error).message]);
    }
    const root = (document ?? {}) as Record<string, unknown>;
    const problems: string[] = [];
    if (typeof root !== 'object' || Array.isArray(root)) problems.push('the document must be a mapping with "services" and "routes"');
    for (const key of Object.keys(root)) if (key !== 'services' && key !== 'routes') problems.push(`${key}: unknown section (expected services, routes)`);
    const services = await parseEach(CreateServiceDto, root.services, 'services', problems);
    const routes = await parseEach(CreateRouteDto, root.routes, 'routes', problems);
    for (const [label, names] of [['services', services.map((s) => s.name)], ['routes', routes.map((r) => r.name)]] as const) {
      const seen = new Set<string>();
      for (const name of names) {
        if (seen.has(name)) problems.push(`${label}: "${name}" appears twice`);
        seen.add(name);
      }
    }
    if (problems.length) throw new DeclarativeConfigError(file, problems);

    const plan: DeclarativePlan = { file, services: [], routes: [] };
    // Two reads whatever the file's size: one per entry made a 10,000-route file cost 20,000 queries at each start.
    const currentServices = await this.services.viewsByName(services.map((s) => s.name));
    const currentRoutes = await this.routes.viewsByName(routes.map((r) => r.name));
    for (const wanted of services) plan.services.push(planService(currentServices.get(wanted.name), wanted));
    for (const wanted of routes) plan.routes.push(planRoute(currentRoutes.get(wanted.name), wanted));
    return plan;
  }

  /**
   * Writes what the plan says should change, services first (routes refer to them), in one
   * transaction with one version bump: the file applies whole or not at all, and the route table is
   * rebuilt once, not once per entry (10,000 routes one by one rebuild a growing table 10,000 times).
   */
  async execute(plan: DeclarativePlan): Promise<DeclarativePlan> {
    const services = plan.services.filter((change) => change.action !== 'unchanged');
    const routes = plan.routes.filter((change) => change.action !== 'unchanged');
    if (services.length + routes.length === 0) return plan;
    // One millisecond apart and in the past: the file's order, as when each entry was its own write.
    const base = Date.now() - routes.length;
    await this.writer.change(async (manager) => {
      for (const change of services) await this.services.replaceWith(manager, change.name, change.wanted);
      for (const [index, change] of routes.entries()) await this.routes.replaceWith(manager, change.name, change.wanted, new Date(base + index));
    }, () => `${plan.file}: another change took one of its names while it was applied`);
    return plan;
  }
}
