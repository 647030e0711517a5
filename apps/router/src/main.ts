import { runService } from '@ponte/platform';
import { routerService } from './router.definition';

void runService(routerService);
