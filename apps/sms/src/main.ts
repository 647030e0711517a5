import { runService } from '@ponte/platform';
import { smsService } from './sms.definition';

void runService(smsService);
