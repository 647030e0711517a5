import { BlobStore, type NewBlob, hubSignature } from '@ponte/channel-kit';
import {
  ChannelServiceHarness,
  type ChannelServiceParts,
  channelTestEnvironment,
  startChannelService,
} from '@ponte/channel-kit/testing';
import { type AttachmentRef, buildOutboundMessage, type OutboundMessage, Topics } from '@ponte/contracts';
import { createServiceApp, loadConfig } from '@ponte/platform';
import { FakeGraphSendServer } from '@ponte/testing';
import { randomBytes, randomUUID } from 'node:crypto';
import type { SocialChannel } from '../config/meta-accounts';
import { SocialConfig } from '../config/social.config';
import { socialService } from '../social.definition';
import { CUSTOMER_WINDOWS_COLLECTION, windowId } from '../window/customer-window.store';
import { customerId, messageEvent, textMessage, webhook } from './meta-webhooks';

export const TENANT = 'tenant-test';
export const APP_SECRET = randomBytes(16).toString('hex');
export const VERIFY_TOKEN = `verify-${randomBytes(8).toString('hex')}`;
export const PAGE = {
  id: '104857600123456',
  accessToken: `EAAG${randomBytes(24).toString('base64url')}`,
} as const;
export const INSTAGRAM = {
  id: '17841400123456789',
  accessToken: `IGAA${randomBytes(24).toString('base64url')}`,
} as const;

export interface SocialHarnessOptions {
  /** Boot without META_* settings (the "not configured" mode of `npm start`). */
  unconfigured?: boolean;
  env?: Record<string, string>;
}

export interface WebhookResponse {
  status: number;
  body: string;
}

/**
 * The real social service (its Nest app, its Kafka consumer) on private topics with a single partition and a private
 * database, Graph's Send API and Meta's CDN played by a local server, and a recorder of what the service published.
 */
export class SocialHarness extends ChannelServiceHarness {
  private constructor(
    parts: ChannelServiceParts,
    readonly graph: FakeGraphSendServer,
  ) {
    super(parts);
  }

  static async start(options: SocialHarnessOptions = {}): Promise<SocialHarness> {
    const environment = channelTestEnvironment('social', { partitions: 1 });
    const graph = await FakeGraphSendServer.start([PAGE, INSTAGRAM]);
    const env: Record<string, string> = {
      ...environment.env,
      SOCIAL_TENANT_ID: TENANT,
      ...(options.unconfigured
        ? {}
        : {
            META_APP_SECRET: APP_SECRET,
            META_VERIFY_TOKEN: VERIFY_TOKEN,
            META_PAGES: JSON.stringify([PAGE]),
            META_INSTAGRAM_ACCOUNTS: JSON.stringify([INSTAGRAM]),
          }),
      META_GRAPH_BASE_URL: graph.url,
      META_INSTAGRAM_GRAPH_BASE_URL: graph.url,
      META_MEDIA_ALLOWED_ORIGINS: graph.url,
      META_MEDIA_MAX_BYTES: String(64 * 1024),
      META_SEND_INITIAL_BACKOFF_MS: '50',
      META_SEND_MAX_BACKOFF_MS: '200',
      ...options.env,
    };
    const parts = await startChannelService(environment, () =>
      createServiceApp(socialService, loadConfig(SocialConfig, env, 'social')),
    );
    return new SocialHarness(parts, graph);
  }

  /** POSTs a webhook as Meta does: JSON, signed with the app secret (or `signature`, or unsigned when null). */
  async webhook(
    payload: unknown,
    options: { signature?: string | null; body?: string } = {},
  ): Promise<WebhookResponse> {
    const body = options.body ?? JSON.stringify(payload);
    const signature = options.signature === undefined ? hubSignature(APP_SECRET, body) : options.signature;
    const response = await fetch(`${this.url}/webhooks/meta`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(signature === null ? {} : { 'x-hub-signature-256': signature }),
      },
      body,
    });
    return { status: response.status, body: await response.text() };
  }

  /**
   * Waits for a sentinel message sent after everything else: the topics have one partition, so whatever the earlier
   * webhooks published has been recorded by then.
   */
  async drainInbound(): Promise<void> {
    const message = textMessage('sentinel');
    const response = await this.webhook(
      webhook('page', PAGE.id, messageEvent(PAGE.id, customerId(), message)),
    );
    if (response.status !== 200) throw new Error(`sentinel webhook answered ${response.status}`);
    await this.inboundMessage(String(message['mid']));
  }

  /** The same for statuses: an outbound message for an account nobody serves fails at once, after the rest. */
  async drainStatuses(): Promise<void> {
    const sentinel = await this.outbound('messenger', { channelAccountId: '999' });
    await this.status(sentinel.messageId, 'failed');
  }

  /** Publishes an outbound message as the router does (defaults: a text from our page). */
  async outbound(channel: SocialChannel, overrides: Partial<OutboundMessage> = {}): Promise<OutboundMessage> {
    const data = buildOutboundMessage({
      channel,
      channelAccountId: channel === 'messenger' ? PAGE.id : INSTAGRAM.id,
      conversationId: `conversation-${randomUUID()}`,
      to: { address: customerId() },
      content: { text: 'Olá! Sua conta foi desbloqueada.' },
      ...overrides,
    });
    await this.republish(data);
    return data;
  }

  async republish(data: OutboundMessage): Promise<void> {
    const topic = data.channel === 'instagram' ? Topics.outbound.instagram : Topics.outbound.messenger;
    await this.publishAsRouter(topic, data, TENANT);
  }

  /** Says the customer last wrote at `at` (what an inbound message records), to place the messaging window. */
  async customerWroteAt(
    channel: SocialChannel,
    accountId: string,
    customer: string,
    at: Date,
  ): Promise<void> {
    await this.db
      .collection<{ _id: string; lastInboundAt: Date; updatedAt: Date }>(CUSTOMER_WINDOWS_COLLECTION)
      .updateOne(
        { _id: windowId(channel, accountId, customer) },
        { $set: { lastInboundAt: at, updatedAt: new Date() } },
        { upsert: true },
      );
  }

  /** Stores an attachment as the gateway does before the router queues the reply that references it. */
  async putBlob(blob: NewBlob): Promise<AttachmentRef> {
    const stored = await this.app.get(BlobStore).put(blob);
    return { blobId: stored.id, contentType: stored.contentType, size: stored.size };
  }

  protected async stopFakes(): Promise<void> {
    await this.graph.stop();
  }
}
