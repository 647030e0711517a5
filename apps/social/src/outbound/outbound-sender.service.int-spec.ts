import { GraphSendErrors, waitFor } from '@ponte/testing';
import { customerId, messageEvent, textMessage, webhook } from '../testing/meta-webhooks';
import { INSTAGRAM, PAGE, SocialHarness } from '../testing/social.harness';
import { OUTSIDE_MESSAGING_WINDOW } from './messaging-window';
import { OutboundSenderService } from './outbound-sender.service';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

describe(OutboundSenderService.name, () => {
  let sut: SocialHarness;

  beforeAll(async () => {
    sut = await SocialHarness.start();
  });

  afterAll(async () => {
    await sut?.stop();
  });

  async function customerWhoWrote(
    ago: number,
    channel: 'messenger' | 'instagram' = 'messenger',
  ): Promise<string> {
    const customer = customerId();
    const account = channel === 'messenger' ? PAGE.id : INSTAGRAM.id;
    await sut.customerWroteAt(channel, account, customer, new Date(Date.now() - ago));
    return customer;
  }

  it('should send a reply within 24 hours as a RESPONSE once, even when the outbound event is replayed', async () => {
    const customer = await customerWhoWrote(HOUR);

    const message = await sut.outbound('messenger', { to: { address: customer } });
    const sent = await sut.status(message.messageId, 'sent');
    await sut.republish(message);
    await sut.republish(message);
    await sut.drainStatuses();

    const sends = sut.graph.sendsTo(customer);
    expect(sends).toHaveLength(1);
    expect(sends[0]).toMatchObject({
      accountId: PAGE.id,
      version: 'v23.0',
      status: 200,
      body: {
        recipient: { id: customer },
        messaging_type: 'RESPONSE',
        message: { text: message.content.text },
      },
    });
    expect(sends[0]?.body).not.toHaveProperty('tag');
    expect(sent.externalId).toBe(sends[0]?.messageId);
    expect(sut.statesOf(message.messageId).every((state) => state === 'sent')).toBe(true);
  });

  it('should open the window from the customer’s message on the webhook, by Meta’s timestamp', async () => {
    const customer = customerId();
    const recent = textMessage('Preciso de ajuda');
    const old = textMessage('mensagem antiga, reenviada pela Meta');
    await sut.webhook(webhook('page', PAGE.id, messageEvent(PAGE.id, customer, recent, Date.now() - HOUR)));
    // A late redelivery of an older message does not move the window back.
    await sut.webhook(webhook('page', PAGE.id, messageEvent(PAGE.id, customer, old, Date.now() - 3 * DAY)));
    await sut.inboundMessage(String(old['mid']));

    const message = await sut.outbound('messenger', { to: { address: customer } });
    await sut.status(message.messageId, 'sent');

    expect(sut.graph.sendsTo(customer)[0]?.body).toMatchObject({ messaging_type: 'RESPONSE' });
    expect(sut.graph.sendsTo(customer)[0]?.body).not.toHaveProperty('tag');
  });

  it('should retry a 429 and Meta’s throttling codes with backoff, then send', async () => {
    const customer = await customerWhoWrote(HOUR);
    sut.graph.failNext(GraphSendErrors.tooManyCalls(), GraphSendErrors.pageLimit());

    const message = await sut.outbound('messenger', { to: { address: customer } });
    await sut.status(message.messageId, 'sent');

    expect(sut.graph.sendsTo(customer).map((send) => send.status)).toEqual([429, 400, 200]);
  });

  it('should tag a reply 2 days after the customer’s last message HUMAN_AGENT', async () => {
    const customer = await customerWhoWrote(2 * DAY);

    const message = await sut.outbound('messenger', { to: { address: customer } });
    await sut.status(message.messageId, 'sent');

    expect(sut.graph.sendsTo(customer)[0]?.body).toMatchObject({
      messaging_type: 'MESSAGE_TAG',
      tag: 'HUMAN_AGENT',
    });
  });

  it('should refuse a reply 8 days after the customer’s last message without calling Graph', async () => {
    const customer = await customerWhoWrote(8 * DAY, 'instagram');

    const message = await sut.outbound('instagram', { to: { address: customer } });
    const failed = await sut.status(message.messageId, 'failed');

    expect(failed.error).toMatchObject({ code: OUTSIDE_MESSAGING_WINDOW, retryable: false });
    expect(failed.error?.message).toMatch(/within 7 days/);
    expect(sut.graph.sendsTo(customer)).toHaveLength(0);
  });

  it('should refuse a reply to a customer who never wrote', async () => {
    const customer = customerId();

    const message = await sut.outbound('messenger', { to: { address: customer } });

    expect((await sut.status(message.messageId, 'failed')).error?.code).toBe(OUTSIDE_MESSAGING_WINDOW);
    expect(sut.graph.sendsTo(customer)).toHaveLength(0);
  });

  it('should fail for good with Meta’s code when Meta refuses the message', async () => {
    const customer = await customerWhoWrote(HOUR);
    sut.graph.failNext(GraphSendErrors.unavailable());

    const message = await sut.outbound('messenger', { to: { address: customer } });
    const failed = await sut.status(message.messageId, 'failed');

    expect(failed.error).toMatchObject({ code: '551', retryable: false });
    expect(sut.graph.sendsTo(customer)).toHaveLength(1);
  });

  it('should send an Instagram reply with its file: the text, then the file uploaded as filedata', async () => {
    const customer = await customerWhoWrote(HOUR, 'instagram');
    const attachment = await sut.putBlob({
      id: `test/${customer}/photo.png`,
      contentType: 'image/png',
      bytes: Buffer.alloc(2_000, 3),
      fileName: 'comprovante.png',
    });

    const message = await sut.outbound('instagram', {
      to: { address: customer },
      content: { text: 'Segue o comprovante' },
      attachments: [attachment],
    });
    const sent = await sut.status(message.messageId, 'sent');

    const sends = sut.graph.sendsTo(customer);
    expect(sends.map((send) => send.accountId)).toEqual([INSTAGRAM.id, INSTAGRAM.id]);
    expect(sends[0]?.body).toMatchObject({ message: { text: 'Segue o comprovante' } });
    expect(sends[1]?.body).toMatchObject({
      messaging_type: 'RESPONSE',
      message: { attachment: { type: 'image', payload: { is_reusable: false } } },
    });
    expect(sends[1]?.upload).toMatchObject({ fileName: 'comprovante.png', contentType: 'image/png' });
    expect(sends[1]?.upload?.bytes.length).toBe(2_000);
    expect(sent.externalId).toBe(sends[1]?.messageId);
  });

  it('should refuse an Instagram reply longer than the registry allows, before calling Graph', async () => {
    const customer = await customerWhoWrote(HOUR, 'instagram');

    const message = await sut.outbound('instagram', {
      to: { address: customer },
      content: { text: 'a'.repeat(5_000) },
    });

    expect((await sut.status(message.messageId, 'failed')).error?.code).toBe('PONTE_TEXT_TOO_LONG');
    expect(sut.graph.sendsTo(customer)).toHaveLength(0);
  });

  it('should record what it sent in the ledger', async () => {
    const customer = await customerWhoWrote(HOUR);

    const message = await sut.outbound('messenger', { to: { address: customer } });
    await sut.status(message.messageId, 'sent');

    const entry = await waitFor(() =>
      sut.db
        .collection<{ _id: string; state: string }>('social_outbound_ledger')
        .findOne({ _id: message.messageId }),
    );
    expect(entry).toMatchObject({ state: 'sent', provider: 'messenger', from: PAGE.id, to: customer });
  });
});
