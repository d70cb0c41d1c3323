import { Global, Module, type DynamicModule } from '@nestjs/common';
import { GatewayConfig } from './gateway-config.js';

/** Makes the settings validated in main.ts injectable everywhere. */
@Global()
@Module({})
export class ConfigModule {
  static forRoot(config: GatewayConfig): DynamicModule {
    return { module: ConfigModule, providers: [{ provide: GatewayConfig, useValue: config }], exports: [GatewayConfig] };
  }
}
