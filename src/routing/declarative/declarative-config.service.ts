import fs from 'node:fs/promises';
import { isDeepStrictEqual } from 'node:util';
import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { plainToInstance, type ClassConstructor } from 'class-transformer';
import { validate } from 'class-validator';
import YAML from 'yaml';
import { sameCors } from '../../edge/cors-policy.js';
import { GatewayConfig } from '../../config/gateway-config.js';
import { HTTP_METHODS, CreateRouteDto, type RouteView } from '../dto/route.dto.js';
import { CreateServiceDto, type ServiceView } from '../dto/service.dto.js';
import { mergeAuthPolicy, sameAuthPolicy } from '../route-auth.js';
import { RoutesService } from '../routes.service.js';
import { SERVICE_SETTING_DEFAULTS, settingsPatch, withDefaults, type ServiceSettingsInput } from '../service-settings.js';
import { ServicesService } from '../services.service.js';

export class DeclarativeConfigError extends Error {
  constructor(file: string, problems: string[]) {
    super(`GATEWAY_CONFIG ${file} is invalid:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'DeclarativeConfigError';
  }
}

interface Summary {
  created: string[];
  updated: string[];
  unchanged: string[];
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

const sameList = (a: readonly unknown[], b: readonly unknown[]) => a.length === b.length && a.every((v, i) => v === b[i]);

function serviceUnchanged(current: ServiceView, wanted: CreateServiceDto): boolean {
  const targets = wanted.url !== undefined ? [{ url: wanted.url, weight: 100 }] : (wanted.targets ?? []).map((t) => ({ url: t.url, weight: t.weight ?? 100 }));
  const currentSettings = Object.fromEntries(Object.keys(SERVICE_SETTING_DEFAULTS).map((key) => [key, current[key as keyof ServiceView]])) as ServiceSettingsInput;
  // Registered targets come and go by themselves; the file describes the admin ones.
  const adminTargets = current.targets.filter((t) => t.source === 'admin');
  return (
    isDeepStrictEqual(settingsPatch(currentSettings), settingsPatch(withDefaults(wanted))) &&
    sameList(adminTargets.map((t) => `${t.url} ${t.weight}`), targets.map((t) => `${t.url} ${t.weight}`))
  );
}

function routeUnchanged(current: RouteView, wanted: CreateRouteDto): boolean {
  return (
    (current.service.name === wanted.service || current.service.id === wanted.service) &&
    sameList(current.paths, wanted.paths) &&
    sameList(current.methods, wanted.methods ?? [...HTTP_METHODS]) &&
    sameList(current.hosts, wanted.hosts ?? []) &&
    current.strip_prefix === (wanted.strip_prefix ?? false) &&
    current.preserve_host === (wanted.preserve_host ?? false) &&
    current.priority === (wanted.priority ?? 0) &&
    current.timeout_ms === (wanted.timeout_ms ?? null) &&
    current.connect_timeout_ms === (wanted.connect_timeout_ms ?? null) &&
    current.headers_timeout_ms === (wanted.headers_timeout_ms ?? null) &&
    current.body_timeout_ms === (wanted.body_timeout_ms ?? null) &&
    current.retries === (wanted.retries ?? null) &&
    current.retry_non_idempotent === (wanted.retry_non_idempotent ?? false) &&
    sameList(current.tags, wanted.tags ?? []) &&
    sameCors(current.cors, wanted.cors) &&
    current.security_headers === (wanted.security_headers ?? true) &&
    current.websocket === (wanted.websocket ?? false) &&
    current.api_version === (wanted.api_version ?? null) &&
    current.api_version_default === (wanted.api_version_default ?? false) &&
    sameAuthPolicy(current.auth, mergeAuthPolicy(wanted.auth))
  );
}

/**
 * Applies the GATEWAY_CONFIG file at start: services and routes are created or brought to what the
 * file says, by name; what is already as described is not written, so applying the same file twice
 * changes nothing. Entities the file does not name are left alone.
 */
@Injectable()
export class DeclarativeConfigService implements OnApplicationBootstrap {
  private readonly logger = new Logger('DeclarativeConfig');
  private done = false;

  constructor(
    private readonly config: GatewayConfig,
    private readonly services: ServicesService,
    private readonly routes: RoutesService,
  ) {}

  get isApplied(): boolean {
    return this.done;
  }

  async onApplicationBootstrap(): Promise<void> {
    if (this.config.declarativeConfigPath) {
      const summary = await this.apply(this.config.declarativeConfigPath);
      this.logger.log({ file: this.config.declarativeConfigPath, ...summary }, 'declarative configuration applied');
    }
    this.done = true;
  }

  async apply(file: string): Promise<Summary> {
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

    const summary: Summary = { created: [], updated: [], unchanged: [] };
    for (const wanted of services) {
      const current = await this.services.get(wanted.name).catch(() => undefined);
      if (current && serviceUnchanged(current, wanted)) {
        summary.unchanged.push(`service:${wanted.name}`);
        continue;
      }
      const { created } = await this.services.replace(wanted.name, wanted);
      (created ? summary.created : summary.updated).push(`service:${wanted.name}`);
    }
    for (const wanted of routes) {
      const current = await this.routes.get(wanted.name).catch(() => undefined);
      if (current && routeUnchanged(current, wanted)) {
        summary.unchanged.push(`route:${wanted.name}`);
        continue;
      }
      const { created } = await this.routes.replace(wanted.name, wanted);
      (created ? summary.created : summary.updated).push(`route:${wanted.name}`);
    }
    return summary;
  }
}
