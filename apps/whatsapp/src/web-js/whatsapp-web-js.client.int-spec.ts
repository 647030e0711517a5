import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WhatsappHarness } from '../testing/whatsapp.harness';
import { WhatsAppWebJsClient } from './whatsapp-web-js.client';

/**
 * The real whatsapp-web.js, as far as it goes here: WhatsApp Web cannot be reached from this environment, so only a
 * browser that cannot start is exercised — the library and puppeteer loaded on demand, LocalAuth's profile directory,
 * the launch failure reported, retried within the budget, and the session `lost`.
 */
describe(WhatsAppWebJsClient.name, () => {
  let sut: WhatsappHarness;
  let dataDir: string;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'whatsapp-web-'));
    sut = await WhatsappHarness.start({
      realWhatsAppWeb: true,
      env: {
        WHATSAPP_WEB_SESSIONS: 'suporte',
        WHATSAPP_WEB_DATA_DIR: dataDir,
        WHATSAPP_WEB_CHROMIUM_PATH: join(dataDir, 'no-chromium-here'),
        WHATSAPP_WEB_RECONNECT_ATTEMPTS: '1',
        WHATSAPP_WEB_RECONNECT_INITIAL_BACKOFF_MS: '10',
      },
    });
  });

  afterAll(async () => {
    await sut?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('should report the session lost, naming the browser, when Chromium cannot be started', async () => {
    const lost = await sut.channelState('web:suporte', 'lost');

    expect(lost.reason).toMatch(
      /^gave up after 1 reconnects: WhatsApp Web did not start: .*no-chromium-here/,
    );
    expect((await stat(join(dataDir, 'session-suporte'))).isDirectory()).toBe(true);
    expect((await sut.http('GET', '/health/ready')).status).toBe(503);
  });
});
