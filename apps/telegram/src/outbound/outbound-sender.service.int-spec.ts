import { randomUUID } from 'node:crypto';
import { BotApiErrors } from '@ponte/testing';
import { BOT, TelegramHarness } from '../testing/telegram.harness';
import { OutboundSenderService } from './outbound-sender.service';

describe(OutboundSenderService.name, () => {
  let sut: TelegramHarness;
  let nextChat = 6_100_000_000;

  beforeAll(async () => {
    sut = await TelegramHarness.start();
  });

  afterAll(async () => {
    await sut?.stop();
  });

  /** A private chat no other test writes to. */
  function chat(): string {
    nextChat += 1;
    return String(nextChat);
  }

  function ledgerOf(messageId: string) {
    return sut.db.collection('telegram_outbound_ledger').findOne({ _id: messageId as never });
  }

  it('should call sendMessage once, quoting the customer’s message, when the outbound event is delivered twice', async () => {
    const to = chat();
    const message = await sut.outbound({
      to: { address: to },
      content: { text: 'Seu pedido 4711 sai hoje 🚚' },
      replyToExternalId: `${to}:555`,
    });
    await sut.republish(message);
    await sut.drainStatuses();

    const sends = sut.botApi.sendsTo(to);
    expect(sends).toHaveLength(1);
    expect(sends[0]).toMatchObject({
      method: 'sendMessage',
      botId: BOT.numericId,
      params: {
        chat_id: to,
        text: 'Seu pedido 4711 sai hoje 🚚',
        reply_parameters: { message_id: 555, allow_sending_without_reply: true },
      },
    });
    const status = await sut.status(message.messageId, 'sent');
    expect(status).toMatchObject({
      channel: 'telegram',
      channelAccountId: BOT.id,
      conversationId: message.conversationId,
      externalId: `${to}:101`,
    });
    expect(sut.statesOf(message.messageId)).toEqual(['sent', 'sent']);
    expect(await ledgerOf(message.messageId)).toMatchObject({ state: 'sent', attempts: 1, from: BOT.id, to });
  });

  it('should upload a photo with sendPhoto as multipart, the text as caption and the reply kept', async () => {
    const to = chat();
    const bytes = Buffer.from('\xff\xd8\xff\xe0 jpeg bytes', 'latin1');
    const photo = await sut.putBlob({
      id: `test/${randomUUID()}/boleto.jpg`,
      contentType: 'image/jpeg',
      bytes,
      fileName: 'boleto "março".jpg',
    });

    const message = await sut.outbound({
      to: { address: to },
      content: { text: 'Segue o boleto' },
      attachments: [photo],
      replyToExternalId: `${to}:77`,
    });

    await sut.status(message.messageId, 'sent');
    const [send] = sut.botApi.sendsTo(to);
    expect(send).toMatchObject({
      method: 'sendPhoto',
      params: { chat_id: to, caption: 'Segue o boleto', reply_parameters: { message_id: 77 } },
      upload: { field: 'photo', fileName: 'boleto_mar_o_.jpg' },
    });
    expect(send?.upload?.bytes.equals(bytes)).toBe(true);
  });

  it('should send a PDF with sendDocument', async () => {
    const to = chat();
    const pdf = await sut.putBlob({
      id: `test/${randomUUID()}/fatura`,
      contentType: 'application/pdf',
      bytes: Buffer.from('%PDF-1.7 fatura'),
      fileName: 'fatura',
    });

    const message = await sut.outbound({ to: { address: to }, content: {}, attachments: [pdf] });

    await sut.status(message.messageId, 'sent');
    expect(sut.botApi.sendsTo(to)).toEqual([
      expect.objectContaining({
        method: 'sendDocument',
        upload: expect.objectContaining({ fileName: 'fatura.pdf' }),
      }),
    ]);
    expect(sut.botApi.sendsTo(to)[0]?.params).not.toHaveProperty('caption');
  });

  it('should send again only after retry_after when Telegram answers 429', async () => {
    const to = chat();
    sut.botApi.failNext('sendMessage', BotApiErrors.tooManyRequests(1));

    const message = await sut.outbound({ to: { address: to } });

    expect(await sut.status(message.messageId)).toMatchObject({ state: 'sent' });
    const sends = sut.botApi.sendsTo(to);
    expect(sends.map((send) => send.status)).toEqual([429, 200]);
    expect(sends[1]!.at - sends[0]!.at).toBeGreaterThanOrEqual(1_000);
    await sut.drainStatuses();
    expect(sut.statesOf(message.messageId)).toEqual(['sent']);
    expect(await ledgerOf(message.messageId)).toMatchObject({ state: 'sent', attempts: 2 });
  });

  it('should report failed with TELEGRAM_BOT_BLOCKED, and not send again on a replay, when the customer blocked the bot', async () => {
    const to = chat();
    sut.botApi.failNext('sendMessage', BotApiErrors.blocked());

    const message = await sut.outbound({ to: { address: to } });
    const failed = await sut.status(message.messageId, 'failed');
    await sut.republish(message);
    await sut.drainStatuses();

    expect(failed).toMatchObject({
      state: 'failed',
      channel: 'telegram',
      error: {
        code: 'TELEGRAM_BOT_BLOCKED',
        message: expect.stringMatching(/blocked the bot.*\(403 Forbidden: bot was blocked by the user\)/),
        retryable: false,
      },
    });
    expect(sut.botApi.sendsTo(to)).toHaveLength(1);
    expect(sut.statesOf(message.messageId)).toEqual(['failed', 'failed']);
  });

  it.each([
    ['the chat is gone', BotApiErrors.chatNotFound(), 'TELEGRAM_CHAT_NOT_FOUND'],
    ['the customer never started the bot', BotApiErrors.cannotInitiate(), 'TELEGRAM_CANNOT_INITIATE'],
  ])('should report failed with a code of its own when %s', async (_, error, code) => {
    const to = chat();
    sut.botApi.failNext('sendMessage', error);

    const message = await sut.outbound({ to: { address: to } });

    expect(await sut.status(message.messageId, 'failed')).toMatchObject({
      error: { code, retryable: false },
    });
  });

  it.each([
    ['an address that is not a chat id', { to: { address: '@joaoaraujo' } }, 'PONTE_UNSUPPORTED_ADDRESS'],
    [
      'a bot this service does not have',
      { channelAccountId: 'acme-unknown' },
      'PONTE_UNKNOWN_CHANNEL_ACCOUNT',
    ],
    ['a text over 4,096 characters', { content: { text: 'a'.repeat(4_097) } }, 'PONTE_TEXT_TOO_LONG'],
  ])('should report failed without calling Telegram for %s', async (_, overrides, code) => {
    const calls = sut.botApi.calls.length;

    const message = await sut.outbound({ to: { address: chat() }, ...overrides });

    expect(await sut.status(message.messageId, 'failed')).toMatchObject({
      error: { code, retryable: false },
    });
    expect(sut.botApi.calls.length).toBe(calls);
  });

  it('should refuse two files in one message before calling Telegram', async () => {
    const to = chat();
    const files = await Promise.all(
      ['a.pdf', 'b.pdf'].map((name) =>
        sut.putBlob({
          id: `test/${randomUUID()}/${name}`,
          contentType: 'application/pdf',
          bytes: Buffer.from(name),
        }),
      ),
    );

    const message = await sut.outbound({ to: { address: to }, attachments: files });

    expect(await sut.status(message.messageId, 'failed')).toMatchObject({
      error: { code: 'PONTE_TOO_MANY_ATTACHMENTS' },
    });
    expect(sut.botApi.sendsTo(to)).toHaveLength(0);
  });
});
