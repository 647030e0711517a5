import { Logger } from '@nestjs/common';
import type { SendAccepted } from '@ponte/channel-kit';
import { InMemoryBlobStore, InMemoryOutboundLedger } from '@ponte/channel-kit/testing';
import { encode, type EnvelopeOf, loadFixtures, parse, Topics } from '@ponte/contracts';
import type { MessageBus } from '@ponte/messaging';
import { loadConfig } from '@ponte/platform';
import type { SocialChannel } from '../config/meta-accounts';
import { SocialConfig } from '../config/social.config';
import type { SentMessage, SentMessageStore } from '../receipts/sent-message.store';
import type { CustomerWindowStore } from '../window/customer-window.store';
import { MetaSendProvider, type MetaSendRequest } from './meta-send.port';
import { OUTSIDE_MESSAGING_WINDOW } from './messaging-window';
import { OutboundSenderService } from './outbound-sender.service';

const HOUR = 3_600_000;

class RecordingProvider extends MetaSendProvider {
  readonly requests: MetaSendRequest[] = [];

  async send(request: MetaSendRequest): Promise<SendAccepted> {
    this.requests.push(request);
    return { externalId: `m_${this.requests.length}`, state: 'sent' };
  }
}

describe(OutboundSenderService.name, () => {
  let provider: RecordingProvider;
  let published: Array<{ topic: string; envelope: EnvelopeOf<typeof Topics.deliveryStatus> }>;
  let lastInboundAt: Date | undefined;
  let recorded: SentMessage[];
  let sut: OutboundSenderService;

  beforeAll(() => {
    // The sender logs each send; the assertions below say what matters.
    Logger.overrideLogger(false);
  });

  beforeEach(() => {
    const config = loadConfig(
      SocialConfig,
      {
        KAFKA_BROKERS: '127.0.0.1:9092',
        MONGO_URL: 'mongodb://127.0.0.1:27017/ponte',
        META_APP_SECRET: '0123456789abcdef0123456789abcdef',
        META_VERIFY_TOKEN: 'verify-token',
        // The accounts the contract fixtures name.
        META_PAGES: JSON.stringify([{ id: 'page-104857600000000', accessToken: 'EAAGpage' }]),
        META_INSTAGRAM_ACCOUNTS: JSON.stringify([{ id: 'ig-17841400000000000', accessToken: 'IGAAaccount' }]),
      },
      'social',
    );
    provider = new RecordingProvider();
    published = [];
    recorded = [];
    lastInboundAt = new Date(Date.now() - HOUR);
    const bus = {
      publish: async (topic: string, envelope: EnvelopeOf<typeof Topics.deliveryStatus>) => {
        published.push({ topic, envelope });
      },
    } as unknown as MessageBus;
    const windows = { lastInboundAt: async () => lastInboundAt } as unknown as CustomerWindowStore;
    const sentMessages = {
      record: async (entry: SentMessage) => {
        recorded.push(entry);
      },
    } as unknown as SentMessageStore;
    sut = new OutboundSenderService(
      config,
      windows,
      sentMessages,
      new InMemoryBlobStore(),
      provider,
      new InMemoryOutboundLedger().asStore(),
      bus,
    );
  });

  const fixtures = (['messenger', 'instagram'] as const).flatMap((channel: SocialChannel) =>
    loadFixtures(Topics.outbound[channel])
      .filter((fixture) => fixture.valid)
      .map((fixture) => ({ ...fixture, channel })),
  );

  it.each(fixtures)(
    'should send the contract fixture $name and report it sent within the contract',
    async (fixture) => {
      const parsed = parse(Topics.outbound[fixture.channel], fixture.bytes);
      if (!parsed.ok) throw new Error(`fixture ${fixture.name} does not parse`);
      const message = parsed.value.data;

      expect(await sut.handle(parsed.value)).toBe('sent');

      expect(provider.requests).toEqual([
        {
          account: expect.objectContaining({ channel: fixture.channel, id: message.channelAccountId }),
          customerId: message.to.address,
          messagingType: { messaging_type: 'RESPONSE' },
          text: message.content.text,
        },
      ]);
      expect(recorded).toEqual([
        expect.objectContaining({ _id: 'm_1', messageId: message.messageId, customerId: message.to.address }),
      ]);
      const [status] = published;
      expect(status?.topic).toBe(Topics.deliveryStatus);
      expect(status?.envelope.data).toMatchObject({
        messageId: message.messageId,
        state: 'sent',
        externalId: 'm_1',
      });
      expect(() => encode(Topics.deliveryStatus, status!.envelope)).not.toThrow();
    },
  );

  it.each(fixtures)(
    'should refuse the fixture $name outside the 7 days, within the contract',
    async (fixture) => {
      const parsed = parse(Topics.outbound[fixture.channel], fixture.bytes);
      if (!parsed.ok) throw new Error(`fixture ${fixture.name} does not parse`);
      lastInboundAt = new Date(Date.now() - 8 * 24 * HOUR);

      expect(await sut.handle(parsed.value)).toBe('failed');

      expect(provider.requests).toEqual([]);
      expect(published[0]?.envelope.data).toMatchObject({
        state: 'failed',
        error: { code: OUTSIDE_MESSAGING_WINDOW },
      });
      expect(() => encode(Topics.deliveryStatus, published[0]!.envelope)).not.toThrow();
    },
  );
});
