import { runService } from '@ponte/platform';
import { emailIngestService } from './email-ingest.definition';

void runService(emailIngestService);
