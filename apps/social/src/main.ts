import { runService } from '@ponte/platform';
import { socialService } from './social.definition';

void runService(socialService);
