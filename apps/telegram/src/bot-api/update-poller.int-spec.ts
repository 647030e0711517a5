import { BotApiErrors, waitFor } from '@ponte/testing';
import { BOT, OTHER_BOT, TelegramHarness } from '../testing/telegram.harness';
import { customer, messageUpdate, photoSizes, textUpdate } from '../testing/telegram-updates';
import { UpdatePoller } from './update-poller';

function externalIdOf(update: Record<string, unknown>): string {
  const sent = update['message'] as { chat: { id: number }; message_id: number };
  return `${sent.chat.id}:${sent.message_id}`;
}

describe(UpdatePoller.name, () => {
  let sut: TelegramHarness;

  beforeAll(async () => {
    sut = await TelegramHarness.start({ mode: 'polling' });
  });

  afterAll(async () => {
    await sut?.stop();
  });

  it('should delete the webhook, then publish what getUpdates returns and confirm it with the next offset', async () => {
    const update = textUpdate('Olá, vim pelo Telegram', { from: customer(5_200_000_001) });

    sut.botApi.pushUpdates(BOT.token, update);

    expect(await sut.inboundMessage(externalIdOf(update))).toMatchObject({
      channel: 'telegram',
      channelAccountId: BOT.id,
      content: { text: 'Olá, vim pelo Telegram' },
    });
    await waitFor(() => sut.botApi.offsetsOf(BOT.token).includes(update.update_id + 1), {
      description: 'the update confirmed',
    });
    const first = sut.botApi.calls.findIndex((call) => call.botId === BOT.numericId);
    expect(sut.botApi.calls[first]?.method).toBe('deleteWebhook');
    expect(sut.botApi.callsOf('getUpdates')[0]?.params).toMatchObject({
      timeout: 1,
      allowed_updates: ['message', 'edited_message'],
    });
  });

  it('should keep an update unconfirmed until it is stored, and publish it once, when its file cannot be fetched at first', async () => {
    const from = customer(5_200_000_002);
    const file = sut.botApi.addFile(Buffer.alloc(2_000, 9), {
      contentType: 'image/jpeg',
      filePath: `photos/poll_${Date.now()}.jpg`,
    });
    const photo = messageUpdate({ photo: photoSizes([file]), caption: 'comprovante' }, { from });
    const after = textUpdate('mandei a foto', { from, updateId: photo.update_id + 1 });
    sut.botApi.failNext('getFile', BotApiErrors.badGateway(), BotApiErrors.badGateway());

    sut.botApi.pushUpdates(BOT.token, photo, after);

    const published = await sut.inboundMessage(externalIdOf(photo));
    await sut.inboundMessage(externalIdOf(after));
    expect(published.attachments).toEqual([
      expect.objectContaining({ contentType: 'image/jpeg', size: 2_000 }),
    ]);
    expect(sut.inboundCopies(externalIdOf(photo))).toBe(1);
    // In Telegram's order: the text after the photo was not published before it.
    const order = sut.inbound.map((envelope) => envelope.data.externalId);
    expect(order.indexOf(externalIdOf(photo))).toBeLessThan(order.indexOf(externalIdOf(after)));
    // No getUpdates confirmed the photo (an offset past it) before its file was fetched and it was published.
    const getFiles = sut.botApi.callsOf('getFile').filter((call) => call.params['file_id'] === file.file_id);
    expect(getFiles.map((call) => call.status)).toEqual([502, 502, 200]);
    // The poller confirms on its next getUpdates, which may come a moment after the publish: wait for it.
    const confirming = await waitFor(
      () =>
        sut.botApi
          .callsOf('getUpdates')
          .find((call) => call.botId === BOT.numericId && Number(call.params['offset']) > photo.update_id),
      { description: 'the getUpdates that confirms the photo' },
    );
    expect(confirming.at).toBeGreaterThanOrEqual(getFiles[2]!.at);
  });

  it('should poll each bot with its own token', async () => {
    const update = textUpdate('Quero comprar', { from: customer(5_200_000_003) });

    sut.botApi.pushUpdates(OTHER_BOT.token, update);

    expect(await sut.inboundMessage(externalIdOf(update))).toMatchObject({ channelAccountId: OTHER_BOT.id });
  });

  it('should answer 404 to webhooks in polling mode', async () => {
    expect((await sut.webhook(textUpdate('Olá'))).status).toBe(404);
  });
});
