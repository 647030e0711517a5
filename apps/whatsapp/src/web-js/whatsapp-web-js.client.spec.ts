import { resolve } from 'node:path';
import { Client, LocalAuth, RemoteAuth } from 'whatsapp-web.js';
import { clientOptionsOf, WhatsAppWebJsClient, type WhatsAppWebJsSettings } from './whatsapp-web-js.client';

const SETTINGS: WhatsAppWebJsSettings = {
  chromiumPath: '/usr/bin/chromium',
  chromiumArgs: ['--no-sandbox'],
  dataDir: 'tmp/whatsapp-web-test',
  auth: 'local',
  remoteBackupIntervalMs: 300_000,
  qrMaxRetries: 0,
};

/** The connection itself cannot be tested here (no WhatsApp Web): what the library is given, and that it launches nothing. */
describe(clientOptionsOf.name, () => {
  it('should drive the system Chromium headless with a LocalAuth profile per session', () => {
    const sut = clientOptionsOf('suporte', SETTINGS);

    expect(sut.puppeteer).toEqual({
      headless: true,
      executablePath: '/usr/bin/chromium',
      args: ['--no-sandbox'],
    });
    expect(sut.authStrategy).toBeInstanceOf(LocalAuth);
    expect(sut.authStrategy).toMatchObject({
      clientId: 'suporte',
      dataPath: resolve('tmp/whatsapp-web-test'),
    });
    expect(sut.webVersionCache).toEqual({ type: 'local', path: resolve('tmp/whatsapp-web-test/web-cache') });
    expect(sut).toMatchObject({ qrMaxRetries: 0, takeoverOnConflict: false });
  });

  it('should back the profile up to the store with RemoteAuth', () => {
    const store = {
      sessionExists: () => false,
      save: () => undefined,
      extract: () => undefined,
      delete: () => undefined,
    };

    const sut = clientOptionsOf('suporte', { ...SETTINGS, auth: 'remote', remoteStore: store });

    expect(sut.authStrategy).toBeInstanceOf(RemoteAuth);
    expect(sut.authStrategy).toMatchObject({ clientId: 'suporte', store, backupSyncIntervalMs: 300_000 });
  });

  it('should create a whatsapp-web.js client without launching a browser', () => {
    const client = new Client(clientOptionsOf('suporte', SETTINGS));

    const sut = new WhatsAppWebJsClient(client);

    expect(client.pupBrowser).toBeNull();
    expect(sut.ownId()).toBeUndefined();
  });
});
