import { BlobStore } from '@ponte/channel-kit';
import { isForwardTransition, type OutboundMessage } from '@ponte/contracts';
import { parseWhatsAppAddress } from '@ponte/identity';
import { randomBytes, randomUUID } from 'node:crypto';
import type { FakeWebClient } from '../testing/fake-web.client';
import { echoOf, OUR_WID, webMessage, webMessageId } from '../testing/web-js.fixtures';
import { TENANT, WhatsappHarness } from '../testing/whatsapp.harness';
import { WebAck } from './web-client.port';
import { NOT_ON_WHATSAPP } from './web-recipient.resolver';
import { WebSessionRegistry } from './web-session.registry';
import { TEMPLATES_UNSUPPORTED } from './whatsapp-web.provider';

const ACCOUNT = 'web:suporte';

/**
 * The whatsapp-web.js path of the real service — its stores on FerretDB, Kafka — with only WhatsApp Web replaced: a
 * fake client emitting message objects shaped exactly like the library's (src/web-js/fixtures).
 */
describe(WebSessionRegistry.name, () => {
  let sut: WhatsappHarness;
  let client: FakeWebClient;

  beforeAll(async () => {
    sut = await WhatsappHarness.start({
      env: {
        WHATSAPP_WEB_SESSIONS: 'suporte',
        WHATSAPP_WEB_MEDIA_MAX_BYTES: String(64 * 1024),
      },
      onWebClient: (created) => {
        created.registered.set('551187654321', '551187654321@c.us');
      },
    });
    client = await sut.connectWeb('suporte');
  });

  afterAll(async () => {
    await sut?.stop();
  });

  /** An agent's reply through the router, to a customer of the session. */
  async function reply(overrides: Partial<OutboundMessage> = {}): Promise<OutboundMessage> {
    return sut.outbound({
      channelAccountId: ACCOUNT,
      to: { address: '+5511987654321' },
      content: { text: 'Prontinho, sua conta foi desbloqueada.' },
      ...overrides,
    });
  }

  describe('customers’ messages', () => {
    it('should publish one InboundMessage when whatsapp-web.js emits the same message three times', async () => {
      const message = webMessage('text', { id: webMessageId() });

      for (let copy = 0; copy < 3; copy++) client.emit('message_create', message);
      await sut.drainWeb();

      expect(sut.inboundCopies(message.id._serialized)).toBe(1);
      expect(await sut.inboundMessage(message.id._serialized)).toEqual({
        channel: 'whatsapp',
        channelAccountId: ACCOUNT,
        externalId: message.id._serialized,
        from: { address: '5511987654321@c.us', displayName: 'Maria Souza' },
        to: [{ address: OUR_WID }],
        sentAt: '2025-03-14T12:00:00.000Z',
        receivedAt: expect.any(String),
        content: { text: 'Olá, minha fatura veio errada 🧾' },
        rawPayloadRef: `whatsapp-web/suporte/${message.id._serialized}/event`,
      });
      expect(
        sut.inbound.find((envelope) => envelope.data.externalId === message.id._serialized),
      ).toMatchObject({
        tenantId: TENANT,
        source: '/ponte/whatsapp',
        id: `whatsapp-web:suporte:${message.id._serialized}`,
      });
      const raw = await sut.app.get(BlobStore).read(`whatsapp-web/suporte/${message.id._serialized}/event`);
      expect(JSON.parse(raw!.bytes.toString('utf8'))).toMatchObject({ _data: { notifyName: 'Maria Souza' } });
    });

    it('should store the image downloaded through the browser and publish it as a blob reference', async () => {
      const bytes = randomBytes(3_000);
      const message = webMessage('image-with-caption', {
        id: webMessageId(),
        media: {
          mimetype: 'image/jpeg',
          data: bytes.toString('base64'),
          filename: null,
          filesize: bytes.length,
        },
      });

      client.emit('message_create', message);

      const inbound = await sut.inboundMessage(message.id._serialized);
      const blobId = `whatsapp-web/suporte/${message.id._serialized}/media/0`;
      expect(inbound.content).toEqual({ text: 'Segue o comprovante do pagamento' });
      expect(inbound.attachments).toEqual([{ blobId, contentType: 'image/jpeg', size: 3_000 }]);
      expect((await sut.app.get(BlobStore).read(blobId))?.bytes.equals(bytes)).toBe(true);
    });

    it('should store a voice note under its media type without the codec', async () => {
      const bytes = randomBytes(1_200);
      const message = webMessage('audio-ptt', {
        id: webMessageId(),
        media: { mimetype: 'audio/ogg; codecs=opus', data: bytes.toString('base64') },
      });

      client.emit('message_create', message);

      expect((await sut.inboundMessage(message.id._serialized)).attachments).toEqual([
        expect.objectContaining({ contentType: 'audio/ogg', size: 1_200 }),
      ]);
    });

    it('should tell the agent about a video larger than the limit without downloading it', async () => {
      let downloads = 0;
      const message = webMessage('video', { id: webMessageId() });
      message.downloadMedia = async () => {
        downloads += 1;
        return undefined;
      };

      client.emit('message_create', message);

      const inbound = await sut.inboundMessage(message.id._serialized);
      expect(inbound.content.text).toBe('[video not accepted: 1843200 bytes exceed the 65536-byte limit]');
      expect(inbound.attachments).toBeUndefined();
      expect(downloads).toBe(0);
    });

    it('should publish a contact card as a line and as a .vcf the agent can import', async () => {
      const message = webMessage('vcard', { id: webMessageId() });

      client.emit('message_create', message);

      const inbound = await sut.inboundMessage(message.id._serialized);
      expect(inbound.content.text).toBe('[contact] Carlos Lima +55 21 99888-7777 carlos.lima@example.com.br');
      expect(inbound.attachments).toEqual([
        {
          blobId: `whatsapp-web/suporte/${message.id._serialized}/contact/0`,
          contentType: 'text/vcard',
          size: Buffer.byteLength(message.vCards![0]!, 'utf8'),
          fileName: 'Carlos Lima.vcf',
        },
      ]);
    });

    it('should thread a reply to the message the browser says it quotes', async () => {
      const quoted = echoOf('5511987654321@c.us', 'Segue a segunda via do seu boleto');
      const message = webMessage('quoted-reply', { id: webMessageId(), quoted });

      client.emit('message_create', message);

      const inbound = await sut.inboundMessage(message.id._serialized);
      expect(inbound.threading).toEqual({ replyToExternalId: quoted.id._serialized });
      expect(inbound.content).toEqual({
        text: 'Esse boleto aqui não abre',
        quotedText: 'Segue a segunda via do seu boleto',
      });
    });

    it('should keep an @lid sender and a 9th-digit-less Brazilian id as whatsapp-web.js gives them', async () => {
      const lid = webMessage('lid-sender', { id: webMessageId() });
      const legacy = webMessage('br-legacy-number', { id: webMessageId() });

      client.emit('message_create', lid);
      client.emit('message_create', legacy);

      expect((await sut.inboundMessage(lid.id._serialized)).from.address).toBe('118127463583871@lid');
      const fromLegacy = (await sut.inboundMessage(legacy.id._serialized)).from.address;
      expect(parseWhatsAppAddress(fromLegacy)).toEqual({ kind: 'phone', e164: '+5511987654321' });
    });

    it('should publish an edit and a deletion once each, as revisions of the original message', async () => {
      const edited = webMessage('edited', { id: webMessageId() });
      const original = webMessage('text', { id: webMessageId() });
      const revoked = webMessage('revoked', { id: original.id.id });
      revoked.protocolMessageKey = original.id;

      for (let copy = 0; copy < 2; copy++) {
        client.emit(
          'message_edit',
          edited,
          'Minha fatura de março veio em dobro',
          'Minha fatura veio em dobro',
        );
        client.emit('message_revoke_everyone', revoked, original);
      }
      await sut.drainWeb();

      const editId = `edited:${edited.id._serialized}:1741953900000`;
      const deleteId = `deleted:${original.id._serialized}`;
      expect([sut.inboundCopies(editId), sut.inboundCopies(deleteId)]).toEqual([1, 1]);
      expect(await sut.inboundMessage(editId)).toMatchObject({
        content: { text: 'Minha fatura de março veio em dobro' },
        revision: { kind: 'edited', of: edited.id._serialized },
      });
      expect(await sut.inboundMessage(deleteId)).toMatchObject({
        content: {},
        revision: { kind: 'deleted', of: original.id._serialized },
      });
    });

    it('should publish nothing for a group that is not configured, a status update or a phone-sent message', async () => {
      const group = webMessage('group', { id: webMessageId() });
      const status = webMessage('status-broadcast', { id: webMessageId() });
      const fromPhone = webMessage('from-me-phone', { id: webMessageId() });

      client.emit('message_create', group);
      client.emit('message_create', status);
      client.emit('message_create', fromPhone);
      client.emit('message_ack', fromPhone, WebAck.READ);
      await sut.drainWeb();

      for (const message of [group, status, fromPhone])
        expect(sut.inboundCopies(message.id._serialized)).toBe(0);
      // The phone's message is kept for when the contract can carry it.
      expect(
        await sut.app.get(BlobStore).metadata(`whatsapp-web/suporte/${fromPhone.id._serialized}/event`),
      ).not.toBeNull();
      expect(
        sut.statuses.filter((envelope) => envelope.data.externalId === fromPhone.id._serialized),
      ).toEqual([]);
    });
  });

  describe('our replies', () => {
    it('should send once, to the registered form of the number, and never take its echo for an inbound message', async () => {
      const message = await reply();
      await sut.republish(message);

      const queued = await sut.status(message.messageId, 'queued');
      const sent = await sut.status(message.messageId, 'sent');
      await sut.drainWeb();

      const sends = client.sends.filter((send) => send.text === 'Prontinho, sua conta foi desbloqueada.');
      expect(sends).toHaveLength(1);
      expect(sends[0]!.chatId).toBe('551187654321@c.us');
      const echoId = sends[0]!.message.id._serialized;
      expect(queued).toMatchObject({ channelAccountId: ACCOUNT, externalId: echoId });
      expect(sent).toMatchObject({ externalId: echoId, conversationId: message.conversationId });
      expect(sut.inboundCopies(echoId)).toBe(0);
      // Recognized as our echo although it came before sendMessage resolved: not taken for a phone-sent message.
      expect(await sut.app.get(BlobStore).metadata(`whatsapp-web/suporte/${echoId}/event`)).toBeNull();
      expect(
        await sut.db.collection('whatsapp_sent_messages').findOne({ _id: echoId as never }),
      ).toMatchObject({
        messageId: message.messageId,
        tenantId: TENANT,
        channelAccountId: ACCOUNT,
      });
      expect(
        await sut.db.collection('whatsapp_outbound_ledger').findOne({ _id: message.messageId as never }),
      ).toMatchObject({ state: 'sent', provider: 'web-js', externalId: echoId });
    });

    it('should never let statuses go backwards when acks arrive out of order', async () => {
      const message = await reply({ content: { text: 'Seu chamado foi aberto' } });
      await sut.status(message.messageId, 'sent');
      const echo = client.sends.find((send) => send.text === 'Seu chamado foi aberto')!.message;

      client.emit('message_ack', echo, WebAck.READ);
      client.emit('message_ack', echo, WebAck.DEVICE);
      client.emit('message_ack', echo, WebAck.SERVER);
      client.emit('message_ack', echo, WebAck.ERROR);
      client.emit('message_ack', echo, WebAck.PLAYED);
      // A later ack of another message, through the same session queue: everything before it has been handled.
      const sentinel = await reply({ content: { text: 'sentinela' } });
      await sut.status(sentinel.messageId, 'sent');
      const sentinelEcho = client.sends.find((send) => send.text === 'sentinela')!.message;
      client.emit('message_ack', sentinelEcho, WebAck.DEVICE);
      await sut.status(sentinel.messageId, 'delivered');

      const fromAcks = sut.statesOf(message.messageId).filter((state) => state !== 'queued');
      expect(fromAcks).toEqual(['sent', 'read']);
      for (let index = 1; index < fromAcks.length; index++) {
        expect(isForwardTransition(fromAcks[index - 1]!, fromAcks[index]!)).toBe(true);
      }
    });

    it('should send to an @lid id as it is, without a number lookup', async () => {
      const lookups = client.lookups.length;

      const message = await reply({ to: { address: '118127463583871@lid' }, content: { text: 'Oi Ana!' } });

      await sut.status(message.messageId, 'queued');
      expect(client.sends.find((send) => send.text === 'Oi Ana!')?.chatId).toBe('118127463583871@lid');
      expect(client.lookups).toHaveLength(lookups);
    });

    it('should report failed, naming both Brazilian forms, when the number is not on WhatsApp', async () => {
      const message = await reply({ to: { address: '+5511987650099' }, content: { text: 'Olá?' } });

      expect(await sut.status(message.messageId, 'failed')).toMatchObject({
        error: {
          code: NOT_ON_WHATSAPP,
          retryable: false,
          message: 'Neither +5511987650099 nor +551187650099 (with and without the 9th digit) is on WhatsApp',
        },
      });
      expect(client.sends.find((send) => send.text === 'Olá?')).toBeUndefined();
    });

    it('should refuse a template, which WhatsApp Web cannot send', async () => {
      const message = await reply({
        template: { name: 'retomar_atendimento', languageCode: 'pt_BR' },
        content: { text: 'Retomar atendimento' },
      });

      expect(await sut.status(message.messageId, 'failed')).toMatchObject({
        error: { code: TEMPLATES_UNSUPPORTED, retryable: false },
      });
    });

    it('should recognize the echo of a reply even when it arrives after a restart of the service memory', async () => {
      // The echo of a message recorded by an earlier process: only the sent-message store knows it.
      const echo = echoOf('551187654321@c.us', 'Enviado antes do reinício', webMessageId());
      await sut.db.collection('whatsapp_sent_messages').insertOne({
        _id: echo.id._serialized as never,
        messageId: randomUUID(),
        conversationId: 'conversation-earlier',
        tenantId: TENANT,
        channelAccountId: ACCOUNT,
        sentAt: new Date(),
      });

      client.emit('message_create', echo);
      await sut.drainWeb();

      expect(sut.inboundCopies(echo.id._serialized)).toBe(0);
      // Not taken for a message typed on the phone either (those keep their raw payload).
      expect(
        await sut.app.get(BlobStore).metadata(`whatsapp-web/suporte/${echo.id._serialized}/event`),
      ).toBeNull();
    });
  });
});
