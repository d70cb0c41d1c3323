import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { ADMIN_SECURITY_SCHEME, OAUTH_SECURITY_SCHEME } from '../auth/admin-auth.decorator.js';
import { ADMIN_READ_SCOPE, ADMIN_SCOPE, DISCOVERY_SCOPE } from '../auth/admin-scopes.js';
import { GATEWAY_OWNED_PATHS } from '../common/gateway-owned-paths.js';

/** Swagger UI at /docs and the OpenAPI document at /docs-json, for every control-plane endpoint. */
export function setupSwagger(app: INestApplication, version: string): void {
  const config = new DocumentBuilder()
    .setTitle('API Gateway: admin API')
    .setDescription(
      'The control plane of the gateway: services, routes, consumers and their credentials, the token endpoints, probes. ' +
        'Every `/admin` call needs the admin key in `X-API-Key`, or a consumer credential (Bearer JWT or API key) with the `admin` scope ' +
        '(`admin:read` for GET). Errors are `application/problem+json` (RFC 9457) with a stable `code` and the `request_id`.',
    )
    .setVersion(version)
    .addApiKey(
      { type: 'apiKey', in: 'header', name: 'X-API-Key', description: 'ADMIN_API_KEY (or the key printed at first start), or the API key of a consumer with an admin scope.' },
      ADMIN_SECURITY_SCHEME,
    )
    .addOAuth2(
      {
        type: 'oauth2',
        description: "A consumer's access token from the client credentials grant.",
        flows: {
          clientCredentials: {
            tokenUrl: GATEWAY_OWNED_PATHS.token,
            scopes: {
              [ADMIN_SCOPE]: 'everything in the admin API',
              [ADMIN_READ_SCOPE]: 'GET and HEAD in the admin API',
              [DISCOVERY_SCOPE]: 'service registration and heartbeats',
            },
          },
        },
      },
      OAUTH_SECURITY_SCHEME,
    )
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'A JWT from this gateway or from a trusted issuer.' })
    .build();
  const document = SwaggerModule.createDocument(app, config);
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json', yamlDocumentUrl: 'docs-yaml', customSiteTitle: 'API Gateway admin API' });
}
