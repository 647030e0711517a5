import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { validateRequest } from 'twilio';
import { readRequestBody } from '../fake-http.server';
import type { RecordedTwilioSend } from './fake-twilio.server';
import { TwilioAccount } from './twilio-account';

interface ReceivedWebhook {
  url: string;
  signature: string | undefined;
  body: string;
}

/** A stand-in for the sms service: records each request and answers 200 with a TwiML body. */
async function startReceiver(): Promise<{ url: string; received: ReceivedWebhook[]; server: Server }> {
  const received: ReceivedWebhook[] = [];
  const server = createServer((request: IncomingMessage, response) => {
    void readRequestBody(request).then((body) => {
      received.push({
        url: request.url ?? '',
        signature: request.headers['x-twilio-signature'] as string,
        body,
      });
      response.writeHead(200, { 'content-type': 'text/xml' });
      response.end('<Response/>');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, received, server };
}

describe(TwilioAccount.name, () => {
  const sut = new TwilioAccount();
  let receiver: Awaited<ReturnType<typeof startReceiver>>;

  beforeAll(async () => {
    receiver = await startReceiver();
  });

  afterAll(async () => {
    await new Promise((resolve) => receiver.server.close(resolve));
  });

  it('should POST a webhook form-encoded with a signature Twilio validates for the public URL', async () => {
    const params = sut.inboundSms({ From: '+5511912340001', Body: 'Olá 🧾' });

    const response = await sut.webhook(receiver.url, '/webhooks/twilio/messages?x=1', params);

    const request = receiver.received.at(-1)!;
    expect(response).toEqual({ status: 200, body: '<Response/>', contentType: 'text/xml' });
    expect(request.url).toBe('/webhooks/twilio/messages?x=1');
    expect(Object.fromEntries(new URLSearchParams(request.body))).toEqual(params);
    expect(
      validateRequest(
        sut.authToken,
        request.signature!,
        `${sut.publicBaseUrl}/webhooks/twilio/messages?x=1`,
        params,
      ),
    ).toBe(true);
    expect(
      validateRequest(
        sut.authToken,
        request.signature!,
        `${receiver.url}/webhooks/twilio/messages?x=1`,
        params,
      ),
    ).toBe(false);
  });

  it('should send no signature when told null', async () => {
    await sut.webhook(receiver.url, '/webhooks/twilio/messages', sut.inboundSms(), { signature: null });

    expect(receiver.received.at(-1)!.signature).toBeUndefined();
  });

  it('should make inbound SMS parameters of this account with one MessageSid throughout', () => {
    const params = sut.inboundSms({ To: '+5511999990001' });

    expect(params).toMatchObject({ AccountSid: sut.accountSid, To: '+5511999990001', SmsStatus: 'received' });
    expect(params['SmsSid']).toBe(params['MessageSid']);
    expect(params['MessageSid']).toMatch(/^SM[0-9a-f]{32}$/);
  });

  it('should report a status of a recorded send on the StatusCallback path it asked for', () => {
    const send: RecordedTwilioSend = {
      accountSid: sut.accountSid,
      params: {
        To: '+5511987654321',
        From: '+5511999990000',
        StatusCallback: `${sut.publicBaseUrl}/webhooks/twilio/status?messageId=m-1`,
      },
      mediaUrls: [],
      authorized: true,
      sid: 'SM0123456789abcdef0123456789abcdef',
    };

    expect(sut.statusCallbackPath(send)).toBe('/webhooks/twilio/status?messageId=m-1');
    expect(sut.statusCallback(send, 'delivered')).toMatchObject({
      MessageSid: send.sid,
      MessageStatus: 'delivered',
      To: '+5511987654321',
      From: '+5511999990000',
      AccountSid: sut.accountSid,
    });
    expect(() => sut.statusCallbackPath({ ...send, params: {} })).toThrow(/no StatusCallback/);
  });
});
