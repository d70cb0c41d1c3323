import { type DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { LoggerModule } from 'nestjs-pino';
import type { Logger } from 'pino';
import { AdminModule } from './admin/admin.module.js';
import { AuditModule } from './audit/audit.module.js';
import { AuthModule } from './auth/auth.module.js';
import { CommonModule } from './common/common.module.js';
import { ROOT_LOGGER } from './common/logger.js';
import { ProblemFilter } from './common/problem.filter.js';
import { loggableUrl } from './common/logger.js';
import { requestIdOf, REQUEST_ID_HEADER } from './common/request-id.js';
import { ConfigModule } from './config/config.module.js';
import type { GatewayConfig } from './config/gateway-config.js';
import { DatabaseModule } from './database/database.module.js';
import { DiscoveryModule } from './discovery/discovery.module.js';
import { HealthModule } from './health/health.module.js';
import { LifecycleModule } from './lifecycle/lifecycle.module.js';
import { ProxyModule } from './proxy/proxy.module.js';
import { RedisModule } from './redis/redis.module.js';
import { RoutingModule } from './routing/routing.module.js';

@Module({})
export class AppModule {
  static forRoot(config: GatewayConfig, rootLogger: Logger): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggerModule.forRoot({
          pinoHttp: {
            logger: rootLogger,
            genReqId: (req, res) => {
              const id = requestIdOf(req);
              res.setHeader(REQUEST_ID_HEADER, id);
              return id;
            },
            customAttributeKeys: { reqId: 'req_id' },
            // The data plane writes its own access line; health probes would drown the log.
            autoLogging: { ignore: (req) => req.url === '/health' || req.url === '/ready' || req.url === '/health/startup' },
            serializers: {
              req: (req: { id: string; method: string; url: string }) => ({ id: req.id, method: req.method, url: loggableUrl(req.url) }),
              res: (res: { statusCode: number }) => ({ status: res.statusCode }),
            },
          },
        }),
        CommonModule,
        DatabaseModule,
        AuditModule,
        RedisModule,
        AuthModule,
        RoutingModule,
        DiscoveryModule,
        ProxyModule,
        LifecycleModule,
        HealthModule,
        AdminModule,
      ],
      providers: [
        { provide: ROOT_LOGGER, useValue: rootLogger },
        { provide: APP_FILTER, useClass: ProblemFilter },
      ],
      exports: [ROOT_LOGGER],
      global: true,
    };
  }
}
