import { BlobStore } from '@ponte/channel-kit';
import { BOT, CONFIGURED_GROUP, OTHER_BOT, TelegramHarness, TENANT } from '../testing/telegram.harness';
import {
  CUSTOMER,
  customer,
  editedUpdate,
  message,
  messageUpdate,
  photoSizes,
  supergroup,
  textUpdate,
} from '../testing/telegram-updates';
import { TelegramWebhookController } from './telegram-webhook.controller';
import { WebhookRegistrar } from './webhook-registrar';

const PUBLIC_URL = 'https://ponte.example.com/telegram';

interface SentMessage {
  message_id: number;
  chat: { id: number };
}

/** The externalId of an update's message: `<chat_id>:<message_id>`. */
function externalIdOf(update: Record<string, unknown>): string {
  const sent = (update['message'] ?? update['edited_message']) as SentMessage;
  return `${sent.chat.id}:${sent.message_id}`;
}

describe(TelegramWebhookController.name, () => {
  let sut: TelegramHarness;

  beforeAll(async () => {
    sut = await TelegramHarness.start({ env: { TELEGRAM_WEBHOOK_PUBLIC_URL: PUBLIC_URL } });
  });

  afterAll(async () => {
    await sut?.stop();
  });

  it('should publish one InboundMessage and answer 200 when a text update arrives with the bot’s secret', async () => {
    const update = textUpdate('Olá, não consigo acessar minha conta 😟', { date: 1_741_953_600 });
    const externalId = externalIdOf(update);

    const response = await sut.webhook(update);

    expect(response.status).toBe(200);
    const published = await sut.inboundMessage(externalId);
    expect(published).toEqual({
      channel: 'telegram',
      channelAccountId: BOT.id,
      externalId,
      from: { address: String(CUSTOMER.id), displayName: 'João Araújo' },
      to: [{ address: BOT.id }],
      sentAt: '2025-03-14T12:00:00.000Z',
      receivedAt: expect.any(String),
      content: { text: 'Olá, não consigo acessar minha conta 😟' },
      rawPayloadRef: `telegram/${BOT.id}/${externalId}/update`,
    });
    const envelope = sut.inbound.find((candidate) => candidate.data.externalId === externalId);
    expect(envelope).toMatchObject({
      tenantId: TENANT,
      source: '/ponte/telegram',
      id: `telegram:${BOT.id}:${externalId}`,
    });
    const raw = await sut.app.get(BlobStore).read(`telegram/${BOT.id}/${externalId}/update`);
    expect(JSON.parse(raw?.bytes.toString('utf8') ?? '{}')).toEqual(update);
  });

  it('should publish once when an update is delivered 3 times more: twice at once and once to a restarted service', async () => {
    const update = textUpdate('Meu pedido 4711 não chegou', { from: customer(5_100_000_001) });
    const externalId = externalIdOf(update);
    expect((await sut.webhook(update)).status).toBe(200);

    const concurrent = await Promise.all([sut.webhook(update), sut.webhook(update)]);
    const restarted = await sut.bootAnother();
    const afterRestart = await sut.webhook(update, { url: restarted.url });
    await sut.drainInbound();

    expect([...concurrent, afterRestart].map((response) => response.status)).toEqual([200, 200, 200]);
    expect(sut.inboundCopies(externalId)).toBe(1);
    const receipt = await sut.db
      .collection('telegram_inbound_receipts')
      .findOne({ _id: `${BOT.id}:${update.update_id}:${externalId}` as never });
    expect(receipt).toMatchObject({ state: 'published' });
  });

  it.each([
    ['missing', { secret: null }],
    ['wrong', { secret: 'not-the-secret-token-of-this-bot' }],
    ['the other bot’s', { secret: OTHER_BOT.webhookSecret }],
  ])('should answer 403 and store nothing when the secret token is %s', async (_, options) => {
    const update = textUpdate('Transfira R$ 5.000 para esta conta', { from: customer(5_100_000_002) });
    const externalId = externalIdOf(update);

    const response = await sut.webhook(update, options);
    await sut.drainInbound();

    expect(response.status).toBe(403);
    expect(sut.inboundCopies(externalId)).toBe(0);
    expect(
      await sut.db
        .collection('telegram_inbound_receipts')
        .findOne({ _id: `${BOT.id}:${update.update_id}:${externalId}` as never }),
    ).toBeNull();
    expect(await sut.app.get(BlobStore).metadata(`telegram/${BOT.id}/${externalId}/update`)).toBeNull();
  });

  it('should answer 404 and store nothing when the bot is not configured', async () => {
    const update = textUpdate('Olá', { from: customer(5_100_000_003) });

    const response = await sut.webhook(update, { botId: 'unknown-bot', secret: BOT.webhookSecret });
    await sut.drainInbound();

    expect(response.status).toBe(404);
    expect(sut.inboundCopies(externalIdOf(update))).toBe(0);
  });

  it('should register each bot’s webhook with its secret at start-up when a public URL is set', async () => {
    await sut.app.get(WebhookRegistrar).settled();

    const registrations = sut.botApi.callsOf('setWebhook');
    expect(registrations.map((call) => [call.botId, call.params])).toEqual(
      expect.arrayContaining([
        [
          BOT.numericId,
          {
            url: `${PUBLIC_URL}/webhooks/telegram/${BOT.id}`,
            secret_token: BOT.webhookSecret,
            allowed_updates: ['message', 'edited_message'],
          },
        ],
        [OTHER_BOT.numericId, expect.objectContaining({ secret_token: OTHER_BOT.webhookSecret })],
      ]),
    );
  });

  it('should answer 400 when the body is not an update', async () => {
    expect((await sut.webhook({ message: { text: 'no update_id' } })).status).toBe(400);
  });

  describe('edited messages', () => {
    it('should publish an edit as a revision of the message, once per edit, and a later edit as another', async () => {
      const from = customer(5_100_000_010);
      const original = message({ text: 'Meu CPF é 123.456.789-00' }, { from, date: 1_741_953_600 });
      const originalUpdate = { update_id: 800_000_001 + Math.floor(Math.random() * 1e6), message: original };
      const originalId = externalIdOf(originalUpdate);
      expect((await sut.webhook(originalUpdate)).status).toBe(200);
      await sut.inboundMessage(originalId);

      const edit = editedUpdate(original, { text: 'Meu CPF é 123.456.789-09', edit_date: 1_741_953_660 });
      expect((await sut.webhook(edit)).status).toBe(200);
      expect((await sut.webhook(edit)).status).toBe(200);
      const laterEdit = editedUpdate(original, {
        text: 'CPF corrigido: 123.456.789-09',
        edit_date: 1_741_953_720,
      });
      expect((await sut.webhook(laterEdit)).status).toBe(200);

      const revision = await sut.inboundMessage(`edited:${originalId}:1741953660`);
      expect(revision).toMatchObject({
        channel: 'telegram',
        channelAccountId: BOT.id,
        from: { address: String(from.id) },
        sentAt: '2025-03-14T12:01:00.000Z',
        content: { text: 'Meu CPF é 123.456.789-09' },
        revision: { kind: 'edited', of: originalId },
      });
      expect(await sut.inboundMessage(`edited:${originalId}:1741953720`)).toMatchObject({
        content: { text: 'CPF corrigido: 123.456.789-09' },
        revision: { kind: 'edited', of: originalId },
      });
      await sut.drainInbound();
      expect(sut.inboundCopies(`edited:${originalId}:1741953660`)).toBe(1);
      expect(sut.inboundCopies(originalId)).toBe(1);
    });

    it('should ignore the edits a live location makes of its message', async () => {
      const from = customer(5_100_000_011);
      const live = message(
        { location: { latitude: -23.561414, longitude: -46.655881, live_period: 900 } },
        { from },
      );
      const update = editedUpdate(live, {
        location: { latitude: -23.5615, longitude: -46.6559, live_period: 900 },
        edit_date: 1_741_953_630,
      });

      expect((await sut.webhook(update)).status).toBe(200);
      await sut.drainInbound();

      expect(sut.inbound.filter((envelope) => envelope.data.from.address === String(from.id))).toHaveLength(
        0,
      );
    });
  });

  describe('media', () => {
    it('should store the largest photo size as a blob referenced by id, with the caption as text', async () => {
      const sizes = [Buffer.alloc(900, 1), Buffer.alloc(4_000, 2), Buffer.alloc(20_000, 3)];
      // Telegram's file server does not always know a file's type; a photo is JPEG whatever it answers.
      const files = sizes.map((bytes, index) =>
        sut.botApi.addFile(bytes, {
          contentType: 'application/octet-stream',
          filePath: `photos/file_${Date.now()}_${index}.jpg`,
        }),
      );
      const update = messageUpdate(
        { photo: photoSizes(files), caption: 'Foto do boleto' },
        { from: customer(5_100_000_020) },
      );
      const externalId = externalIdOf(update);

      expect((await sut.webhook(update)).status).toBe(200);

      const published = await sut.inboundMessage(externalId);
      const blobId = `telegram/${BOT.id}/${externalId}/media/0`;
      expect(published.attachments).toEqual([{ blobId, contentType: 'image/jpeg', size: 20_000 }]);
      expect(published.content.text).toBe('Foto do boleto');
      const stored = await sut.app.get(BlobStore).read(blobId);
      expect(stored?.bytes.equals(sizes[2]!)).toBe(true);
      const fileCalls = sut.botApi.callsOf('getFile').map((call) => call.params['file_id']);
      expect(fileCalls).toContain(files[2]!.file_id);
      expect(fileCalls).not.toContain(files[0]!.file_id);
    });

    it('should store a voice note with the type Telegram declared', async () => {
      const voice = sut.botApi.addFile(Buffer.from('OggS voice'), {
        contentType: 'audio/ogg',
        filePath: `voice/file_${Date.now()}.oga`,
      });
      const update = messageUpdate(
        { voice: { duration: 4, mime_type: 'audio/ogg', ...voice } },
        { from: customer(5_100_000_021) },
      );

      expect((await sut.webhook(update)).status).toBe(200);

      expect((await sut.inboundMessage(externalIdOf(update))).attachments).toEqual([
        expect.objectContaining({ contentType: 'audio/ogg', size: 10 }),
      ]);
    });

    it('should publish the text with a note and download nothing when a document is over the size limit', async () => {
      const document = sut.botApi.addFile(Buffer.alloc(10), {
        contentType: 'application/pdf',
        fileSize: 5_000_000,
      });
      const update = messageUpdate(
        {
          document: { file_name: 'extrato.pdf', mime_type: 'application/pdf', ...document },
          caption: 'Segue o extrato',
        },
        { from: customer(5_100_000_022) },
      );
      const getFileCalls = sut.botApi.callsOf('getFile').length;

      expect((await sut.webhook(update)).status).toBe(200);

      const published = await sut.inboundMessage(externalIdOf(update));
      expect(published.attachments).toBeUndefined();
      expect(published.content.text).toBe(
        'Segue o extrato\n[document not accepted: 5000000 bytes exceed the 65536-byte limit]',
      );
      expect(sut.botApi.callsOf('getFile')).toHaveLength(getFileCalls);
    });
  });

  describe('content', () => {
    it('should thread a reply to the replied message and keep what it quoted', async () => {
      const from = customer(5_100_000_030);
      const replied = {
        message_id: 321,
        from,
        chat: { id: from.id, type: 'private' },
        date: 1_741_953_000,
        text: 'Pedido 4711',
      };
      const update = messageUpdate(
        { text: 'Esse pedido ainda não chegou', reply_to_message: replied },
        { from },
      );

      expect((await sut.webhook(update)).status).toBe(200);

      expect(await sut.inboundMessage(externalIdOf(update))).toMatchObject({
        content: { text: 'Esse pedido ainda não chegou', quotedText: 'Pedido 4711' },
        threading: { replyToExternalId: `${from.id}:321` },
      });
    });

    it('should publish a shared contact as text, saying when it is the customer’s own number', async () => {
      const from = customer(5_100_000_031, 'Ana', 'Lima');
      const own = messageUpdate(
        {
          contact: { phone_number: '+5511987650031', first_name: 'Ana', last_name: 'Lima', user_id: from.id },
        },
        { from },
      );
      const other = messageUpdate(
        { contact: { phone_number: '+5521999887777', first_name: 'Carlos' } },
        { from },
      );

      expect((await sut.webhook(own)).status).toBe(200);
      expect((await sut.webhook(other)).status).toBe(200);

      expect((await sut.inboundMessage(externalIdOf(own))).content.text).toBe(
        '[contact] Ana Lima +5511987650031 (the customer’s own number, shared from Telegram)',
      );
      expect((await sut.inboundMessage(externalIdOf(other))).content.text).toBe(
        '[contact] Carlos +5521999887777',
      );
    });

    it('should publish a configured group’s message to the group and ignore other groups', async () => {
      const from = customer(5_100_000_032);
      const configured = textUpdate('Alguém do suporte?', { from, chat: supergroup(CONFIGURED_GROUP) });
      const other = textUpdate('Oi grupo', { from, chat: supergroup(-1_009_999_999_999, 'Outro grupo') });

      expect((await sut.webhook(configured)).status).toBe(200);
      expect((await sut.webhook(other)).status).toBe(200);
      await sut.drainInbound();

      expect(await sut.inboundMessage(externalIdOf(configured))).toMatchObject({
        from: { address: String(from.id) },
        to: [{ address: String(CONFIGURED_GROUP), displayName: 'Clientes ACME' }],
      });
      expect(sut.inboundCopies(externalIdOf(other))).toBe(0);
    });
  });
});

describe(`${TelegramWebhookController.name} without bots`, () => {
  let sut: TelegramHarness;

  beforeAll(async () => {
    sut = await TelegramHarness.start({ withoutBots: true });
  });

  afterAll(async () => {
    await sut?.stop();
  });

  it('should be ready and answer 404 to any webhook when no bot is configured', async () => {
    expect((await fetch(`${sut.url}/health/ready`)).status).toBe(200);
    expect((await sut.webhook(textUpdate('Olá'))).status).toBe(404);
  });
});
