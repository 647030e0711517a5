import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { BlobStore, type NewBlob } from '@ponte/channel-kit';
import {
  ChannelServiceHarness,
  type ChannelServiceParts,
  channelTestEnvironment,
  startChannelService,
} from '@ponte/channel-kit/testing';
import { type AttachmentRef, buildOutboundMessage, type OutboundMessage, Topics } from '@ponte/contracts';
import { createServiceApp, loadConfig } from '@ponte/platform';
import { FakeBotApiServer } from '@ponte/testing';
import { randomBytes, randomUUID } from 'node:crypto';
import { SECRET_TOKEN_HEADER } from '../bot-api/webhook-secret.guard';
import type { UpdateMode } from '../config/bot.settings';
import { TelegramConfig } from '../config/telegram.config';
import { telegramService } from '../telegram.definition';
import { customer, textUpdate } from './telegram-updates';

export const TENANT = 'tenant-test';
/** Our bot: its id (the channelAccountId), BotFather's token and its webhook secret. */
export const BOT = {
  id: 'acme-support',
  numericId: 7_012_345_678,
  token: `7012345678:AAH${randomBytes(24).toString('base64url')}`,
  webhookSecret: randomBytes(24).toString('base64url'),
} as const;
/** A second bot, to show bots do not share secrets. */
export const OTHER_BOT = {
  id: 'acme-vendas',
  numericId: 7_098_765_432,
  token: `7098765432:AAF${randomBytes(24).toString('base64url')}`,
  webhookSecret: randomBytes(24).toString('base64url'),
} as const;
/** A group chat the bot publishes. */
export const CONFIGURED_GROUP = -1_001_234_567_890;

export interface TelegramHarnessOptions {
  mode?: UpdateMode;
  /** Boot without TELEGRAM_BOTS (the "no accounts" mode of `npm start`). */
  withoutBots?: boolean;
  env?: Record<string, string>;
}

export interface WebhookResponse {
  status: number;
  body: string;
}

/**
 * The real telegram service (its Nest app, its Kafka consumer, telegraf) on private topics with a single partition
 * (so "nothing else was published" can be checked with a later sentinel) and a private database, the Bot API played
 * by a local server, and a recorder of what the service published.
 */
export class TelegramHarness extends ChannelServiceHarness {
  private readonly others: NestFastifyApplication[] = [];

  private constructor(
    parts: ChannelServiceParts,
    readonly botApi: FakeBotApiServer,
    /** The service's settings, to boot another instance of it on the same database and topics. */
    private readonly env: Record<string, string>,
  ) {
    super(parts);
  }

  static async start(options: TelegramHarnessOptions = {}): Promise<TelegramHarness> {
    const environment = channelTestEnvironment('telegram', { partitions: 1 });
    const botApi = await FakeBotApiServer.start([
      { token: BOT.token, username: 'acme_support_bot' },
      { token: OTHER_BOT.token, username: 'acme_vendas_bot' },
    ]);
    const bots = [
      {
        id: BOT.id,
        token: BOT.token,
        webhookSecret: BOT.webhookSecret,
        tenantId: TENANT,
        groups: [String(CONFIGURED_GROUP)],
      },
      { id: OTHER_BOT.id, token: OTHER_BOT.token, webhookSecret: OTHER_BOT.webhookSecret },
    ];
    const env: Record<string, string> = {
      ...environment.env,
      TELEGRAM_TENANT_ID: TENANT,
      TELEGRAM_UPDATES: options.mode ?? 'webhook',
      ...(options.withoutBots ? {} : { TELEGRAM_BOTS: JSON.stringify(bots) }),
      TELEGRAM_API_ROOT: botApi.url,
      TELEGRAM_POLLING_TIMEOUT_SECONDS: '1',
      TELEGRAM_POLLING_BACKOFF_MS: '50',
      TELEGRAM_MEDIA_MAX_BYTES: String(64 * 1024),
      TELEGRAM_CHAT_MESSAGES_PER_SECOND: '50',
      TELEGRAM_SEND_INITIAL_BACKOFF_MS: '50',
      TELEGRAM_SEND_MAX_BACKOFF_MS: '200',
      ...options.env,
    };
    const parts = await startChannelService(environment, () => bootService(env));
    return new TelegramHarness(parts, botApi, env);
  }

  /** POSTs an update as Telegram does: JSON, with the bot's secret token (or `secret`, or none when null). */
  async webhook(
    update: unknown,
    options: { botId?: string; secret?: string | null; body?: string; url?: string } = {},
  ): Promise<WebhookResponse> {
    const botId = options.botId ?? BOT.id;
    const secret = options.secret === undefined ? secretOf(botId) : options.secret;
    const response = await fetch(`${options.url ?? this.url}/webhooks/telegram/${botId}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(secret === null || secret === undefined ? {} : { [SECRET_TOKEN_HEADER]: secret }),
      },
      body: options.body ?? JSON.stringify(update),
    });
    return { status: response.status, body: await response.text() };
  }

  /**
   * Waits for a sentinel message sent after everything else: the topics have one partition, so whatever the earlier
   * webhooks published has been recorded by then.
   */
  async drainInbound(): Promise<void> {
    const sentinel = textUpdate('sentinel', { from: customer(5_000_000_001, 'Sentinela') });
    const response = await this.webhook(sentinel);
    if (response.status !== 200) throw new Error(`sentinel webhook answered ${response.status}`);
    const message = sentinel['message'] as { chat: { id: number }; message_id: number };
    await this.inboundMessage(`${message.chat.id}:${message.message_id}`);
  }

  /** The same for statuses: an outbound message for a bot nobody serves fails at once, after the rest. */
  async drainStatuses(): Promise<void> {
    const sentinel = await this.outbound({ channelAccountId: 'no-such-bot' });
    await this.status(sentinel.messageId, 'failed');
  }

  /** Publishes an outbound message as the router does (defaults: a text from our bot to a private chat). */
  async outbound(overrides: Partial<OutboundMessage> = {}): Promise<OutboundMessage> {
    const data = buildOutboundMessage({
      channel: 'telegram',
      channelAccountId: BOT.id,
      conversationId: `conversation-${randomUUID()}`,
      to: { address: '987654321' },
      content: { text: 'Olá! Sua conta foi desbloqueada.' },
      ...overrides,
    });
    await this.republish(data);
    return data;
  }

  async republish(data: OutboundMessage): Promise<void> {
    await this.publishAsRouter(Topics.outbound.telegram, data, TENANT);
  }

  /** Stores an attachment as the gateway does before the router queues the reply that references it. */
  async putBlob(blob: NewBlob): Promise<AttachmentRef> {
    const stored = await this.app.get(BlobStore).put(blob);
    return {
      blobId: stored.id,
      contentType: stored.contentType,
      size: stored.size,
      ...(stored.fileName ? { fileName: stored.fileName } : {}),
    };
  }

  /** Another instance of the service on the same database and topics: what a restart (or a second replica) is. */
  async bootAnother(): Promise<{ url: string; app: NestFastifyApplication }> {
    const app = await bootService(this.env);
    this.others.push(app);
    return { url: (await app.getUrl()).replace('[::1]', '127.0.0.1'), app };
  }

  protected async stopFakes(): Promise<void> {
    for (const app of this.others) await app.close();
    await this.botApi.stop();
  }
}

function bootService(env: Record<string, string>): Promise<NestFastifyApplication> {
  return createServiceApp(telegramService, loadConfig(TelegramConfig, env, 'telegram'));
}

function secretOf(botId: string): string | undefined {
  if (botId === BOT.id) return BOT.webhookSecret;
  if (botId === OTHER_BOT.id) return OTHER_BOT.webhookSecret;
  return undefined;
}
