import { runService } from '@ponte/platform';
import { whatsappService } from './whatsapp.definition';

void runService(whatsappService);
