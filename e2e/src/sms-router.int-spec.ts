import { FakeTwilioServer, type ServiceProcess, TwilioAccount } from '@ponte/testing';
import { randomUUID } from 'node:crypto';
import { RouterE2e } from './support/router.e2e';
import { ServiceGroup, TENANT } from './support/service-group';
import { smsTwilioSettings } from './support/sms-settings';

const MESSAGES = '/webhooks/twilio/messages';
/** Our Twilio long code: the number customers text and replies go out from. */
const OUR_NUMBER = '+5511999990000';

/*
 * Issue 5, "What it must show", the parts that need the router: Twilio's webhooks into the real sms service, through
 * Kafka, into the real router's timeline, and an agent's reply back out through the sms service to Twilio.
 *
 * One partition per topic: the delivery statuses of every message then share one total order, so a later report
 * that reached the router proves the earlier ones did too (the status test relies on it).
 */
describe('SMS → router (sms and router services as processes)', () => {
  const group = new ServiceGroup('sms', { partitions: 1 });
  const twilio = new TwilioAccount();
  let api: FakeTwilioServer | undefined;
  let router: RouterE2e | undefined;
  let sms: ServiceProcess;

  beforeAll(async () => {
    api = await FakeTwilioServer.start(twilio.accountSid, twilio.authToken);
    router = await RouterE2e.start(group, { sms: OUR_NUMBER });
    sms = await group.start('sms', {
      MONGO_URL: group.databaseUrl('sms'),
      SMS_TENANT_ID: TENANT,
      ...smsTwilioSettings(twilio, api),
    });
  }, 90_000);

  afterAll(async () => {
    await group.stop();
    await router?.stop();
    await api?.stop();
  });

  /** A customer number of its own per test: its own customer and conversation in the router. */
  function customerNumber(): string {
    return `+55119${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}`;
  }

  it('should end as one message in the router timeline when a valid signed SMS webhook arrives', async () => {
    const from = customerNumber();
    const params = twilio.inboundSms({
      From: from,
      To: OUR_NUMBER,
      Body: 'Olá, minha fatura de março veio errada 🧾',
    });

    expect((await twilio.webhook(sms.url, MESSAGES, params)).status).toBe(200);

    const stored = await router!.incoming('sms', params['MessageSid']!);
    expect(stored).toMatchObject({
      channel: 'sms',
      channelAccountId: OUR_NUMBER,
      content: { text: 'Olá, minha fatura de março veio errada 🧾' },
    });
    const [conversation] = await router!.conversations({ _id: stored.conversationId });
    expect(conversation).toMatchObject({ status: 'open', channel: 'sms', customerId: stored.customerId });
    expect(await router!.identities({ customerId: stored.customerId })).toEqual([
      expect.objectContaining({ channel: 'sms', address: from }),
    ]);
    expect(await router!.timeline(stored.conversationId)).toHaveLength(1);
  });

  it('should end as one message in the router timeline when the same webhook arrives 5 times concurrently', async () => {
    const from = customerNumber();
    const params = twilio.inboundSms({ From: from, To: OUR_NUMBER, Body: 'Minha internet caiu de novo' });

    const responses = await Promise.all(
      Array.from({ length: 5 }, () => twilio.webhook(sms.url, MESSAGES, params)),
    );
    // A later message of the same sender: one sender's messages share a partition and are handled in order, so
    // once it is in the timeline, every copy of the first one has been through the router too.
    const sentinel = twilio.inboundSms({ From: from, To: OUR_NUMBER, Body: `sentinel ${randomUUID()}` });
    expect((await twilio.webhook(sms.url, MESSAGES, sentinel)).status).toBe(200);
    const last = await router!.incoming('sms', sentinel['MessageSid']!);

    expect(responses.map((response) => response.status)).toEqual([200, 200, 200, 200, 200]);
    const timeline = await router!.timeline(last.conversationId);
    expect(timeline.map((message) => [message.externalId, message.content.text])).toEqual([
      [params['MessageSid'], 'Minha internet caiu de novo'],
      [sentinel['MessageSid'], sentinel['Body']],
    ]);
    expect(await router!.messages({ customerId: last.customerId })).toHaveLength(2);
  });

  it('should end the agent reply at the highest status when Twilio reports delivered, sent, queued in that order', async () => {
    const from = customerNumber();
    const inbound = twilio.inboundSms({ From: from, To: OUR_NUMBER, Body: 'Vocês podem me ligar?' });
    expect((await twilio.webhook(sms.url, MESSAGES, inbound)).status).toBe(200);
    const { conversationId } = await router!.incoming('sms', inbound['MessageSid']!);

    await router!.reply(conversationId, 'Claro, ligamos em 5 minutos.');
    const reply = await router!.outgoing(conversationId, 'Claro, ligamos em 5 minutos.');
    const send = await group.waitFor(() => api!.sendsTo(from)[0], {
      description: `the reply to ${from} at the fake Twilio`,
    });
    expect(send).toMatchObject({ authorized: true, params: { From: OUR_NUMBER, To: from } });
    expect(reply).toMatchObject({ channel: 'sms', channelAccountId: OUR_NUMBER, deliveryState: 'queued' });

    const callbackPath = twilio.statusCallbackPath(send);
    for (const status of ['delivered', 'sent', 'queued']) {
      expect((await twilio.webhook(sms.url, callbackPath, twilio.statusCallback(send, status))).status).toBe(
        200,
      );
    }
    // A sentinel report after them: another reply of the conversation, reported sent. With one partition it is
    // handled after the three above, so once the router shows it, the out-of-order reports have all been applied.
    await router!.reply(conversationId, 'sentinel');
    const sentinelSend = await group.waitFor(() => api!.sendsTo(from)[1], {
      description: 'the sentinel reply at the fake Twilio',
    });
    const sentinelPath = twilio.statusCallbackPath(sentinelSend);
    expect(
      (await twilio.webhook(sms.url, sentinelPath, twilio.statusCallback(sentinelSend, 'sent'))).status,
    ).toBe(200);
    await group.waitFor(
      async () =>
        (await router!.messages({ conversationId, direction: 'outgoing', deliveryState: 'sent' })).some(
          (message) => message.content.text === 'sentinel',
        ),
      { description: 'the sentinel reply marked sent in the router' },
    );

    const [final] = await router!.messages({ _id: reply._id });
    expect(final).toMatchObject({ deliveryState: 'delivered', providerMessageId: send.sid });
  });
});
