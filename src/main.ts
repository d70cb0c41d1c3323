import 'reflect-metadata';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Logger } from 'nestjs-pino';
import { AppModule } from './app.module.js';
import { controlPlaneStorage, nestjsPinoStorage } from './common/control-plane-storage.js';
import { createRootLogger } from './common/logger.js';
import { createValidationPipe } from './common/validation.js';
import { GATEWAY_VERSION as version } from './common/version.js';
import { ConfigurationError, validateEnvironment } from './config/environment.js';
import { GatewayConfig } from './config/gateway-config.js';
import { setupSwagger } from './docs/swagger.js';
import { controlPlaneHelmet } from './edge/control-plane-helmet.js';
import { GatewayHttpAdapter } from './lifecycle/gateway-http-adapter.js';
import { TrafficService } from './lifecycle/traffic.service.js';

async function bootstrap(): Promise<void> {
  let config: GatewayConfig;
  try {
    config = new GatewayConfig(validateEnvironment(process.env));
  } catch (error) {
    if (error instanceof ConfigurationError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw error;
  }
  const rootLogger = createRootLogger(config);
  const started = performance.now();
  const adapter = new GatewayHttpAdapter({ maxHeaderSize: config.maxHeaderSize });
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config, rootLogger), adapter, { bufferLogs: true, bodyParser: true });
  app.useLogger(app.get(Logger));
  app.disable('x-powered-by');
  app.use(controlPlaneHelmet(config.hstsMaxAge));
  app.useBodyParser('json', { limit: '1mb' });
  app.useGlobalPipes(createValidationPipe());
  setupSwagger(app, version);
  const traffic = app.get(TrafficService);
  const controlPlane = app.getHttpAdapter().getInstance();
  traffic.install(app.getHttpServer(), controlPlane);
  // ADMIN_PORT: a second listener on the same Express app, for the control plane alone (see TrafficService).
  const adminServer = config.adminPort === undefined ? undefined : http.createServer({ maxHeaderSize: config.maxHeaderSize });
  if (adminServer) traffic.installAdmin(adminServer, controlPlane);
  const pinoStorage = await nestjsPinoStorage();
  if (pinoStorage) controlPlaneStorage.register(pinoStorage);
  else rootLogger.warn("nestjs-pino's request store was not found: async hooks stay on after the first control-plane request");
  closeOnSignals(app, config.shutdownGraceMs, rootLogger);
  await app.listen(config.port, config.host);
  if (adminServer) {
    await new Promise<void>((resolve, reject) => {
      adminServer.once('error', reject);
      adminServer.listen(config.adminPort, config.host, () => resolve());
    });
  }
  // Start-up work may have run a store outside any request.
  controlPlaneStorage.settle();
  const address = app.getHttpServer().address() as AddressInfo;
  // Said at any LOG_LEVEL: supervisors, tests and the benchmark wait for this line.
  rootLogger.child({}, { level: 'info' }).info(
    {
      port: address.port,
      admin_port: adminServer ? (adminServer.address() as AddressInfo).port : undefined,
      host: config.host,
      version,
      startup_ms: Math.round(performance.now() - started),
    },
    'gateway listening',
  );
}

/**
 * SIGTERM or SIGINT: drain (see TrafficService), close pools and the database, exit 0. Nest's own
 * shutdown hooks would re-raise the signal instead, which reads as a crash to a supervisor.
 */
function closeOnSignals(app: NestExpressApplication, graceMs: number, logger: ReturnType<typeof createRootLogger>): void {
  let closing = false;
  const close = (signal: NodeJS.Signals) => {
    if (closing) return;
    closing = true;
    // Whatever hangs past the grace period plus a margin must not keep the pod alive.
    setTimeout(() => {
      logger.error({ signal }, 'shutdown did not finish in time; exiting');
      process.exit(1);
    }, graceMs + 10_000).unref();
    app
      .close()
      .then(() => {
        logger.info({ signal }, 'gateway stopped');
        logger.flush();
        process.exit(0);
      })
      .catch((error: unknown) => {
        logger.error({ err: error, signal }, 'shutdown failed');
        process.exit(1);
      });
  };
  process.once('SIGTERM', close);
  process.once('SIGINT', close);
}

bootstrap().catch((error: unknown) => {
  process.stderr.write(`gateway failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
