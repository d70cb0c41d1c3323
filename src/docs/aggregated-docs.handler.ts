import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import path from 'node:path';
import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import { ROOT_LOGGER } from '../common/logger.js';
import { problem, sendProblem } from '../common/problem.js';
import { requestIdOf } from '../common/request-id.js';
import { GatewayConfig } from '../config/gateway-config.js';
import { AggregatedDocsService } from './aggregated-docs.service.js';

const ASSETS: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
  'swagger-ui-standalone-preset.js': 'text/javascript; charset=utf-8',
};

function page(documentUrl: string): string {
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>API Gateway: aggregated API</title><link rel="stylesheet" href="./docs/swagger-ui.css"></head>
<body><div id="swagger-ui"></div>
<script src="./docs/swagger-ui-bundle.js"></script><script src="./docs/swagger-ui-standalone-preset.js"></script>
<script>window.ui = SwaggerUIBundle({ url: ${JSON.stringify(documentUrl)}, dom_id: '#swagger-ui', presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset], layout: 'StandaloneLayout' });</script>
</body></html>`;
}

/**
 * `<prefix>/docs` (Swagger UI), `<prefix>/docs/openapi.json` (the merged document) and the UI's
 * assets, for every proxied prefix: gateway-owned paths that TrafficService hands here before the
 * data plane (a route cannot claim them).
 */
@Injectable()
export class AggregatedDocsHandler {
  private readonly pages = new Map<string, () => Promise<{ type: string; body: string | Buffer }>>();
  private readonly assetDir = path.dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
  private readonly assetCache = new Map<string, Buffer>();

  constructor(
    config: GatewayConfig,
    private readonly docs: AggregatedDocsService,
    @Inject(ROOT_LOGGER) private readonly logger: Logger,
  ) {
    for (const prefix of config.proxyPrefixes) {
      const html = page(`${prefix}/docs/openapi.json`);
      // The page's relative asset URLs resolve against `<prefix>/`, with or without a trailing slash.
      this.pages.set(`${prefix}/docs`, () => Promise.resolve({ type: 'text/html; charset=utf-8', body: html }));
      this.pages.set(`${prefix}/docs/`, () => Promise.resolve({ type: 'text/html; charset=utf-8', body: html.replaceAll('./docs/', './') }));
      this.pages.set(`${prefix}/docs/openapi.json`, async () => ({ type: 'application/json; charset=utf-8', body: JSON.stringify(await this.docs.document()) }));
      for (const [file, type] of Object.entries(ASSETS)) this.pages.set(`${prefix}/docs/${file}`, () => Promise.resolve({ type, body: this.asset(file) }));
    }
  }

  /** Whether the path is one of the docs' own (one hash lookup per proxied request). */
  owns(path: string): boolean {
    return this.pages.has(path);
  }

  handle(req: IncomingMessage, res: ServerResponse, path: string): void {
    const requestId = requestIdOf(req);
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      sendProblem(res, problem('METHOD_NOT_ALLOWED', `${req.method} is not served at ${path}`, requestId, { instance: path }), { 'x-request-id': requestId, allow: 'GET, HEAD' });
      return;
    }
    this.pages
      .get(path)!()
      .then(({ type, body }) => {
        res.writeHead(200, { 'content-type': type, 'content-length': Buffer.byteLength(body), 'cache-control': 'no-cache', 'x-request-id': requestId });
        res.end(req.method === 'HEAD' ? undefined : body);
      })
      .catch((error: unknown) => {
        this.logger.error({ err: error, req_id: requestId }, 'aggregated docs failed');
        sendProblem(res, problem('INTERNAL_ERROR', 'the aggregated API document could not be built', requestId, { instance: path }), { 'x-request-id': requestId });
      });
  }

  private asset(file: string): Buffer {
    let content = this.assetCache.get(file);
    if (!content) this.assetCache.set(file, (content = readFileSync(path.join(this.assetDir, file))));
    return content;
  }
}
