import { readFileSync } from 'node:fs';
import { Injectable } from '@nestjs/common';
import { request } from 'undici';
import { DatabaseService } from '../database/database.service.js';
import { RouteEntity } from '../routing/entities/route.entity.js';
import { ServiceEntity } from '../routing/entities/service.entity.js';
import { TargetEntity } from '../routing/entities/target.entity.js';
import { parseRoutePath } from '../routing/table/route-path.js';
import { RouteTableService } from '../routing/table/route-table.service.js';
import { type DocSource, mergeDocuments, type OpenApiDocument, type RouteExposure } from './openapi-merge.js';

const FETCH_TIMEOUT_MS = 3_000;
const MAX_DOCUMENT_BYTES = 5 * 1024 * 1024;
// Upstream documents and the merged one are kept this long: the docs page must not hammer services.
const CACHE_MS = 30_000;

const { version: gatewayVersion } = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };

interface Cached<T> {
  at: number;
  value: T;
}

/** Fetches each service's OpenAPI document (JSON) and merges them under the routes that reach them. */
@Injectable()
export class AggregatedDocsService {
  private readonly sources = new Map<string, Cached<DocSource>>();
  private merged: (Cached<OpenApiDocument> & { version: number }) | undefined;
  private building: Promise<OpenApiDocument> | undefined;

  constructor(
    private readonly db: DatabaseService,
    private readonly table: RouteTableService,
  ) {}

  document(): Promise<OpenApiDocument> {
    const version = this.table.current.version;
    if (this.merged && this.merged.version === version && Date.now() - this.merged.at < CACHE_MS) return Promise.resolve(this.merged.value);
    // Concurrent page loads share one build.
    this.building ??= this.build(version).finally(() => (this.building = undefined));
    return this.building;
  }

  private async build(version: number): Promise<OpenApiDocument> {
    const { exposures, documents } = await this.db.read(async (manager) => {
      const [services, targets, routes] = await Promise.all([
        manager.find(ServiceEntity),
        manager.find(TargetEntity, { order: { createdAt: 'ASC', id: 'ASC' } }),
        manager.find(RouteEntity, { order: { createdAt: 'ASC', id: 'ASC' } }),
      ]);
      const routed = new Set(routes.map((r) => r.serviceId));
      const firstTarget = new Map<string, URL>();
      for (const target of targets) if (!firstTarget.has(target.serviceId)) firstTarget.set(target.serviceId, new URL(target.url));
      const byId = new Map(services.map((s) => [s.id, s]));
      const documents = services
        .filter((s) => s.openapiUrl && routed.has(s.id) && firstTarget.has(s.id))
        .map((s) => {
          const base = firstTarget.get(s.id)!;
          const url = s.openapiUrl!.startsWith('/') ? `${base.origin}${base.pathname.replace(/\/+$/, '')}${s.openapiUrl}` : s.openapiUrl!;
          return { service: s.name, url, targetBasePath: base.pathname.replace(/\/+$/, '') };
        });
      const withDocs = new Map(documents.map((d) => [d.service, d]));
      const exposures: RouteExposure[] = [];
      for (const route of routes) {
        const service = byId.get(route.serviceId);
        const doc = service && withDocs.get(service.name);
        if (!doc) continue;
        exposures.push({
          route: route.name,
          service: doc.service,
          paths: route.paths,
          methods: route.methods,
          stripPrefix: route.stripPrefix,
          literalPrefixes: route.paths.map((p) => {
            const parsed = parseRoutePath(p);
            return typeof parsed === 'string' ? p : parsed.literalPrefix;
          }),
          targetBasePath: doc.targetBasePath,
        });
      }
      return { exposures, documents };
    });
    const sources = await Promise.all(documents.map((d) => this.source(d.service, d.url)));
    const value = mergeDocuments(sources, exposures, { title: 'API Gateway: aggregated API', version: gatewayVersion });
    this.merged = { at: Date.now(), version, value };
    return value;
  }

  private async source(service: string, url: string): Promise<DocSource> {
    const key = `${service} ${url}`;
    const cached = this.sources.get(key);
    if (cached && Date.now() - cached.at < CACHE_MS) return cached.value;
    const value = await fetchDocument(service, url);
    this.sources.set(key, { at: Date.now(), value });
    return value;
  }
}

async function fetchDocument(service: string, url: string): Promise<DocSource> {
  try {
    const response = await request(url, {
      headers: { accept: 'application/json' },
      headersTimeout: FETCH_TIMEOUT_MS,
      bodyTimeout: FETCH_TIMEOUT_MS,
      signal: AbortSignal.timeout(FETCH_TIMEOUT_MS * 2),
    });
    if (response.statusCode !== 200) {
      await response.body.dump();
      return { service, url, error: `the service answered ${response.statusCode}` };
    }
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of response.body as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > MAX_DOCUMENT_BYTES) {
        response.body.destroy();
        return { service, url, error: `the document is larger than ${MAX_DOCUMENT_BYTES} bytes` };
      }
      chunks.push(chunk);
    }
    const document = JSON.parse(Buffer.concat(chunks).toString('utf8')) as OpenApiDocument;
    if (!document || typeof document !== 'object' || typeof document.openapi !== 'string' || typeof document.paths !== 'object') {
      return { service, url, error: 'the document is not an OpenAPI 3 document' };
    }
    return { service, url, document };
  } catch (error) {
    return { service, url, error: error instanceof SyntaxError ? 'the document is not valid JSON' : (error as Error).message || String(error) };
  }
}
