import type { SendAccepted } from '@ponte/channel-kit';
import { InMemoryBlobStore, InMemoryOutboundLedger } from '@ponte/channel-kit/testing';
import { Logger } from '@nestjs/common';
import { encode, type EnvelopeOf, loadFixtures, parse, Topics } from '@ponte/contracts';
import type { MessageBus } from '@ponte/messaging';
import { loadConfig } from '@ponte/platform';
import { TelegramBots } from '../bot-api/telegram-bots';
import { TelegramConfig } from '../config/telegram.config';
import { fileNameOf, OutboundMediaResolver } from './outbound-media.resolver';
import { OutboundSenderService, replyTarget } from './outbound-sender.service';
import { TelegramProvider, type TelegramSendRequest } from './telegram-provider.port';

class RecordingProvider extends TelegramProvider {
  readonly requests: TelegramSendRequest[] = [];

  async send(request: TelegramSendRequest): Promise<SendAccepted> {
    this.requests.push(request);
    return { externalId: `${request.chatId}:500`, state: 'sent' };
  }
}

describe(OutboundSenderService.name, () => {
  let provider: RecordingProvider;
  let published: Array<{ topic: string; envelope: EnvelopeOf<typeof Topics.deliveryStatus> }>;
  let sut: OutboundSenderService;

  beforeAll(() => {
    // The sender logs each send; the assertions below say what matters.
    Logger.overrideLogger(false);
  });

  beforeEach(() => {
    const config = loadConfig(
      TelegramConfig,
      {
        KAFKA_BROKERS: '127.0.0.1:9092',
        MONGO_URL: 'mongodb://127.0.0.1:27017/ponte',
        TELEGRAM_UPDATES: 'polling',
        TELEGRAM_BOTS: JSON.stringify([
          { id: 'bot-acme-support', token: '7012345678:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw' },
        ]),
      },
      'telegram',
    );
    provider = new RecordingProvider();
    published = [];
    const bus = {
      publish: async (topic: string, envelope: EnvelopeOf<typeof Topics.deliveryStatus>) => {
        published.push({ topic, envelope });
      },
    } as unknown as MessageBus;
    sut = new OutboundSenderService(
      config,
      new TelegramBots(config),
      provider,
      new OutboundMediaResolver(new InMemoryBlobStore()),
      new InMemoryOutboundLedger().asStore(),
      bus,
    );
  });

  it.each(loadFixtures(Topics.outbound.telegram).filter((fixture) => fixture.valid))(
    'should send the contract fixture $name and report it sent within the contract',
    async (fixture) => {
      const parsed = parse(Topics.outbound.telegram, fixture.bytes);
      if (!parsed.ok) throw new Error(`fixture ${fixture.name} does not parse`);

      expect(await sut.handle(parsed.value)).toBe('sent');

      expect(provider.requests).toEqual([
        { botId: 'bot-acme-support', chatId: '987654321', text: parsed.value.data.content.text },
      ]);
      const [status] = published;
      expect(status?.topic).toBe(Topics.deliveryStatus);
      expect(status?.envelope.data).toMatchObject({
        messageId: parsed.value.data.messageId,
        state: 'sent',
        externalId: '987654321:500',
      });
      expect(() => encode(Topics.deliveryStatus, status!.envelope)).not.toThrow();
    },
  );
});

describe(replyTarget.name, () => {
  it('should quote a message of the chat written to, and nothing from another chat', () => {
    expect(replyTarget('987654321:4711', '987654321')).toBe(4711);
    expect(replyTarget('-1001234567890:4711', '987654321')).toBeUndefined();
    expect(replyTarget('edited:987654321:4711:1741953600', '987654321')).toBeUndefined();
    expect(replyTarget(undefined, '987654321')).toBeUndefined();
  });
});

describe(fileNameOf.name, () => {
  it.each([
    ['fatura.pdf', 'application/pdf', 'fatura.pdf'],
    ['boleto "março"\r\n.jpg', 'image/jpeg', 'boleto_mar_o_.jpg'],
    ['extrato', 'application/pdf', 'extrato.pdf'],
    [undefined, 'image/png', 'file.png'],
    ['../../etc/passwd', 'text/plain', 'etc_passwd.txt'],
  ])('should make %j a safe name for %s', (fileName, contentType, expected) => {
    expect(fileNameOf(fileName === undefined ? {} : { fileName }, contentType)).toBe(expected);
  });
});
