import { BotApiErrors, FakeBotApiServer, type ServiceProcess } from '@ponte/testing';
import { randomBytes, randomUUID } from 'node:crypto';
import { RouterE2e } from './support/router.e2e';
import { ServiceGroup, TENANT } from './support/service-group';

/** Our bot: its id (the channelAccountId and the `:botId` of its webhook URL), BotFather's token, its secret. */
const BOT = {
  id: 'acme-support',
  token: `7012345678:AAH${randomBytes(24).toString('base64url')}`,
  webhookSecret: randomBytes(24).toString('base64url'),
} as const;

/*
 * Issue 7, "What it must show", the Telegram parts that need the router: Bot API updates posted to the real telegram
 * service (webhook mode, secret-checked), through Kafka, into the real router's timeline; an edit revising the stored
 * message; an agent's reply going out through a local server speaking the Bot API, and a blocked bot's refusal
 * reaching the timeline as `failed`.
 *
 * One partition per topic: a later update of the same chat that reached the router proves the earlier ones did too.
 */
describe('Telegram → router (telegram and router services as processes)', () => {
  const group = new ServiceGroup('telegram', { partitions: 1 });
  let botApi: FakeBotApiServer | undefined;
  let router: RouterE2e | undefined;
  let telegram: ServiceProcess;
  let nextUpdateId = 800_000_000 + Math.floor(Math.random() * 100_000_000);
  let nextMessageId = 2_000 + Math.floor(Math.random() * 100_000);

  beforeAll(async () => {
    botApi = await FakeBotApiServer.start([{ token: BOT.token, username: 'acme_support_bot' }]);
    router = await RouterE2e.start(group, { telegram: BOT.id });
    telegram = await group.start('telegram', {
      MONGO_URL: group.databaseUrl('telegram'),
      TELEGRAM_TENANT_ID: TENANT,
      TELEGRAM_UPDATES: 'webhook',
      TELEGRAM_BOTS: JSON.stringify([{ id: BOT.id, token: BOT.token, webhookSecret: BOT.webhookSecret }]),
      TELEGRAM_API_ROOT: botApi.url,
      TELEGRAM_CHAT_MESSAGES_PER_SECOND: '50',
      TELEGRAM_SEND_INITIAL_BACKOFF_MS: '50',
      TELEGRAM_SEND_MAX_BACKOFF_MS: '200',
    });
  }, 90_000);

  afterAll(async () => {
    await group.stop();
    await router?.stop();
    await botApi?.stop();
  });

  /** A customer of their own per test (a Telegram user id): their own customer, chat and conversation. */
  function customer(): TelegramUser {
    return {
      id: 5_000_000_000 + Math.floor(Math.random() * 1e9),
      is_bot: false,
      first_name: 'João',
      last_name: 'Araújo',
      language_code: 'pt-br',
    };
  }

  /**
   * A `message` update with a text, as Telegram documents it (https://core.telegram.org/bots/api#update, #message):
   * a private chat with the sender, Unix-second dates.
   */
  function textUpdate(from: TelegramUser, text: string): TelegramUpdate {
    return {
      update_id: nextUpdateId++,
      message: {
        message_id: nextMessageId++,
        from,
        chat: { id: from.id, first_name: from.first_name, last_name: from.last_name, type: 'private' },
        date: Math.floor(Date.now() / 1000),
        text,
      },
    };
  }

  /** An `edited_message` update: the message as it now is, its id and date kept, a new update id and `edit_date`. */
  function editedUpdate(original: TelegramUpdate, text: string): TelegramUpdate {
    const message = original.message!;
    return {
      update_id: nextUpdateId++,
      edited_message: { ...message, text, edit_date: message.date + 60 },
    };
  }

  /** The router's externalId of a Telegram message: `<chat id>:<message id>`. */
  function externalIdOf(update: TelegramUpdate): string {
    const message = update.message!;
    return `${message.chat.id}:${message.message_id}`;
  }

  /** POSTs an update as Telegram does: JSON, with the secret given to setWebhook. Returns the status. */
  async function post(update: TelegramUpdate): Promise<number> {
    const response = await fetch(`${telegram.url}/webhooks/telegram/${BOT.id}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': BOT.webhookSecret },
      body: JSON.stringify(update),
    });
    await response.text();
    return response.status;
  }

  it('should end as one message in the router timeline when a valid update arrives and is redelivered 3 times', async () => {
    const from = customer();
    const update = textUpdate(from, 'Olá, não consigo entrar na minha conta 🔐');

    expect(await post(update)).toBe(200);
    for (let redelivery = 0; redelivery < 3; redelivery++) expect(await post(update)).toBe(200);
    // A later message of the same chat: with one partition, once the router shows it, every copy of the first
    // has been through the router too.
    const sentinel = textUpdate(from, `sentinel ${randomUUID()}`);
    expect(await post(sentinel)).toBe(200);
    const last = await router!.incoming('telegram', externalIdOf(sentinel));

    const [first] = await router!.messages({ externalId: externalIdOf(update) });
    expect(first).toMatchObject({
      channel: 'telegram',
      channelAccountId: BOT.id,
      direction: 'incoming',
      conversationId: last.conversationId,
      content: { text: 'Olá, não consigo entrar na minha conta 🔐' },
    });
    expect(await router!.identities({ customerId: last.customerId })).toEqual([
      expect.objectContaining({ channel: 'telegram', address: String(from.id) }),
    ]);
    const timeline = await router!.timeline(last.conversationId);
    expect(timeline.map((message) => [message.externalId, message.content.text])).toEqual([
      [externalIdOf(update), 'Olá, não consigo entrar na minha conta 🔐'],
      [externalIdOf(sentinel), sentinel.message!.text],
    ]);
  });

  it('should update the stored message when the customer edits it', async () => {
    const from = customer();
    const update = textUpdate(from, 'Meu pedido 4521 não chegou');
    expect(await post(update)).toBe(200);
    const original = await router!.incoming('telegram', externalIdOf(update));

    expect(await post(editedUpdate(update, 'Meu pedido 4512 não chegou'))).toBe(200);

    const revised = await group.waitFor(
      async () => (await router!.messages({ _id: original._id, revision: 'edited' }))[0],
      { description: `the edit of ${externalIdOf(update)} applied in the router` },
    );
    expect(revised).toMatchObject({
      content: { text: 'Meu pedido 4512 não chegou' },
      revisions: [
        expect.objectContaining({ kind: 'edited', previousContent: { text: 'Meu pedido 4521 não chegou' } }),
      ],
    });
    expect(await router!.timeline(original.conversationId)).toEqual([
      expect.objectContaining({ _id: original._id, externalId: externalIdOf(update) }),
    ]);
  });

  it("should send an agent's reply through the Bot API once", async () => {
    const from = customer();
    const update = textUpdate(from, 'Vocês atendem no sábado?');
    expect(await post(update)).toBe(200);
    const { conversationId } = await router!.incoming('telegram', externalIdOf(update));

    await router!.reply(conversationId, 'Atendemos sim, das 9h às 13h.');
    const reply = await router!.outgoing(conversationId, 'Atendemos sim, das 9h às 13h.');
    // A second reply of the same conversation follows the first on its partition: once it reached the Bot API,
    // whatever the first one caused has too.
    await router!.reply(conversationId, 'sentinel');
    await group.waitFor(() => botApi!.sendsTo(String(from.id))[1], {
      description: 'the sentinel reply at the fake Bot API',
    });

    expect(
      botApi!.sendsTo(String(from.id)).map((call) => [call.method, call.params['text'], call.status]),
    ).toEqual([
      ['sendMessage', 'Atendemos sim, das 9h às 13h.', 200],
      ['sendMessage', 'sentinel', 200],
    ]);
    await group.waitFor(async () => (await router!.messages({ _id: reply._id, deliveryState: 'sent' }))[0], {
      description: 'the reply marked sent in the router',
    });
  });

  it('should show the reply failed with the reason when the user blocked the bot', async () => {
    const from = customer();
    const update = textUpdate(from, 'Quero cancelar');
    expect(await post(update)).toBe(200);
    const { conversationId } = await router!.incoming('telegram', externalIdOf(update));
    botApi!.failNext('sendMessage', BotApiErrors.blocked());

    await router!.reply(conversationId, 'Podemos ajudar com o cancelamento?');
    const { _id } = await router!.outgoing(conversationId, 'Podemos ajudar com o cancelamento?');

    const failed = await group.waitFor(
      async () => (await router!.messages({ _id, deliveryState: 'failed' }))[0],
      { description: 'the reply marked failed in the router' },
    );
    expect(failed.providerError).toEqual({
      code: 'TELEGRAM_BOT_BLOCKED',
      message: expect.stringContaining('blocked'),
    });
    expect(botApi!.sendsTo(String(from.id)).map((call) => call.status)).toEqual([403]);
  });
});

interface TelegramUser {
  id: number;
  is_bot: boolean;
  first_name: string;
  last_name: string;
  language_code: string;
}

interface TelegramMessage {
  message_id: number;
  from: TelegramUser;
  chat: { id: number; type: 'private'; first_name: string; last_name: string };
  date: number;
  edit_date?: number;
  text: string;
}

interface TelegramUpdate {
  update_id: number;
  message?: TelegramMessage;
  edited_message?: TelegramMessage;
}
