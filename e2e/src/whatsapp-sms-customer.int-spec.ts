import { FakeTwilioServer, type ServiceProcess, TwilioAccount } from '@ponte/testing';
import { FakeGraphServer, MetaApp } from './support/fake-graph.server';
import { RouterE2e, type StoredMessage } from './support/router.e2e';
import { ServiceGroup, TENANT } from './support/service-group';
import { smsTwilioSettings } from './support/sms-settings';

/** Our Twilio long code. */
const OUR_SMS_NUMBER = '+5511999990000';
/** The customer's WhatsApp id as Meta gives it for an older Brazilian mobile: without the 9th digit. */
const WHATSAPP_ID = '551187654321';
/** The same customer's mobile number, as Twilio gives it for an SMS: E.164 with the 9th digit. */
const SMS_NUMBER = '+5511987654321';

/*
 * Issue 5, "What it must show": a customer who writes on WhatsApp from 551187654321 and by SMS from
 * +5511987654321 is one customer in the router, and an agent's reply can go out on either. The router, the sms
 * service and the whatsapp service (Cloud API) run as processes; Twilio and Graph are local fakes.
 */
describe('WhatsApp and SMS from one customer (router, sms and whatsapp services as processes)', () => {
  const group = new ServiceGroup('phone');
  const twilio = new TwilioAccount();
  const meta = new MetaApp();
  let twilioApi: FakeTwilioServer | undefined;
  let graph: FakeGraphServer | undefined;
  let router: RouterE2e | undefined;
  let sms: ServiceProcess;
  let whatsapp: ServiceProcess;
  let viaWhatsApp: StoredMessage;
  let viaSms: StoredMessage;

  beforeAll(async () => {
    twilioApi = await FakeTwilioServer.start(twilio.accountSid, twilio.authToken);
    graph = await FakeGraphServer.start(meta.accessToken);
    router = await RouterE2e.start(group, { sms: OUR_SMS_NUMBER, whatsapp: meta.phoneNumberId });
    [sms, whatsapp] = await Promise.all([
      group.start('sms', {
        MONGO_URL: group.databaseUrl('sms'),
        SMS_TENANT_ID: TENANT,
        ...smsTwilioSettings(twilio, twilioApi),
      }),
      group.start('whatsapp', {
        MONGO_URL: group.databaseUrl('whatsapp'),
        WHATSAPP_TENANT_ID: TENANT,
        ...meta.env(graph),
      }),
    ]);

    // WhatsApp first, then SMS: the reply's default channel (the last one the customer wrote on) is then SMS.
    const whatsappWebhook = meta.textMessageWebhook(WHATSAPP_ID, 'Oi, meu boleto não chegou', 'João Araújo');
    expect(await meta.webhook(whatsapp.url, whatsappWebhook.payload)).toBe(200);
    viaWhatsApp = await router.incoming('whatsapp', whatsappWebhook.wamid);
    const smsWebhook = twilio.inboundSms({
      From: SMS_NUMBER,
      To: OUR_SMS_NUMBER,
      Body: 'Mandei no WhatsApp também',
    });
    expect((await twilio.webhook(sms.url, '/webhooks/twilio/messages', smsWebhook)).status).toBe(200);
    viaSms = await router.incoming('sms', smsWebhook['MessageSid']!);
  }, 90_000);

  afterAll(async () => {
    await group.stop();
    await router?.stop();
    await twilioApi?.stop();
    await graph?.stop();
  });

  it('should make one customer with one open conversation of both messages', async () => {
    const customers = await router!.customers();
    const identities = await router!.identities();
    const open = await router!.conversations({ status: 'open' });

    expect(viaSms.customerId).toBe(viaWhatsApp.customerId);
    expect(customers.filter((customer) => customer.mergedInto === null)).toHaveLength(1);
    expect(identities.map(({ channel, address, customerId }) => ({ channel, address, customerId }))).toEqual(
      expect.arrayContaining([
        { channel: 'whatsapp', address: SMS_NUMBER, customerId: viaWhatsApp.customerId },
        { channel: 'sms', address: SMS_NUMBER, customerId: viaWhatsApp.customerId },
      ]),
    );
    expect(identities).toHaveLength(2);
    expect(open.map((conversation) => conversation._id)).toEqual([viaWhatsApp.conversationId]);
    expect(viaSms.conversationId).toBe(viaWhatsApp.conversationId);
  });

  it('should send the reply through the Cloud API when the agent picks WhatsApp', async () => {
    await router!.reply(viaWhatsApp.conversationId, 'Reenviamos o boleto pelo WhatsApp.', {
      channel: 'whatsapp',
    });

    const send = await group.waitFor(
      () => graph!.sends.find((candidate) => JSON.stringify(candidate.body).includes('Reenviamos o boleto')),
      { description: 'the WhatsApp reply at the fake Graph API' },
    );
    expect(send).toMatchObject({
      authorized: true,
      phoneNumberId: meta.phoneNumberId,
      body: {
        messaging_product: 'whatsapp',
        to: WHATSAPP_ID,
        type: 'text',
        text: expect.objectContaining({ body: 'Reenviamos o boleto pelo WhatsApp.' }),
      },
    });
    const reply = await router!.outgoing(viaWhatsApp.conversationId, 'Reenviamos o boleto pelo WhatsApp.');
    expect(reply).toMatchObject({ channel: 'whatsapp', channelAccountId: meta.phoneNumberId });
  });

  it('should send the reply through Twilio when the agent picks SMS', async () => {
    await router!.reply(viaWhatsApp.conversationId, 'Também enviamos por SMS.', { channel: 'sms' });

    const send = await group.waitFor(() => twilioApi!.sendsTo(SMS_NUMBER)[0], {
      description: 'the SMS reply at the fake Twilio',
    });
    expect(send).toMatchObject({
      authorized: true,
      params: { From: OUR_SMS_NUMBER, To: SMS_NUMBER, Body: 'Também enviamos por SMS.' },
    });
    const reply = await router!.outgoing(viaWhatsApp.conversationId, 'Também enviamos por SMS.');
    expect(reply).toMatchObject({ channel: 'sms', channelAccountId: OUR_SMS_NUMBER });
  });
});
