import { runService } from '@ponte/platform';
import { gatewayService } from './gateway.definition';

void runService(gatewayService);
