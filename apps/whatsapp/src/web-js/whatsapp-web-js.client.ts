import { resolve } from 'node:path';
import type { Client, ClientOptions, Message, Store } from 'whatsapp-web.js';
import * as wwebjs from 'whatsapp-web.js';
import type { WebAuthStrategy } from '../config/whatsapp.config';
import type {
  WebClient,
  WebClientEvent,
  WebClientEvents,
  WebClientFactory,
  WebMessage,
  WebOutgoingMedia,
  WebSendOptions,
} from './web-client.port';

export interface WhatsAppWebJsSettings {
  /** The system Chromium; puppeteer never downloads one. */
  chromiumPath: string;
  chromiumArgs: readonly string[];
  /** LocalAuth/RemoteAuth profiles (`session-{id}`, `RemoteAuth-{id}`) and WhatsApp Web's page cache. */
  dataDir: string;
  auth: WebAuthStrategy;
  /** For RemoteAuth: where the profile is backed up (MongoRemoteAuthStore). */
  remoteStore?: Store;
  remoteBackupIntervalMs: number;
  qrMaxRetries: number;
}

/**
 * The real WhatsApp Web: whatsapp-web.js driving a headless system Chromium. Not exercised by the tests (WhatsApp Web
 * cannot be reached from CI): they drive the service through the same WebClient port with a fake.
 */
export function whatsAppWebJsClientFactory(settings: WhatsAppWebJsSettings): WebClientFactory {
  return ({ sessionId }) => new WhatsAppWebJsClient(new wwebjs.Client(clientOptionsOf(sessionId, settings)));
}

export function clientOptionsOf(sessionId: string, settings: WhatsAppWebJsSettings): ClientOptions {
  const dataPath = resolve(settings.dataDir);
  const authStrategy =
    settings.auth === 'remote' && settings.remoteStore
      ? new wwebjs.RemoteAuth({
          clientId: sessionId,
          dataPath,
          store: settings.remoteStore,
          backupSyncIntervalMs: settings.remoteBackupIntervalMs,
        })
      : new wwebjs.LocalAuth({ clientId: sessionId, dataPath });
  return {
    authStrategy,
    puppeteer: {
      headless: true,
      executablePath: settings.chromiumPath,
      args: [...settings.chromiumArgs],
    },
    webVersionCache: { type: 'local', path: resolve(dataPath, 'web-cache') },
    qrMaxRetries: settings.qrMaxRetries,
    takeoverOnConflict: false,
  };
}

/** whatsapp-web.js's Client behind the WebClient port; its Message objects are passed on as they are. */
export class WhatsAppWebJsClient implements WebClient {
  constructor(private readonly client: Client) {}

  on<E extends WebClientEvent>(event: E, listener: WebClientEvents[E]): void {
    // The library's Message carries the fields of WebMessage (`_data` at runtime, which its typings leave out).
    this.client.on(event, listener as (...args: unknown[]) => void);
  }

  initialize(): Promise<void> {
    return this.client.initialize();
  }

  destroy(): Promise<void> {
    return this.client.destroy();
  }

  ownId(): string | undefined {
    return this.client.info?.wid?._serialized;
  }

  async getNumberId(number: string): Promise<{ _serialized: string } | null> {
    return this.client.getNumberId(number);
  }

  async sendText(
    chatId: string,
    text: string,
    options: WebSendOptions = {},
  ): Promise<WebMessage | undefined> {
    return webMessageOf(await this.client.sendMessage(chatId, text, sendOptionsOf(options)));
  }

  async sendMedia(
    chatId: string,
    media: WebOutgoingMedia,
    options: WebSendOptions = {},
  ): Promise<WebMessage | undefined> {
    const content = new wwebjs.MessageMedia(media.mimetype, media.data, media.filename ?? null);
    return webMessageOf(
      await this.client.sendMessage(chatId, content, {
        ...sendOptionsOf(options),
        ...(media.caption ? { caption: media.caption } : {}),
      }),
    );
  }
}

function sendOptionsOf(options: WebSendOptions): { quotedMessageId?: string; linkPreview: boolean } {
  return {
    ...(options.quotedMessageId ? { quotedMessageId: options.quotedMessageId } : {}),
    // A preview is fetched by the browser from the link's site: not on behalf of an agent's reply.
    linkPreview: false,
  };
}

function webMessageOf(message: Message | undefined): WebMessage | undefined {
  return message as unknown as WebMessage | undefined;
}
