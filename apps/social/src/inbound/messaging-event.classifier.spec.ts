import { parsePayload, Topics } from '@ponte/contracts';
import {
  deliveryEvent,
  echoEvent,
  editEvent,
  instagramSeenEvent,
  messageEvent,
  readEvent,
} from '../testing/meta-webhooks';
import type { MessagingEvent } from '../webhook/meta-webhook.payload';
import { channelOfObject, classifyEvent, normalizeEvent } from './messaging-event.classifier';

const PAGE_ID = '104857600123456';
const PSID = '6100000000000001';

function classify(event: Record<string, unknown>): ReturnType<typeof classifyEvent> {
  return classifyEvent(event as MessagingEvent);
}

describe(classifyEvent.name, () => {
  it('should classify a customer’s text with its reply-to, and normalize it to a valid InboundMessage', () => {
    const classified = classify(
      messageEvent(PAGE_ID, PSID, { mid: 'm_1', text: 'Olá', reply_to: { mid: 'm_0' } }, 1_741_953_600_000),
    );
    if (classified.kind !== 'message') throw new Error(`expected a message, got ${classified.kind}`);

    const sut = normalizeEvent({
      channel: 'messenger',
      accountId: PAGE_ID,
      classified,
      receivedAt: '2025-03-14T12:00:01.000Z',
      rawPayloadRef: 'messenger/raw',
    });

    expect(sut).toEqual({
      channel: 'messenger',
      channelAccountId: PAGE_ID,
      externalId: 'm_1',
      from: { address: PSID },
      to: [{ address: PAGE_ID }],
      sentAt: '2025-03-14T12:00:00.000Z',
      receivedAt: '2025-03-14T12:00:01.000Z',
      content: { text: 'Olá' },
      threading: { replyToExternalId: 'm_0' },
      rawPayloadRef: 'messenger/raw',
    });
    expect(parsePayload(Topics.inboundMessage, sut).ok).toBe(true);
  });

  it('should fetch image, video, audio and file attachments and describe the others', () => {
    const sut = classify(
      messageEvent(PAGE_ID, PSID, {
        mid: 'm_2',
        attachments: [
          { type: 'image', payload: { url: 'https://scontent.xx.fbcdn.net/v/a.jpg' } },
          { type: 'file', payload: { url: 'https://cdn.fbsbx.com/v/b.pdf' } },
          { type: 'fallback', payload: { url: 'https://example.com/article' }, title: 'Artigo' },
          {
            type: 'story_mention',
            payload: { url: 'https://lookaside.fbsbx.com/ig_messaging_cdn/?asset_id=1' },
          },
        ],
      }),
    );

    expect(sut).toMatchObject({
      kind: 'message',
      media: [
        { type: 'image', url: 'https://scontent.xx.fbcdn.net/v/a.jpg' },
        { type: 'file', url: 'https://cdn.fbsbx.com/v/b.pdf' },
      ],
      lines: [
        '[fallback https://example.com/article]',
        '[story mention https://lookaside.fbsbx.com/ig_messaging_cdn/?asset_id=1]',
      ],
    });
  });

  it('should make an echo the business’s own message, with the customer as recipient', () => {
    expect(classify(echoEvent(PAGE_ID, PSID, 'm_3', 'Oi', 1_000))).toEqual({
      kind: 'echo',
      mid: 'm_3',
      customerId: PSID,
      timestamp: 1_000,
    });
  });

  it('should make an unsend a deletion and an edit a revision named by its count', () => {
    const deleted = classify(messageEvent(PAGE_ID, PSID, { mid: 'm_4', is_deleted: true }));
    const edited = classify(editEvent(PAGE_ID, PSID, 'm_5', 'novo texto', 2));

    expect(deleted).toMatchObject({
      kind: 'message',
      externalId: 'deleted:m_4',
      revision: { kind: 'deleted', of: 'm_4' },
    });
    expect(edited).toMatchObject({
      kind: 'message',
      externalId: 'edited:m_5:2',
      text: 'novo texto',
      revision: { kind: 'edited', of: 'm_5' },
    });
  });

  it('should read deliveries and reads', () => {
    expect(classify(deliveryEvent(PAGE_ID, PSID, ['m_6', 'm_7'], 5))).toEqual({
      kind: 'delivery',
      customerId: PSID,
      mids: ['m_6', 'm_7'],
      watermark: 5,
    });
    expect(classify(readEvent(PAGE_ID, PSID, 9))).toEqual({ kind: 'read', customerId: PSID, watermark: 9 });
    expect(classify(instagramSeenEvent(PAGE_ID, PSID, 'm_8'))).toEqual({
      kind: 'read',
      customerId: PSID,
      mid: 'm_8',
    });
  });

  it('should ignore what is not handled, with the reason', () => {
    expect(
      classify({ sender: { id: PSID }, recipient: { id: PAGE_ID }, postback: { payload: 'START' } }),
    ).toEqual({
      kind: 'ignored',
      reason: 'postback events are not handled',
    });
    expect(classify(messageEvent(PAGE_ID, PSID, { text: 'sem mid' }))).toMatchObject({ kind: 'ignored' });
  });
});

describe(channelOfObject.name, () => {
  it('should map Meta’s objects to channels', () => {
    expect(channelOfObject('page')).toBe('messenger');
    expect(channelOfObject('instagram')).toBe('instagram');
    expect(channelOfObject('whatsapp_business_account')).toBeUndefined();
  });
});
