import { randomBytes } from 'node:crypto';
import { BlobStore, hubSignature } from '@ponte/channel-kit';
import { wamid } from '../testing/fake-graph.server';
import {
  DISPLAY_PHONE_NUMBER,
  imageMessage,
  metaWebhook,
  PHONE_NUMBER_ID,
  statusUpdate,
  textMessage,
  unixSeconds,
} from '../testing/meta-webhook.payloads';
import { TENANT, VERIFY_TOKEN, WhatsappHarness } from '../testing/whatsapp.harness';
import { encodeCallbackData } from './cloud-callback-data';
import { CloudWebhookController } from './cloud-webhook.controller';

describe(CloudWebhookController.name, () => {
  let sut: WhatsappHarness;

  beforeAll(async () => {
    sut = await WhatsappHarness.start();
  });

  afterAll(async () => {
    await sut?.stop();
  });

  describe('verification challenge', () => {
    it('should echo hub.challenge when the verify token is ours', async () => {
      const response = await sut.verify({
        'hub.mode': 'subscribe',
        'hub.verify_token': VERIFY_TOKEN,
        'hub.challenge': '1158201444',
      });

      expect(response).toEqual({ status: 200, body: '1158201444' });
    });

    it.each([
      ['the verify token is wrong', { 'hub.verify_token': 'not-ours' }],
      ['the mode is not subscribe', { 'hub.mode': 'unsubscribe' }],
      ['the verify token is missing', { 'hub.verify_token': undefined }],
    ])('should answer 403 when %s', async (_, overrides) => {
      const query: Record<string, string | undefined> = {
        'hub.mode': 'subscribe',
        'hub.verify_token': VERIFY_TOKEN,
        'hub.challenge': '1158201444',
        ...overrides,
      };
      const defined = Object.fromEntries(
        Object.entries(query).filter(([, value]) => value !== undefined),
      ) as Record<string, string>;

      const response = await sut.verify(defined);

      expect(response.status).toBe(403);
      expect(response.body).not.toContain('1158201444');
    });
  });

  describe('messages', () => {
    it('should publish one InboundMessage when a signed text message arrives', async () => {
      const message = textMessage('5511912340001', 'Olá, minha fatura veio errada 🧾');

      const response = await sut.webhook(metaWebhook({ messages: [message], profileName: 'Maria Souza' }));

      expect(response.status).toBe(200);
      const inbound = await sut.inboundMessage(message.id);
      expect(inbound).toEqual({
        channel: 'whatsapp',
        channelAccountId: PHONE_NUMBER_ID,
        externalId: message.id,
        from: { address: '5511912340001', displayName: 'Maria Souza' },
        to: [{ address: DISPLAY_PHONE_NUMBER }],
        sentAt: new Date(Number(message.timestamp) * 1000).toISOString(),
        receivedAt: expect.any(String),
        content: { text: 'Olá, minha fatura veio errada 🧾' },
        rawPayloadRef: `whatsapp-cloud/${message.id}/webhook`,
      });
      const envelope = sut.inbound.find((candidate) => candidate.data.externalId === message.id);
      expect(envelope).toMatchObject({
        tenantId: TENANT,
        source: '/ponte/whatsapp',
        id: `whatsapp-cloud:${message.id}`,
      });
    });

    it('should keep the quoted message as replyToExternalId when the customer replies to a message', async () => {
      const quoted = wamid();
      const message = textMessage('5511912340002', 'Esse aqui', {
        context: { from: DISPLAY_PHONE_NUMBER, id: quoted },
      });

      expect((await sut.webhook(metaWebhook({ messages: [message] }))).status).toBe(200);

      expect((await sut.inboundMessage(message.id)).threading).toEqual({ replyToExternalId: quoted });
    });

    it('should publish once when the same webhook is delivered 3 times concurrently and once more later', async () => {
      const message = textMessage('5511912340003', 'Alguém aí?');
      const payload = metaWebhook({ messages: [message] });

      const concurrent = await Promise.all([1, 2, 3].map(() => sut.webhook(payload)));
      const later = await sut.webhook(payload);
      await sut.drainInbound();

      expect(concurrent.map((response) => response.status)).toEqual([200, 200, 200]);
      expect(later.status).toBe(200);
      expect(sut.inboundCopies(message.id)).toBe(1);
    });

    it('should publish every message of a batched webhook in order', async () => {
      const first = textMessage('5511912340004', 'primeira');
      const second = textMessage('5511912340004', 'segunda');

      expect((await sut.webhook(metaWebhook({ messages: [first, second] }))).status).toBe(200);

      await sut.inboundMessage(second.id);
      const order = sut.inbound
        .map((envelope) => envelope.data.externalId)
        .filter((id) => id === first.id || id === second.id);
      expect(order).toEqual([first.id, second.id]);
    });

    it('should store the image fetched through Graph with the bearer token and reference it by blob id', async () => {
      const bytes = randomBytes(3_000);
      const mediaId = sut.graph.addMedia({ bytes, contentType: 'image/jpeg' });
      const message = imageMessage('5511912340005', {
        id: mediaId,
        sha256: 'ignored',
        caption: 'meu boleto',
      });

      expect((await sut.webhook(metaWebhook({ messages: [message] }))).status).toBe(200);

      const inbound = await sut.inboundMessage(message.id);
      expect(inbound.content).toEqual({ text: 'meu boleto' });
      expect(inbound.attachments).toEqual([
        { blobId: `whatsapp-cloud/${message.id}/media/0`, contentType: 'image/jpeg', size: 3_000 },
      ]);
      const stored = await sut.app.get(BlobStore).read(`whatsapp-cloud/${message.id}/media/0`);
      expect(stored?.bytes.equals(bytes)).toBe(true);
      // The fake answers 401 to a download without our bearer token.
      expect(sut.graph.hitsOf(sut.graph.downloadPath(mediaId))).toBe(1);
    });

    it('should publish the caption with a note and fetch nothing when the media URL is on another host', async () => {
      const bytes = Buffer.from('internal secrets');
      const elsewhereMedia = sut.elsewhere.addMedia({ bytes, contentType: 'image/jpeg' });
      const mediaId = sut.graph.addMedia({
        bytes,
        contentType: 'image/jpeg',
        url: `${sut.elsewhere.url}${sut.elsewhere.downloadPath(elsewhereMedia)}`,
      });
      const message = imageMessage('5511912340006', { id: mediaId, sha256: 'x', caption: 'olha' });

      expect((await sut.webhook(metaWebhook({ messages: [message] }))).status).toBe(200);

      const inbound = await sut.inboundMessage(message.id);
      expect(inbound.attachments).toBeUndefined();
      expect(inbound.content.text).toMatch(
        /^olha\n\[image not accepted: .* is not an allowed media origin\]$/,
      );
      expect(sut.elsewhere.hitsOf(sut.elsewhere.downloadPath(elsewhereMedia))).toBe(0);
    });

    it('should refuse an image larger than the limit without downloading it', async () => {
      const mediaId = sut.graph.addMedia({ bytes: Buffer.alloc(100 * 1024), contentType: 'image/jpeg' });
      const message = imageMessage('5511912340007', { id: mediaId, sha256: 'x' });

      expect((await sut.webhook(metaWebhook({ messages: [message] }))).status).toBe(200);

      const inbound = await sut.inboundMessage(message.id);
      expect(inbound.content.text).toMatch(
        /^\[image not accepted: 102400 bytes exceed the 65536-byte limit\]$/,
      );
      expect(sut.graph.hitsOf(sut.graph.downloadPath(mediaId))).toBe(0);
    });

    it('should publish a deletion of a delivered message as its revision, once even when redelivered', async () => {
      const original = textMessage('5511912340008', 'meu cpf é 123.456.789-00');
      expect((await sut.webhook(metaWebhook({ messages: [original] }))).status).toBe(200);
      await sut.inboundMessage(original.id);
      const deleted = { from: '5511912340008', id: original.id, timestamp: unixSeconds(), type: 'deleted' };

      expect((await sut.webhook(metaWebhook({ messages: [deleted] }))).status).toBe(200);
      expect((await sut.webhook(metaWebhook({ messages: [deleted] }))).status).toBe(200);
      const revision = await sut.inboundMessage(`deleted:${original.id}`);
      await sut.drainInbound();

      expect(revision).toMatchObject({ content: {}, revision: { kind: 'deleted', of: original.id } });
      expect(sut.inboundCopies(`deleted:${original.id}`)).toBe(1);
      expect(sut.inboundCopies(original.id)).toBe(1);
    });

    it('should tell the agent about a message the Cloud API does not deliver (131051)', async () => {
      const unsupported = {
        from: '5511912340009',
        id: wamid(),
        timestamp: unixSeconds(),
        errors: [
          {
            code: 131051,
            title: 'Message type unknown',
            message: 'Message type unknown',
            error_data: { details: 'Message type is currently not supported.' },
          },
        ],
        type: 'unsupported',
        unsupported: { type: 'poll_creation' },
      };

      expect((await sut.webhook(metaWebhook({ messages: [unsupported] }))).status).toBe(200);

      expect((await sut.inboundMessage(unsupported.id)).content.text).toBe(
        '[the customer sent a WhatsApp message (poll_creation) that the Cloud API does not deliver: Message type unknown [131051]; ask them to send it another way]',
      );
    });

    it('should acknowledge and publish nothing when the message is for a phone number id not served here', async () => {
      const message = textMessage('5511912340010', 'número errado');

      expect((await sut.webhook(metaWebhook({ messages: [message] }, '999000111222333'))).status).toBe(200);
      await sut.drainInbound();

      expect(sut.inboundCopies(message.id)).toBe(0);
    });
  });

  describe('signatures', () => {
    it.each([
      ['missing', () => ({ signature: null })],
      [
        'made with another app secret',
        (body: string) => ({ signature: hubSignature('not-our-secret', body) }),
      ],
      [
        'valid for a body that was changed afterwards',
        (body: string) => ({ body: body.replace('Oi', 'Transfira R$ 5.000') }),
      ],
      [
        'not sha256',
        (body: string) => ({
          signature: hubSignature(randomBytes(4).toString('hex'), body).replace('sha256', 'sha1'),
        }),
      ],
      ['truncated', (body: string) => ({ signature: hubSignature('x', body).slice(0, 20) })],
    ])('should answer 403 and store nothing when the signature is %s', async (_, tamper) => {
      const message = textMessage('5511912340020', 'Oi');
      const payload = metaWebhook({ messages: [message] });

      const response = await sut.webhook(payload, tamper(JSON.stringify(payload)));
      await sut.drainInbound();

      expect(response.status).toBe(403);
      expect(sut.inboundCopies(message.id)).toBe(0);
      expect(
        await sut.db.collection('whatsapp_inbound_receipts').findOne({ _id: message.id as never }),
      ).toBeNull();
      expect(
        await sut.db.collection('blobs').findOne({ _id: `whatsapp-cloud/${message.id}/webhook` as never }),
      ).toBeNull();
      expect(
        await sut.db
          .collection('whatsapp_customer_windows')
          .findOne({ _id: `${PHONE_NUMBER_ID}:+5511912340020` as never }),
      ).toBeNull();
    });
  });

  describe('statuses', () => {
    /** Opens the customer's window and sends an outbound text through the real consumer; returns its ids. */
    async function sendOne(
      waId: string,
    ): Promise<{ messageId: string; conversationId: string; wamid: string }> {
      expect((await sut.webhook(metaWebhook({ messages: [textMessage(waId, 'oi')] }))).status).toBe(200);
      const outbound = await sut.outbound({ to: { address: `+${waId}` } });
      const queued = await sut.status(outbound.messageId, 'queued');
      return {
        messageId: outbound.messageId,
        conversationId: outbound.conversationId,
        wamid: queued.externalId!,
      };
    }

    it('should publish delivered and read for our message id when Meta reports them for its wamid', async () => {
      const sent = await sendOne('5511912340030');

      const response = await sut.webhook(
        metaWebhook({ statuses: [statusUpdate(sent.wamid, 'delivered'), statusUpdate(sent.wamid, 'read')] }),
      );

      expect(response.status).toBe(200);
      expect(await sut.status(sent.messageId, 'read')).toMatchObject({
        messageId: sent.messageId,
        conversationId: sent.conversationId,
        channel: 'whatsapp',
        channelAccountId: PHONE_NUMBER_ID,
        externalId: sent.wamid,
      });
      expect(sut.statesOf(sent.messageId)).toEqual(['queued', 'delivered', 'read']);
    });

    it("should publish failed with Meta's code when Meta reports the message undeliverable (131026)", async () => {
      const sent = await sendOne('5511912340031');

      await sut.webhook(
        metaWebhook({
          statuses: [
            statusUpdate(sent.wamid, 'failed', {
              errors: [
                {
                  code: 131026,
                  title: 'Message undeliverable',
                  message: 'Message undeliverable',
                  error_data: { details: 'Message Undeliverable.' },
                },
              ],
            }),
          ],
        }),
      );

      expect(await sut.status(sent.messageId, 'failed')).toMatchObject({
        externalId: sent.wamid,
        error: { code: '131026', retryable: false, message: expect.stringMatching(/^Message undeliverable/) },
      });
    });

    it('should attribute a status through its callback data when the wamid was never recorded', async () => {
      const unrecorded = wamid();
      const callback = encodeCallbackData({
        messageId: 'reply-crashed-1',
        conversationId: 'conversation-9',
        tenantId: TENANT,
      });

      await sut.webhook(
        metaWebhook({
          statuses: [statusUpdate(unrecorded, 'delivered', { biz_opaque_callback_data: callback })],
        }),
      );

      expect(await sut.status('reply-crashed-1', 'delivered')).toMatchObject({
        conversationId: 'conversation-9',
        externalId: unrecorded,
      });
    });

    it('should publish nothing for the status of a message this service did not send', async () => {
      const foreign = wamid();

      const response = await sut.webhook(
        metaWebhook({
          statuses: [statusUpdate(foreign, 'delivered', { biz_opaque_callback_data: 'crm-42' })],
        }),
      );
      await sut.drainStatuses();

      expect(response.status).toBe(200);
      expect(sut.statuses.filter((envelope) => envelope.data.externalId === foreign)).toEqual([]);
    });
  });
});

describe(`${CloudWebhookController.name} without Cloud API settings`, () => {
  let sut: WhatsappHarness;

  beforeAll(async () => {
    sut = await WhatsappHarness.start({ withoutCloudApi: true });
  });

  afterAll(async () => {
    await sut?.stop();
  });

  it('should answer 503 naming the settings and still be ready when the Cloud API is not configured', async () => {
    const post = await sut.webhook(metaWebhook({ messages: [textMessage('5511912340040', 'oi')] }));
    const verify = await sut.verify({
      'hub.mode': 'subscribe',
      'hub.verify_token': 'x',
      'hub.challenge': '1',
    });

    expect(post.status).toBe(503);
    expect(post.body).toMatch(/WHATSAPP_CLOUD_APP_SECRET, WHATSAPP_CLOUD_ACCESS_TOKEN/);
    expect(verify.status).toBe(503);
    expect((await fetch(`${sut.url}/health/ready`)).status).toBe(200);
  });
});
