import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { ADMIN_SECURITY_SCHEME } from '../auth/admin-auth.decorator.js';

/** Swagger UI at /docs and the OpenAPI document at /docs-json, for every control-plane endpoint. */
export function setupSwagger(app: INestApplication, version: string): void {
  const config = new DocumentBuilder()
    .setTitle('API Gateway: admin API')
    .setDescription(
      'The control plane of the gateway: services, routes, probes. Every `/admin` call needs the admin key in `X-API-Key`. ' +
        'Errors are `application/problem+json` (RFC 9457) with a stable `code` and the `request_id`.',
    )
    .setVersion(version)
    .addApiKey({ type: 'apiKey', in: 'header', name: 'X-API-Key', description: 'ADMIN_API_KEY, or the key printed at first start.' }, ADMIN_SECURITY_SCHEME)
    .build();
  const document = SwaggerModule.createDocument(app, config);
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json', yamlDocumentUrl: 'docs-yaml', customSiteTitle: 'API Gateway admin API' });
}
