import { hubSignature } from '@ponte/channel-kit';
import { waitFor } from '@ponte/testing';
import { APP_SECRET, INSTAGRAM, PAGE, SocialHarness, VERIFY_TOKEN } from '../testing/social.harness';
import {
  customerId,
  deliveryEvent,
  echoEvent,
  editEvent,
  instagramMid,
  instagramSeenEvent,
  messageEvent,
  messengerMid,
  readEvent,
  textMessage,
  webhook,
} from '../testing/meta-webhooks';
import { MetaWebhookController } from './meta-webhook.controller';

describe(MetaWebhookController.name, () => {
  let sut: SocialHarness;

  beforeAll(async () => {
    sut = await SocialHarness.start();
  });

  afterAll(async () => {
    await sut?.stop();
  });

  async function verify(token: string): Promise<Response> {
    const query = new URLSearchParams({
      'hub.mode': 'subscribe',
      'hub.verify_token': token,
      'hub.challenge': '1158201444',
    });
    return fetch(`${sut.url}/webhooks/meta?${query.toString()}`);
  }

  function receipts(): Promise<number> {
    return sut.db.collection('social_inbound_receipts').countDocuments();
  }

  it('should answer the verification challenge as text when the verify token is right', async () => {
    const response = await verify(VERIFY_TOKEN);

    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await response.text()).toBe('1158201444');
  });

  it('should answer 403 to the verification challenge when the verify token is wrong', async () => {
    const response = await verify(`${VERIFY_TOKEN}x`);

    expect(response.status).toBe(403);
    expect(await response.text()).not.toContain('1158201444');
  });

  it('should publish a Messenger message once, with its reply-to, and once only when Meta redelivers it 3 times', async () => {
    const from = customerId();
    const quoted = messengerMid();
    const message: Record<string, unknown> = {
      ...textMessage('Olá, meu pedido não chegou'),
      reply_to: { mid: quoted },
    };
    const payload = webhook('page', PAGE.id, messageEvent(PAGE.id, from, message, 1_741_953_600_000));

    expect((await sut.webhook(payload)).status).toBe(200);
    for (let copy = 0; copy < 3; copy++) expect((await sut.webhook(payload)).status).toBe(200);
    await sut.drainInbound();

    const mid = String(message['mid']);
    expect(sut.inboundCopies(mid)).toBe(1);
    expect(await sut.inboundMessage(mid)).toMatchObject({
      channel: 'messenger',
      channelAccountId: PAGE.id,
      externalId: mid,
      from: { address: from },
      to: [{ address: PAGE.id }],
      sentAt: '2025-03-14T12:00:00.000Z',
      content: { text: 'Olá, meu pedido não chegou' },
      threading: { replyToExternalId: quoted },
    });
    expect(sut.inbound.find((envelope) => envelope.data.externalId === mid)?.tenantId).toBe('tenant-test');
  });

  it.each([
    ['a missing signature', null],
    ['a signature with another secret', hubSignature('not-the-app-secret-at-all', '{}')],
    ['a malformed signature', 'sha1=abc'],
  ])('should answer 403 and store nothing for %s', async (_case, signature) => {
    const message = textMessage('assinatura errada');
    const before = await receipts();

    const response = await sut.webhook(
      webhook('page', PAGE.id, messageEvent(PAGE.id, customerId(), message)),
      {
        signature,
      },
    );
    await sut.drainInbound();

    expect(response.status).toBe(403);
    expect(sut.inboundCopies(String(message['mid']))).toBe(0);
    // The sentinel's receipt only.
    expect(await receipts()).toBe(before + 1);
  });

  it('should answer 403 and store nothing when the body was changed after signing', async () => {
    const message = textMessage('Quero R$ 10');
    const signed = JSON.stringify(webhook('page', PAGE.id, messageEvent(PAGE.id, customerId(), message)));
    const tampered = signed.replace('R$ 10', 'R$ 99');

    const response = await sut.webhook(undefined, {
      body: tampered,
      signature: hubSignature(APP_SECRET, signed),
    });
    await sut.drainInbound();

    expect(response.status).toBe(403);
    expect(sut.inboundCopies(String(message['mid']))).toBe(0);
  });

  it('should publish an Instagram message, and no inbound message for the echo of the business’s own reply', async () => {
    const from = customerId();
    const mid = instagramMid();
    const payload = webhook(
      'instagram',
      INSTAGRAM.id,
      messageEvent(INSTAGRAM.id, from, textMessage('Oi! Vi no Insta', mid)),
    );
    expect((await sut.webhook(payload)).status).toBe(200);
    expect(await sut.inboundMessage(mid)).toMatchObject({
      channel: 'instagram',
      channelAccountId: INSTAGRAM.id,
      from: { address: from },
      content: { text: 'Oi! Vi no Insta' },
    });

    const reply = await sut.outbound('instagram', {
      to: { address: from },
      content: { text: 'Oi! Como posso ajudar?' },
    });
    const sent = await sut.status(reply.messageId, 'sent');
    const echo = webhook(
      'instagram',
      INSTAGRAM.id,
      echoEvent(INSTAGRAM.id, from, sent.externalId ?? '', 'Oi! Como posso ajudar?'),
    );
    expect((await sut.webhook(echo)).status).toBe(200);
    expect((await sut.webhook(echo)).status).toBe(200);
    // An echo of a message sent from Meta's inbox, not by Ponte: not inbound either.
    const inboxMid = instagramMid();
    expect(
      (
        await sut.webhook(
          webhook('instagram', INSTAGRAM.id, echoEvent(INSTAGRAM.id, from, inboxMid, 'enviado pelo app')),
        )
      ).status,
    ).toBe(200);
    await sut.drainInbound();

    expect(sut.inboundCopies(sent.externalId ?? '')).toBe(0);
    expect(sut.inboundCopies(inboxMid)).toBe(0);
    expect(sut.inbound.filter((envelope) => envelope.data.from.address === from)).toHaveLength(1);
  });

  it('should store an attachment from Meta’s CDN and refuse one from elsewhere with a note', async () => {
    const from = customerId();
    const bytes = Buffer.alloc(3_000, 7);
    const url = sut.graph.addFile(`photo_${Date.now()}.jpg`, bytes, 'image/jpeg');
    const message = {
      mid: messengerMid(),
      attachments: [
        { type: 'image', payload: { url } },
        { type: 'file', payload: { url: 'http://169.254.169.254/latest/meta-data' } },
      ],
    };

    expect((await sut.webhook(webhook('page', PAGE.id, messageEvent(PAGE.id, from, message)))).status).toBe(
      200,
    );

    const published = await sut.inboundMessage(String(message.mid));
    expect(published.attachments).toEqual([
      expect.objectContaining({ contentType: 'image/jpeg', size: 3_000 }),
    ]);
    expect(published.content.text).toMatch(
      /\[file not accepted: http:\/\/169\.254\.169\.254 is not one of Meta/,
    );
  });

  it('should publish an edit as a revision of the message', async () => {
    const from = customerId();
    const original = textMessage('Meu pedido é 123');
    await sut.webhook(webhook('page', PAGE.id, messageEvent(PAGE.id, from, original)));
    const mid = String(original['mid']);

    await sut.webhook(webhook('page', PAGE.id, editEvent(PAGE.id, from, mid, 'Meu pedido é 124')));

    expect(await sut.inboundMessage(`edited:${mid}:1`)).toMatchObject({
      content: { text: 'Meu pedido é 124' },
      revision: { kind: 'edited', of: mid },
    });
  });

  it('should publish an Instagram unsend as a deletion of the message', async () => {
    const from = customerId();
    const mid = instagramMid();

    await sut.webhook(
      webhook('instagram', INSTAGRAM.id, messageEvent(INSTAGRAM.id, from, { mid, is_deleted: true })),
    );

    expect(await sut.inboundMessage(`deleted:${mid}`)).toMatchObject({
      content: {},
      revision: { kind: 'deleted', of: mid },
    });
  });

  it('should end at read when the delivery comes before the read, and when the read comes first', async () => {
    const first = customerId();
    const second = customerId();
    await sut.customerWroteAt('messenger', PAGE.id, first, new Date(Date.now() - 60_000));
    await sut.customerWroteAt('messenger', PAGE.id, second, new Date(Date.now() - 60_000));
    const inOrder = await sut.outbound('messenger', { to: { address: first } });
    const readFirst = await sut.outbound('messenger', { to: { address: second } });
    const inOrderMid = (await sut.status(inOrder.messageId, 'sent')).externalId ?? '';
    const readFirstMid = (await sut.status(readFirst.messageId, 'sent')).externalId ?? '';

    await sut.webhook(webhook('page', PAGE.id, deliveryEvent(PAGE.id, first, [inOrderMid])));
    await sut.status(inOrder.messageId, 'delivered');
    await sut.webhook(webhook('page', PAGE.id, readEvent(PAGE.id, first)));
    await sut.webhook(webhook('page', PAGE.id, readEvent(PAGE.id, second)));
    await sut.status(readFirst.messageId, 'read');
    await sut.webhook(webhook('page', PAGE.id, deliveryEvent(PAGE.id, second, [readFirstMid])));
    // Redelivered receipts publish nothing new.
    await sut.webhook(webhook('page', PAGE.id, readEvent(PAGE.id, first)));
    await sut.drainStatuses();

    expect(sut.statesOf(inOrder.messageId)).toEqual(['sent', 'delivered', 'read']);
    expect(sut.statesOf(readFirst.messageId)).toEqual(['sent', 'read']);
  });

  it('should read only what was sent before the watermark, and an Instagram message by its mid', async () => {
    const from = customerId();
    const igFrom = customerId();
    await sut.customerWroteAt('messenger', PAGE.id, from, new Date(Date.now() - 60_000));
    await sut.customerWroteAt('instagram', INSTAGRAM.id, igFrom, new Date(Date.now() - 60_000));
    const earlier = await sut.outbound('messenger', { to: { address: from } });
    const igEarlier = await sut.outbound('instagram', { to: { address: igFrom } });
    await sut.status(earlier.messageId, 'sent');
    const igEarlierMid = (await sut.status(igEarlier.messageId, 'sent')).externalId ?? '';
    const watermark = Date.now();
    const later = await sut.outbound('messenger', { to: { address: from } });
    const igLater = await sut.outbound('instagram', { to: { address: igFrom } });
    await sut.status(later.messageId, 'sent');
    await sut.status(igLater.messageId, 'sent');

    await sut.webhook(webhook('page', PAGE.id, readEvent(PAGE.id, from, watermark)));
    await sut.webhook(
      webhook('instagram', INSTAGRAM.id, instagramSeenEvent(INSTAGRAM.id, igFrom, igEarlierMid)),
    );
    await sut.drainStatuses();

    expect(sut.statesOf(earlier.messageId)).toEqual(['sent', 'read']);
    expect(sut.statesOf(later.messageId)).toEqual(['sent']);
    expect(sut.statesOf(igEarlier.messageId)).toEqual(['sent', 'read']);
    expect(sut.statesOf(igLater.messageId)).toEqual(['sent']);
  });

  it('should deliver what was sent before a delivery that gives only a watermark', async () => {
    const from = customerId();
    await sut.customerWroteAt('messenger', PAGE.id, from, new Date(Date.now() - 60_000));
    const message = await sut.outbound('messenger', { to: { address: from } });
    await sut.status(message.messageId, 'sent');

    await sut.webhook(webhook('page', PAGE.id, deliveryEvent(PAGE.id, from, [], Date.now())));

    expect(await sut.status(message.messageId, 'delivered')).toMatchObject({ state: 'delivered' });
  });

  it('should acknowledge events for an account not served here without publishing them', async () => {
    const message = textMessage('para outra página');

    const response = await sut.webhook(
      webhook('page', '555000111', messageEvent('555000111', customerId(), message)),
    );
    await sut.drainInbound();

    expect(response.status).toBe(200);
    expect(sut.inboundCopies(String(message['mid']))).toBe(0);
  });
});

describe(`${MetaWebhookController.name} without configuration`, () => {
  let sut: SocialHarness;

  beforeAll(async () => {
    sut = await SocialHarness.start({ unconfigured: true });
  });

  afterAll(async () => {
    await sut?.stop();
  });

  it('should start ready and answer 503 to webhooks', async () => {
    const health = await waitFor(
      async () => {
        const response = await fetch(`${sut.url}/health/ready`).catch(() => undefined);
        return response?.status === 200 ? response : undefined;
      },
      { description: 'the service ready' },
    );
    const challenge = await fetch(
      `${sut.url}/webhooks/meta?hub.mode=subscribe&hub.verify_token=x&hub.challenge=1`,
    );
    const post = await sut.webhook(webhook('page', PAGE.id));

    expect(health.status).toBe(200);
    expect(challenge.status).toBe(503);
    expect(post.status).toBe(503);
  });
});
