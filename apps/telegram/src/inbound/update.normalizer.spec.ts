import { parsePayload, Topics } from '@ponte/contracts';
import {
  CUSTOMER,
  customer,
  editedUpdate,
  message,
  messageUpdate,
  supergroup,
  textUpdate,
} from '../testing/telegram-updates';
import {
  classifyUpdate,
  type ClassifiedMessage,
  type GroupPolicy,
  InvalidUpdateError,
  normalizeUpdate,
} from './update.normalizer';

const BOT_ID = 'acme-support';
const RECEIVED_AT = '2025-03-14T12:00:02.000Z';
const NO_GROUPS: GroupPolicy = { groupAllowed: () => false };

function classified(update: unknown, groups: GroupPolicy = NO_GROUPS): ClassifiedMessage {
  const result = classifyUpdate(update, groups);
  if (result.kind !== 'message') throw new Error(`ignored: ${result.reason}`);
  return result;
}

function normalized(update: unknown, extra: Partial<Parameters<typeof normalizeUpdate>[0]> = {}) {
  return normalizeUpdate({
    botId: BOT_ID,
    classified: classified(update),
    receivedAt: RECEIVED_AT,
    ...extra,
  });
}

describe(normalizeUpdate.name, () => {
  it('should map a private text message and pass the contract', () => {
    const update = textUpdate('Olá! Preciso de ajuda', { messageId: 1365, date: 1_741_953_600 });

    const sut = normalized(update, { rawPayloadRef: 'telegram/acme-support/987654321:1365/update' });

    expect(sut).toEqual({
      channel: 'telegram',
      channelAccountId: BOT_ID,
      externalId: `${CUSTOMER.id}:1365`,
      from: { address: String(CUSTOMER.id), displayName: 'João Araújo' },
      to: [{ address: BOT_ID }],
      sentAt: '2025-03-14T12:00:00.000Z',
      receivedAt: RECEIVED_AT,
      content: { text: 'Olá! Preciso de ajuda' },
      rawPayloadRef: 'telegram/acme-support/987654321:1365/update',
    });
    expect(parsePayload(Topics.inboundMessage, sut).ok).toBe(true);
  });

  it('should name a sender without a name by their username', () => {
    const from = { id: 42, is_bot: false, first_name: '', username: 'anon_client' };

    expect(normalized(textUpdate('oi', { from })).from).toEqual({
      address: '42',
      displayName: '@anon_client',
    });
  });

  it('should publish an edit as a revision named by its edit date, dated by it', () => {
    const original = message({ text: 'Pedido 4710' }, { messageId: 88, date: 1_741_953_600 });

    const sut = normalized(editedUpdate(original, { text: 'Pedido 4711', edit_date: 1_741_953_700 }));

    expect(sut).toMatchObject({
      externalId: `edited:${CUSTOMER.id}:88:1741953700`,
      revision: { kind: 'edited', of: `${CUSTOMER.id}:88` },
      sentAt: new Date(1_741_953_700_000).toISOString(),
      content: { text: 'Pedido 4711' },
    });
    expect(parsePayload(Topics.inboundMessage, sut).ok).toBe(true);
  });

  it('should thread a reply, preferring the part the customer quoted', () => {
    const replied = {
      message_id: 10,
      chat: { id: CUSTOMER.id, type: 'private' },
      date: 1,
      text: 'Seu código é 1234',
    };

    const sut = normalized(
      messageUpdate({
        text: 'não recebi',
        reply_to_message: replied,
        quote: { text: 'código', position: 4 },
      }),
    );

    expect(sut.threading).toEqual({ replyToExternalId: `${CUSTOMER.id}:10` });
    expect(sut.content).toEqual({ text: 'não recebi', quotedText: 'código' });
  });

  it('should not take a forum topic’s first message for a reply', () => {
    const topic = {
      message_id: 3,
      chat: { id: -100123, type: 'supergroup' },
      date: 1,
      forum_topic_created: {},
    };
    const update = messageUpdate(
      { text: 'no tópico', reply_to_message: topic, is_topic_message: true, message_thread_id: 3 },
      { chat: supergroup(-100123) },
    );

    const sut = normalizeUpdate({
      botId: BOT_ID,
      classified: classified(update, { groupAllowed: () => true }),
      receivedAt: RECEIVED_AT,
    });

    expect(sut.threading).toBeUndefined();
  });

  it.each([
    [
      'a location',
      { location: { latitude: -23.561414, longitude: -46.655881 } },
      '[location] https://maps.google.com/?q=-23.561414,-46.655881',
    ],
    [
      'a venue',
      {
        location: { latitude: -23.561414, longitude: -46.655881 },
        venue: {
          location: { latitude: -23.561414, longitude: -46.655881 },
          title: 'MASP',
          address: 'Avenida Paulista, 1578',
        },
      },
      '[location] MASP, Avenida Paulista, 1578 https://maps.google.com/?q=-23.561414,-46.655881',
    ],
    [
      'a contact who is someone else',
      { contact: { phone_number: '+5521999887777', first_name: 'Carlos', last_name: 'Lima', user_id: 1234 } },
      '[contact] Carlos Lima +5521999887777',
    ],
    [
      'the customer’s own number',
      { contact: { phone_number: '5511987654321', first_name: 'João', user_id: CUSTOMER.id } },
      '[contact] João 5511987654321 (the customer’s own number, shared from Telegram)',
    ],
    [
      'a poll',
      { poll: { id: '1', question: 'Qual horário?', options: [{ text: 'Manhã' }, { text: 'Tarde' }] } },
      '[poll] Qual horário? — Manhã / Tarde',
    ],
    [
      'a sticker',
      { sticker: { file_id: 'x', file_unique_id: 'y', emoji: '👍', type: 'regular' } },
      '[sticker 👍]',
    ],
    [
      'a story',
      { story: { chat: { id: 1, type: 'private' }, id: 5 } },
      '[a Telegram story, which Ponte cannot show: see it in Telegram]',
    ],
  ])('should write %s as a line of text', (_, content, text) => {
    expect(normalized(messageUpdate(content)).content.text).toBe(text);
  });

  it("should vouch for the customer's own shared phone number, and not for someone else's", () => {
    const own = messageUpdate({
      contact: { phone_number: '5511987654321', first_name: 'João', user_id: CUSTOMER.id },
    });
    const other = messageUpdate({
      contact: { phone_number: '+5521999887777', first_name: 'Carlos', user_id: 1234 },
    });
    const unlinked = messageUpdate({ contact: { phone_number: '+5521999887777', first_name: 'Carlos' } });

    expect(normalized(own).vouchedIdentities).toEqual([{ channel: 'sms', address: '+5511987654321' }]);
    expect(normalized(other).vouchedIdentities).toBeUndefined();
    expect(normalized(unlinked).vouchedIdentities).toBeUndefined();
  });

  it('should put the caption first and the notes after it', () => {
    const update = messageUpdate({
      caption: 'Segue',
      document: {
        file_id: 'BQACAgEAAx',
        file_unique_id: 'AgAD',
        file_name: 'a.pdf',
        mime_type: 'application/pdf',
      },
    });

    expect(normalized(update, { notes: ['[document not accepted: too large]'] }).content.text).toBe(
      'Segue\n[document not accepted: too large]',
    );
  });

  it('should give a configured group as `to`, with its title', () => {
    const update = textUpdate('oi', { chat: supergroup(-1001234567890) });

    const sut = normalizeUpdate({
      botId: BOT_ID,
      classified: classified(update, { groupAllowed: (chatId) => chatId === '-1001234567890' }),
      receivedAt: RECEIVED_AT,
    });

    expect(sut.to).toEqual([{ address: '-1001234567890', displayName: 'Clientes ACME' }]);
    expect(sut.externalId).toMatch(/^-1001234567890:\d+$/);
  });
});

describe(classifyUpdate.name, () => {
  it('should pick the largest size of a photo, as JPEG', () => {
    const photo = [
      { file_id: 'small', file_unique_id: 's', file_size: 1_000, width: 90, height: 67 },
      { file_id: 'large', file_unique_id: 'l', file_size: 90_000, width: 1280, height: 960 },
      { file_id: 'medium', file_unique_id: 'm', file_size: 12_000, width: 320, height: 240 },
    ];

    expect(classified(messageUpdate({ photo })).media).toEqual({
      kind: 'photo',
      fileId: 'large',
      fileSize: 90_000,
      declaredType: 'image/jpeg',
    });
  });

  it('should take an animation for what it is, not for its document copy', () => {
    const file = { file_id: 'anim', file_unique_id: 'a', mime_type: 'video/mp4', file_name: 'giphy.mp4' };

    expect(classified(messageUpdate({ animation: file, document: file })).media).toMatchObject({
      kind: 'animation',
      declaredType: 'video/mp4',
    });
  });

  it.each([
    [
      'a callback query',
      { update_id: 1, callback_query: { id: '1' } },
      'callback_query updates are not handled',
    ],
    [
      'a channel post',
      { update_id: 1, channel_post: { message_id: 1 } },
      'channel_post updates are not handled',
    ],
    [
      'a group not configured',
      textUpdate('oi', { chat: supergroup(-1009) }),
      'group chat not in the bot’s groups',
    ],
    [
      'a channel chat',
      messageUpdate({ text: 'x' }, { chat: { id: -1002, type: 'channel' } }),
      'channel chats are not handled',
    ],
    ['a bot', textUpdate('beep', { from: { id: 5, is_bot: true, first_name: 'Bot' } }), 'sent by a bot'],
    [
      'an anonymous admin',
      messageUpdate({ text: 'x', sender_chat: supergroup(-1003) }, { chat: supergroup(-1003) }),
      'sent on behalf of a chat, not by a person',
    ],
    ['a member joining', messageUpdate({ new_chat_members: [customer(7)] }), 'service message'],
  ])('should ignore %s', (_, update, reason) => {
    expect(classifyUpdate(update, { groupAllowed: (chatId) => chatId === '-1003' })).toMatchObject({
      kind: 'ignored',
      reason,
    });
  });

  it.each([
    ['null', null],
    ['no update_id', { message: { text: 'x' } }],
    ['a message without chat', { update_id: 1, message: { message_id: 1, date: 1, text: 'x' } }],
  ])('should throw InvalidUpdateError for %s', (_, update) => {
    expect(() => classifyUpdate(update, NO_GROUPS)).toThrow(InvalidUpdateError);
  });
});
