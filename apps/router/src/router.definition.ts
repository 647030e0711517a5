import type { ServiceDefinition } from '@ponte/platform';
import { RouterConfig } from './config/router.config';
import { RouterModule } from './router.module';

export const routerService: ServiceDefinition<RouterConfig> = {
  name: 'router',
  configClass: RouterConfig,
  module: (config) => RouterModule.register(config),
};
