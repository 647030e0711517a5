import { FakeTwilioServer, type RecordedTwilioSend, twilioError } from './fake-twilio.server';

const ACCOUNT_SID = 'AC0123456789abcdef0123456789abcdef';
const AUTH_TOKEN = 'token-of-the-test';

function createMessage(
  sut: FakeTwilioServer,
  form: [string, string][],
  credentials = `${ACCOUNT_SID}:${AUTH_TOKEN}`,
): Promise<Response> {
  return fetch(`${sut.url}/2010-04-01/Accounts/${ACCOUNT_SID}/Messages.json`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(credentials).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams(form).toString(),
  });
}

describe(FakeTwilioServer.name, () => {
  let sut: FakeTwilioServer;

  beforeEach(async () => {
    sut = await FakeTwilioServer.start(ACCOUNT_SID, AUTH_TOKEN);
  });

  afterEach(async () => {
    await sut.stop();
  });

  it('should record every MediaUrl and answer a queued Message resource with the recorded sid when a send is authorized', async () => {
    const response = await createMessage(sut, [
      ['To', '+5511987654321'],
      ['From', '+5511999990000'],
      ['Body', 'Segue a fatura'],
      ['MediaUrl', 'https://ponte.example.com/sms/media/a'],
      ['MediaUrl', 'https://ponte.example.com/sms/media/b'],
    ]);

    const [send] = sut.sendsTo('+5511987654321');
    expect(response.status).toBe(201);
    expect(send).toEqual<RecordedTwilioSend>({
      accountSid: ACCOUNT_SID,
      params: expect.objectContaining({ Body: 'Segue a fatura', From: '+5511999990000' }),
      mediaUrls: ['https://ponte.example.com/sms/media/a', 'https://ponte.example.com/sms/media/b'],
      authorized: true,
      sid: expect.stringMatching(/^SM[0-9a-f]{32}$/),
    });
    expect(await response.json()).toMatchObject({ sid: send!.sid, status: 'queued', num_media: '2' });
  });

  it('should answer 401 and record the send as unauthorized when the auth token is wrong', async () => {
    const response = await createMessage(sut, [['To', '+5511987654322']], `${ACCOUNT_SID}:wrong`);

    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ code: 20003 });
    expect(sut.sendsTo('+5511987654322')).toEqual([expect.objectContaining({ authorized: false })]);
  });

  it('should answer the scripted replies in order, then a created message', async () => {
    sut.replyWith({ status: 429, body: twilioError(20429, 'Too Many Requests', 429) });

    const first = await createMessage(sut, [['To', '+5511987654323']]);
    const second = await createMessage(sut, [['To', '+5511987654323']]);

    expect([first.status, second.status]).toEqual([429, 201]);
    expect(await first.json()).toEqual({
      code: 20429,
      message: 'Too Many Requests',
      more_info: 'https://www.twilio.com/docs/errors/20429',
      status: 429,
    });
  });

  it('should serve media bytes and redirects and count the requests per path', async () => {
    const path = sut.mediaPath('SM0123456789abcdef0123456789abcdef');
    const bytes = Buffer.from('png bytes');
    sut.serveMedia(path, { kind: 'bytes', contentType: 'image/png', bytes });
    const redirect = sut.serveMedia('/redirect', { kind: 'redirect', location: `${sut.url}${path}` });

    const response = await fetch(redirect);

    expect(response.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await response.arrayBuffer())).toEqual(bytes);
    expect([sut.hitsOf('/redirect'), sut.hitsOf(path)]).toEqual([1, 1]);
  });
});
