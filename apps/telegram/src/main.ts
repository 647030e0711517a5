import { runService } from '@ponte/platform';
import { telegramService } from './telegram.definition';

void runService(telegramService);
