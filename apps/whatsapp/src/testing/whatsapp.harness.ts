import { hubSignature } from '@ponte/channel-kit';
import {
  ChannelServiceHarness,
  type ChannelServiceParts,
  channelTestEnvironment,
  startChannelService,
} from '@ponte/channel-kit/testing';
import {
  buildOutboundMessage,
  type ChannelAccountState,
  type ChannelAccountStatus,
  type EnvelopeOf,
  type OutboundMessage,
  Topics,
} from '@ponte/contracts';
import { ConsumerRunner } from '@ponte/messaging';
import { createServiceApp, loadConfig } from '@ponte/platform';
import { uniqueName, waitFor } from '@ponte/testing';
import { randomBytes, randomUUID } from 'node:crypto';
import { WhatsappConfig } from '../config/whatsapp.config';
import { whatsappService } from '../whatsapp.definition';
import { WhatsappModule } from '../whatsapp.module';
import { FakeGraphServer } from './fake-graph.server';
import { WebSessionRegistry } from '../web-js/web-session.registry';
import { type FakeWebClient, FakeWebClients } from './fake-web.client';
import { webMessage, webMessageId } from './web-js.fixtures';
import { metaWebhook, PHONE_NUMBER_ID, textMessage } from './meta-webhook.payloads';

export const TENANT = 'tenant-test';
export const APP_SECRET = randomBytes(16).toString('hex');
export const ACCESS_TOKEN = `EAAG${randomBytes(24).toString('hex')}`;
export const VERIFY_TOKEN = `verify-${randomBytes(8).toString('hex')}`;
export const GRAPH_VERSION = 'v23.0';
const WEBHOOK = '/webhooks/whatsapp';

export interface WebhookResponse {
  status: number;
  body: string;
}

export interface WhatsappHarnessOptions {
  env?: Record<string, string>;
  /** Boot without Cloud API settings (the "not configured" mode of `npm start`). */
  withoutCloudApi?: boolean;
  /** Set up every WhatsApp Web client the service creates, before it is started. */
  onWebClient?: Parameters<FakeWebClients['onCreate']>[0];
  /** Keep the real whatsapp-web.js client factory (it launches WHATSAPP_WEB_CHROMIUM_PATH). */
  realWhatsAppWeb?: boolean;
}

/**
 * The real whatsapp service (its Nest app, its Kafka consumer) on private topics with a single partition (so
 * "nothing else was published" can be checked with a later sentinel) and a private database, Meta's Graph API
 * played by a local server, WhatsApp Web by fake whatsapp-web.js clients, and a recorder of what the service
 * published.
 */
export class WhatsappHarness extends ChannelServiceHarness {
  private constructor(
    parts: ChannelServiceParts,
    readonly graph: FakeGraphServer,
    /** Another host, for media that must never be fetched. */
    readonly elsewhere: FakeGraphServer,
    /** WhatsApp Web: the fake whatsapp-web.js clients of the sessions (WHATSAPP_WEB_SESSIONS). */
    readonly web: FakeWebClients,
    /** The `ponte.channel.status.v1` events the service published. */
    readonly channelStates: EnvelopeOf<typeof Topics.channelStatus>[],
    private readonly channelStatusRecorder: ConsumerRunner<typeof Topics.channelStatus>,
  ) {
    super(parts);
  }

  static async start(options: WhatsappHarnessOptions = {}): Promise<WhatsappHarness> {
    const environment = channelTestEnvironment('whatsapp', { partitions: 1 });
    const graph = await FakeGraphServer.start(ACCESS_TOKEN);
    const elsewhere = await FakeGraphServer.start(ACCESS_TOKEN);
    const env: Record<string, string> = {
      ...environment.env,
      WHATSAPP_TENANT_ID: TENANT,
      ...(options.withoutCloudApi
        ? {}
        : {
            WHATSAPP_CLOUD_APP_SECRET: APP_SECRET,
            WHATSAPP_CLOUD_ACCESS_TOKEN: ACCESS_TOKEN,
            WHATSAPP_CLOUD_VERIFY_TOKEN: VERIFY_TOKEN,
            WHATSAPP_CLOUD_PHONE_NUMBER_IDS: PHONE_NUMBER_ID,
          }),
      WHATSAPP_CLOUD_GRAPH_BASE_URL: graph.url,
      WHATSAPP_CLOUD_GRAPH_API_VERSION: GRAPH_VERSION,
      WHATSAPP_CLOUD_MEDIA_ALLOWED_ORIGINS: graph.url,
      WHATSAPP_CLOUD_MEDIA_MAX_BYTES: String(64 * 1024),
      WHATSAPP_CLOUD_SEND_INITIAL_BACKOFF_MS: '50',
      WHATSAPP_CLOUD_SEND_MAX_BACKOFF_MS: '200',
      ...options.env,
    };
    const web = new FakeWebClients();
    if (options.onWebClient) web.onCreate(options.onWebClient);
    const channelStates: EnvelopeOf<typeof Topics.channelStatus>[] = [];
    const channelStatusRecorder = new ConsumerRunner<typeof Topics.channelStatus>(environment.messaging, {
      groupId: uniqueName('channel-status-recorder'),
      topics: [Topics.channelStatus],
      handleMessage: async (message) => {
        channelStates.push(message.envelope);
      },
    });
    // Only WhatsApp Web is replaced: the module, its stores, Kafka and MongoDB are the real ones.
    const definition = {
      ...whatsappService,
      module: (config: WhatsappConfig) =>
        WhatsappModule.register(config, options.realWhatsAppWeb ? {} : { webClientFactory: web.factory }),
    };
    const parts = await startChannelService(environment, () =>
      createServiceApp(definition, loadConfig(WhatsappConfig, env, 'whatsapp')),
    );
    await channelStatusRecorder.start();
    return new WhatsappHarness(parts, graph, elsewhere, web, channelStates, channelStatusRecorder);
  }

  /** POSTs a webhook the way Meta does: JSON, `X-Hub-Signature-256` over the exact bytes with the app secret. */
  async webhook(
    payload: unknown,
    options: { signature?: string | null; body?: string } = {},
  ): Promise<WebhookResponse> {
    const signed = JSON.stringify(payload);
    const signature = options.signature === undefined ? hubSignature(APP_SECRET, signed) : options.signature;
    const response = await fetch(`${this.url}${WEBHOOK}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(signature === null ? {} : { 'x-hub-signature-256': signature }),
      },
      body: options.body ?? signed,
    });
    return { status: response.status, body: await response.text() };
  }

  /** Meta's subscription challenge. */
  async verify(query: Record<string, string>): Promise<WebhookResponse> {
    const response = await fetch(`${this.url}${WEBHOOK}?${new URLSearchParams(query).toString()}`);
    return { status: response.status, body: await response.text() };
  }

  /** Publishes an outbound message as the router does (defaults: a WhatsApp text from our Cloud API number). */
  async outbound(overrides: Partial<OutboundMessage> = {}): Promise<OutboundMessage> {
    const data = buildOutboundMessage({
      channel: 'whatsapp',
      channelAccountId: PHONE_NUMBER_ID,
      conversationId: `conversation-${randomUUID()}`,
      to: { address: '+5511987654321' },
      ...overrides,
    });
    await this.republish(data);
    return data;
  }

  async republish(data: OutboundMessage): Promise<void> {
    await this.publishAsRouter(Topics.outbound.whatsapp, data, TENANT);
  }

  /**
   * Waits for a sentinel inbound message sent after everything else: the topics have one partition, so whatever the
   * earlier webhooks published has been recorded by then.
   */
  async drainInbound(): Promise<void> {
    const sentinel = textMessage('5511900000000', 'sentinel');
    const response = await this.webhook(metaWebhook({ messages: [sentinel] }));
    if (response.status !== 200) throw new Error(`sentinel webhook answered ${response.status}`);
    await this.inboundMessage(sentinel.id);
  }

  /** The same for statuses: an outbound message for an account nobody serves fails at once, after the rest. */
  async drainStatuses(): Promise<void> {
    const sentinel = await this.outbound({ channelAccountId: '999999999999999' });
    await this.status(sentinel.messageId, 'failed');
  }

  /** The session's current whatsapp-web.js client, once the service created one. */
  webClient(sessionId = 'suporte'): Promise<FakeWebClient> {
    return waitFor(
      () => this.web.created.find((client) => client.sessionId === sessionId) && this.web.latest(sessionId),
      {
        description: `a WhatsApp Web client for ${sessionId}`,
      },
    );
  }

  /** Pairs the session's client (QR code scanned, chats loaded) and waits until the service sees it connected. */
  async connectWeb(sessionId = 'suporte'): Promise<FakeWebClient> {
    const client = await this.webClient(sessionId);
    const connected = (): boolean =>
      this.app.get(WebSessionRegistry).session(sessionId)?.snapshot().state === 'connected';
    if (!connected()) client.pair();
    await waitFor(connected, { description: `session ${sessionId} connected` });
    return client;
  }

  /**
   * Waits for a sentinel message emitted after everything else on the session: its events are handled one at a
   * time and the topics have one partition, so whatever the earlier events published has been recorded by then.
   */
  async drainWeb(sessionId = 'suporte'): Promise<void> {
    const sentinel = webMessage('text', { id: webMessageId() });
    this.web.latest(sessionId).emit('message_create', sentinel);
    await this.inboundMessage(sentinel.id._serialized);
  }

  /** An HTTP request to the service, JSON in and out. */
  async http(
    method: 'GET' | 'POST',
    path: string,
    headers: Record<string, string> = {},
  ): Promise<{ status: number; body: unknown }> {
    const response = await fetch(`${this.url}${path}`, { method, headers });
    const text = await response.text();
    return { status: response.status, body: text ? (JSON.parse(text) as unknown) : undefined };
  }

  /** Waits for a ChannelAccountStatus of the account in that state (and, when given, matching the reason). */
  channelState(
    channelAccountId: string,
    state: ChannelAccountState,
    reason?: RegExp,
    timeoutMs = 30_000,
  ): Promise<ChannelAccountStatus> {
    return waitFor(
      () =>
        this.channelStates
          .map((envelope) => envelope.data)
          .find(
            (status) =>
              status.channelAccountId === channelAccountId &&
              status.state === state &&
              (reason === undefined || reason.test(status.reason ?? '')),
          ),
      { timeoutMs, description: `a ${state} status of ${channelAccountId} on Kafka` },
    );
  }

  protected async stopFakes(): Promise<void> {
    await this.channelStatusRecorder.stop();
    await this.graph.stop();
    await this.elsewhere.stop();
  }
}
