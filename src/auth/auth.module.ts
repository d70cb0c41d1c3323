import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { GatewayConfig } from '../config/gateway-config.js';
import { DatabaseService } from '../database/database.service.js';
import { RedisConnections } from '../redis/redis-connections.js';
import { RoutingModule } from '../routing/routing.module.js';
import { AdminAuthGuard } from './admin-auth.guard.js';
import { AdminKeyService } from './admin-key.service.js';
import { ApiKeysController } from './api-keys.controller.js';
import { AuthEndpointsController } from './auth-endpoints.controller.js';
import { AuthErrors } from './auth-errors.js';
import { AuthPhase } from './auth.phase.js';
import { Authenticator } from './authenticator.js';
import { ConsumerCredentialsService } from './consumer-credentials.service.js';
import { ConsumersController } from './consumers.controller.js';
import { ConsumersService } from './consumers.service.js';
import { CredentialTableService } from './credentials/credential-table.service.js';
import { ApiKeyEntity } from './entities/api-key.entity.js';
import { ConsumerEntity } from './entities/consumer.entity.js';
import { OAuthClientEntity } from './entities/oauth-client.entity.js';
import { JwtVerifier } from './jwt/jwt-verifier.js';
import { TokenIssuer } from './jwt/token-issuer.js';
import { OAuthClientsController } from './oauth-clients.controller.js';
import { Denylist } from './revocation/denylist.service.js';
import { MemoryRevocationStore } from './revocation/memory-revocation-store.js';
import { RedisRevocationStore } from './revocation/redis-revocation-store.js';
import { REVOCATION_STORE } from './revocation/revocation-store.js';
import { loadServerSecret, ServerSecret } from './server-secret.js';

/** The realm named in every WWW-Authenticate challenge. */
const REALM = 'gateway';

/**
 * Authentication and authorization: the admin key, consumers with their API keys and OAuth
 * clients, JWT verification and issue, revocation, the data plane's auth phase and the admin guard.
 */
@Global()
@Module({
  imports: [TypeOrmModule.forFeature([ConsumerEntity, ApiKeyEntity, OAuthClientEntity]), RoutingModule],
  controllers: [ConsumersController, ApiKeysController, OAuthClientsController, AuthEndpointsController],
  providers: [
    { provide: ServerSecret, useFactory: loadServerSecret, inject: [GatewayConfig, DatabaseService] },
    { provide: AuthErrors, useFactory: (config: GatewayConfig) => new AuthErrors(REALM, config.apiKeyHeaderName), inject: [GatewayConfig] },
    {
      provide: REVOCATION_STORE,
      useFactory: (redis: RedisConnections) => (redis.enabled ? new RedisRevocationStore(redis) : new MemoryRevocationStore()),
      inject: [RedisConnections],
    },
    AdminKeyService,
    AdminAuthGuard,
    CredentialTableService,
    Denylist,
    JwtVerifier,
    TokenIssuer,
    Authenticator,
    AuthPhase,
    ConsumersService,
    ConsumerCredentialsService,
  ],
  exports: [AdminKeyService, AdminAuthGuard, Authenticator, AuthErrors, AuthPhase, CredentialTableService],
})
export class AuthModule {}
