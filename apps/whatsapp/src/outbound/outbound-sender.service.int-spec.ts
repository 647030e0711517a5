import { createEnvelope, Topics } from '@ponte/contracts';
import { randomUUID } from 'node:crypto';
import { decodeCallbackData } from '../cloud-api/cloud-callback-data';
import { WINDOW_CLOSED } from '../cloud-api/cloud-api.provider';
import { graphError } from '../testing/fake-graph.server';
import { metaWebhook, PHONE_NUMBER_ID, textMessage, unixSeconds } from '../testing/meta-webhook.payloads';
import { GRAPH_VERSION, TENANT, WhatsappHarness } from '../testing/whatsapp.harness';
import { OutboundSenderService, type WhatsAppOutboundMessage } from './outbound-sender.service';

describe(OutboundSenderService.name, () => {
  let sut: WhatsappHarness;

  beforeAll(async () => {
    sut = await WhatsappHarness.start();
  });

  afterAll(async () => {
    await sut?.stop();
  });

  /** The customer writes to us (opening the 24-hour window), at `sentAt` by Meta's clock. */
  async function customerWrites(waId: string, sentAt = new Date()): Promise<string> {
    const message = textMessage(waId, 'Oi, preciso de ajuda', { timestamp: unixSeconds(sentAt) });
    expect((await sut.webhook(metaWebhook({ messages: [message] }))).status).toBe(200);
    await sut.inboundMessage(message.id);
    return message.id;
  }

  /** Another message of the same conversation, and its status: one partition, so everything before it is done. */
  async function drain(conversationId: string): Promise<void> {
    const sentinel = await sut.outbound({ conversationId, channelAccountId: '999999999999999' });
    await sut.status(sentinel.messageId, 'failed');
  }

  it('should call Graph once and report queued with the wamid when the outbound event is delivered twice', async () => {
    // A Brazilian customer whose WhatsApp id predates the 9th digit; the router sends to the canonical E.164.
    const quoted = await customerWrites('551187650001');
    const message = await sut.outbound({
      to: { address: '+5511987650001' },
      content: { text: 'Sua conta foi desbloqueada' },
      replyToExternalId: quoted,
    });
    await sut.republish(message);
    await drain(message.conversationId);

    const sends = sut.graph.sendsTo('551187650001');
    expect(sends).toHaveLength(1);
    expect(sends[0]).toMatchObject({
      version: GRAPH_VERSION,
      phoneNumberId: PHONE_NUMBER_ID,
      authorized: true,
    });
    expect(sends[0]!.body).toMatchObject({
      messaging_product: 'whatsapp',
      recipient_type: 'individual',
      to: '551187650001',
      type: 'text',
      text: { preview_url: false, body: 'Sua conta foi desbloqueada' },
      context: { message_id: quoted },
    });
    expect(decodeCallbackData(sends[0]!.body['biz_opaque_callback_data'] as string)).toEqual({
      messageId: message.messageId,
      conversationId: message.conversationId,
      tenantId: TENANT,
    });
    const queued = await sut.status(message.messageId, 'queued');
    expect(queued.externalId).toMatch(/^wamid\./);
    expect(sut.statesOf(message.messageId)).toEqual(['queued', 'queued']);
    expect(
      await sut.db.collection('whatsapp_outbound_ledger').findOne({ _id: message.messageId as never }),
    ).toMatchObject({ state: 'sent', attempts: 1, externalId: queued.externalId, provider: 'cloud-api' });
    expect(
      await sut.db.collection('whatsapp_sent_messages').findOne({ _id: queued.externalId as never }),
    ).toMatchObject({
      messageId: message.messageId,
      conversationId: message.conversationId,
      tenantId: TENANT,
    });
  });

  it('should retry and send once when Graph answers 429 first', async () => {
    await customerWrites('5511987650002');
    sut.graph.replyWith({
      status: 429,
      body: graphError(
        130429,
        '(#130429) Rate limit hit',
        'OAuthException',
        undefined,
        'Cloud API message throughput has been reached.',
      ),
    });

    const message = await sut.outbound({ to: { address: '+5511987650002' } });

    expect(await sut.status(message.messageId, 'queued')).toMatchObject({
      externalId: expect.stringMatching(/^wamid\./),
    });
    expect(sut.graph.sendsTo('5511987650002')).toHaveLength(2);
    expect(
      await sut.db.collection('whatsapp_outbound_ledger').findOne({ _id: message.messageId as never }),
    ).toMatchObject({ state: 'sent', attempts: 2 });
    expect(sut.statesOf(message.messageId)).toEqual(['queued']);
  });

  it("should report failed with Meta's code, without retrying, when Graph refuses the message for good (131026)", async () => {
    await customerWrites('5511987650003');
    sut.graph.replyWith({
      status: 400,
      body: graphError(
        131026,
        '(#131026) Message undeliverable',
        'OAuthException',
        2494010,
        'Message Undeliverable.',
      ),
    });

    const message = await sut.outbound({ to: { address: '+5511987650003' } });

    expect(await sut.status(message.messageId, 'failed')).toMatchObject({
      channel: 'whatsapp',
      channelAccountId: PHONE_NUMBER_ID,
      error: { code: '131026', retryable: false, message: expect.stringMatching(/^Message undeliverable/) },
    });
    expect(sut.graph.sendsTo('5511987650003')).toHaveLength(1);
  });

  it('should refuse free text without calling Graph when the customer never wrote to this number', async () => {
    const message = await sut.outbound({ to: { address: '+5511987650004' } });

    expect(await sut.status(message.messageId, 'failed')).toMatchObject({
      error: {
        code: WINDOW_CLOSED,
        retryable: false,
        message: expect.stringMatching(
          /24-hour customer service window .*never written.*only an approved template/,
        ),
      },
    });
    expect(sut.graph.sendsTo('5511987650004')).toHaveLength(0);
  });

  it('should refuse free text without calling Graph when the customer last wrote more than 24 hours ago', async () => {
    const lastWrote = new Date(Date.now() - 25 * 60 * 60 * 1000);
    await customerWrites('5511987650005', lastWrote);

    const message = await sut.outbound({ to: { address: '+5511987650005' } });

    const status = await sut.status(message.messageId, 'failed');
    expect(status.error).toMatchObject({ code: WINDOW_CLOSED, retryable: false });
    expect(status.error?.message).toContain(
      new Date(Math.floor(lastWrote.getTime() / 1000) * 1000).toISOString(),
    );
    expect(sut.graph.sendsTo('5511987650005')).toHaveLength(0);
  });

  it('should send an approved template when the window is closed', async () => {
    // The contract cannot carry a template yet, so the event is handed to the sender as the consumer would.
    const message: WhatsAppOutboundMessage = {
      messageId: randomUUID(),
      conversationId: `conversation-${randomUUID()}`,
      channel: 'whatsapp',
      channelAccountId: PHONE_NUMBER_ID,
      to: { address: '+5511987650006' },
      content: {},
      template: { name: 'retomar_atendimento', languageCode: 'pt_BR', bodyParameters: ['João'] },
    };
    const envelope = createEnvelope(Topics.outbound.whatsapp, message, {
      source: '/ponte/router',
      tenantId: TENANT,
    });

    expect(await sut.app.get(OutboundSenderService).handle(envelope)).toBe('sent');

    const sends = sut.graph.sendsTo('5511987650006');
    expect(sends).toHaveLength(1);
    expect(sends[0]!.body).toMatchObject({
      type: 'template',
      template: {
        name: 'retomar_atendimento',
        language: { code: 'pt_BR' },
        components: [{ type: 'body', parameters: [{ type: 'text', text: 'João' }] }],
      },
    });
    expect(await sut.status(message.messageId, 'queued')).toMatchObject({
      externalId: expect.stringMatching(/^wamid\./),
    });
  });

  it('should leave WhatsApp-through-Twilio accounts to apps/sms', async () => {
    const message = await sut.outbound({
      channelAccountId: 'whatsapp:+14155238886',
      to: { address: '+5511987650007' },
    });
    await drain(message.conversationId);

    expect(sut.statesOf(message.messageId)).toEqual([]);
    expect(sut.graph.sendsTo('5511987650007')).toHaveLength(0);
  });

  it('should not send again but report an uncertain failure when a replay finds a send that was in flight', async () => {
    await customerWrites('5511987650008');
    const messageId = randomUUID();
    // What a crash between "sending" and Meta's answer leaves behind.
    await sut.db.collection('whatsapp_outbound_ledger').insertOne({
      _id: messageId as never,
      state: 'sending',
      provider: 'cloud-api',
      attempts: 1,
      from: PHONE_NUMBER_ID,
      to: '+5511987650008',
      updatedAt: new Date(),
    });

    await sut.outbound({ messageId, to: { address: '+5511987650008' } });

    expect(await sut.status(messageId, 'failed')).toMatchObject({ error: { code: 'PONTE_SEND_UNCERTAIN' } });
    expect(sut.graph.sendsTo('5511987650008')).toHaveLength(0);
  });
});
