import type { ServiceDefinition } from '@ponte/platform';
import { GatewayConfig } from './config/gateway.config';
import { GatewayModule } from './gateway.module';

export const gatewayService: ServiceDefinition<GatewayConfig> = {
  name: 'gateway',
  configClass: GatewayConfig,
  module: (config) => GatewayModule.register(config),
};
