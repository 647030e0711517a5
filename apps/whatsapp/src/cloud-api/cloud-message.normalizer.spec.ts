import { parsePayload, Topics } from '@ponte/contracts';
import { metaWebhook, PHONE_NUMBER_ID, type MetaMessage } from '../testing/meta-webhook.payloads';
import { classifyCloudMessage, mediaOf, normalizeCloudMessage, textOf } from './cloud-message.normalizer';
import { type CloudMessage, eventsOf } from './cloud-webhook.payload';

const RECEIVED_AT = '2025-06-08T20:59:45.000Z';
const WAMID = 'wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=';

/** A message of Meta's webhook references, with the fields every message has. */
function message(fields: Record<string, unknown>): MetaMessage {
  return { from: '16505551234', id: WAMID, timestamp: '1749416383', ...fields };
}

function normalized(fields: Record<string, unknown>, extra: { profileName?: string } = {}) {
  const [event] = eventsOf(metaWebhook({ messages: [message(fields)], ...extra })).messages;
  if (!event) throw new Error('no message in the webhook');
  return normalizeCloudMessage({ event, receivedAt: RECEIVED_AT });
}

describe(normalizeCloudMessage.name, () => {
  it('should map a text message with the profile name and pass the contract', () => {
    const sut = normalized(
      { type: 'text', text: { body: 'Does it come in another color?' } },
      { profileName: 'Sheena Nelson' },
    );

    expect(sut).toEqual({
      channel: 'whatsapp',
      channelAccountId: PHONE_NUMBER_ID,
      externalId: WAMID,
      from: { address: '16505551234', displayName: 'Sheena Nelson' },
      to: [{ address: '5511999990000' }],
      sentAt: '2025-06-08T20:59:43.000Z',
      receivedAt: RECEIVED_AT,
      content: { text: 'Does it come in another color?' },
    });
    expect(parsePayload(Topics.inboundMessage, sut).ok).toBe(true);
  });

  it('should keep the quoted message of a reply', () => {
    const sut = normalized({
      type: 'text',
      text: { body: 'this one' },
      context: { from: '15550783881', id: 'wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBI3MTE5MjVBOTE3MDk5QUVFM0YA' },
    });

    expect(sut.threading).toEqual({
      replyToExternalId: 'wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBI3MTE5MjVBOTE3MDk5QUVFM0YA',
    });
  });

  it('should carry the caption, the attachments and the notes about refused media', () => {
    const [event] = eventsOf(
      metaWebhook({
        messages: [
          message({
            type: 'image',
            image: { caption: 'boleto', mime_type: 'image/jpeg', sha256: 'abc', id: '1003383421387256' },
          }),
        ],
      }),
    ).messages;

    const sut = normalizeCloudMessage({
      event: event!,
      receivedAt: RECEIVED_AT,
      attachments: [{ blobId: `whatsapp-cloud/${WAMID}/media/0`, contentType: 'image/jpeg', size: 10 }],
      notes: [],
      rawPayloadRef: `whatsapp-cloud/${WAMID}/webhook`,
    });

    expect(sut.content).toEqual({ text: 'boleto' });
    expect(sut.attachments).toHaveLength(1);
    expect(parsePayload(Topics.inboundMessage, sut).ok).toBe(true);
  });

  it('should point a reaction at the message reacted to', () => {
    const sut = normalized({ type: 'reaction', reaction: { message_id: 'wamid.reacted', emoji: '👍' } });

    expect(sut.content.text).toBe('[reaction 👍]');
    expect(sut.threading).toEqual({ replyToExternalId: 'wamid.reacted' });
  });
});

describe(textOf.name, () => {
  it.each<[string, CloudMessage, string | undefined]>([
    [
      'a location',
      {
        type: 'location',
        location: {
          latitude: -23.5505,
          longitude: -46.6333,
          name: 'Loja Centro',
          address: 'Praça da Sé, São Paulo',
        },
      },
      '[location] Loja Centro, Praça da Sé, São Paulo https://maps.google.com/?q=-23.5505,-46.6333',
    ],
    [
      'shared contacts',
      {
        type: 'contacts',
        contacts: [
          {
            name: { formatted_name: 'Ana Lima', first_name: 'Ana' },
            phones: [{ phone: '+55 11 91234-5678', wa_id: '5511912345678', type: 'CELL' }],
            emails: [{ email: 'ana@example.com' }],
          },
        ],
      },
      '[contact] Ana Lima +55 11 91234-5678 ana@example.com',
    ],
    [
      'a button reply',
      {
        type: 'interactive',
        interactive: { type: 'button_reply', button_reply: { id: 'yes', title: 'Sim, resolvido' } },
      },
      'Sim, resolvido',
    ],
    [
      'a list reply',
      {
        type: 'interactive',
        interactive: {
          type: 'list_reply',
          list_reply: { id: 'fin', title: 'Financeiro', description: 'Boletos e faturas' },
        },
      },
      'Financeiro — Boletos e faturas',
    ],
    [
      'a template quick reply',
      { type: 'button', button: { payload: 'STOP', text: 'Parar promoções' } },
      'Parar promoções',
    ],
    [
      'an audio',
      { type: 'audio', audio: { mime_type: 'audio/ogg; codecs=opus', sha256: 'x', id: '1', voice: true } },
      undefined,
    ],
    [
      'a document caption',
      {
        type: 'document',
        document: { caption: 'contrato', filename: 'contrato.pdf', mime_type: 'application/pdf', id: '2' },
      },
      'contrato',
    ],
    [
      'a number change',
      {
        type: 'system',
        system: { body: 'User A changed from 16505551234 to 16505551235', type: 'user_changed_number' },
      },
      '[User A changed from 16505551234 to 16505551235]',
    ],
    ['an order', { type: 'order' }, '[a WhatsApp message of type order that Ponte cannot show yet]'],
  ])('should describe %s', (_, cloudMessage, expected) => {
    expect(textOf(cloudMessage)).toBe(expected);
  });
});

describe(classifyCloudMessage.name, () => {
  it('should record a deletion, which the contract cannot carry', () => {
    expect(classifyCloudMessage({ id: WAMID, type: 'deleted' })).toEqual({
      kind: 'deleted',
      deletedExternalId: WAMID,
    });
  });

  it('should ignore a reaction taken back and keep one given', () => {
    expect(
      classifyCloudMessage({ id: WAMID, type: 'reaction', reaction: { message_id: 'wamid.x', emoji: '' } })
        .kind,
    ).toBe('ignored');
    expect(
      classifyCloudMessage({ id: WAMID, type: 'reaction', reaction: { message_id: 'wamid.x', emoji: '❤️' } })
        .kind,
    ).toBe('message');
  });

  it('should let unsupported messages through, so the agent hears of them', () => {
    expect(classifyCloudMessage({ id: WAMID, type: 'unsupported', errors: [{ code: 131051 }] }).kind).toBe(
      'message',
    );
  });
});

describe(mediaOf.name, () => {
  it('should read the media id, type, checksum and file name of a document', () => {
    expect(
      mediaOf({
        type: 'document',
        document: {
          filename: 'fatura.pdf',
          mime_type: 'application/pdf',
          sha256: 'abc',
          id: '1003383421387256',
        },
      }),
    ).toEqual({
      kind: 'document',
      mediaId: '1003383421387256',
      mimeType: 'application/pdf',
      sha256: 'abc',
      fileName: 'fatura.pdf',
    });
  });

  it('should find no media in a text or a media message without an id', () => {
    expect(mediaOf({ type: 'text', text: { body: 'oi' } })).toBeUndefined();
    expect(mediaOf({ type: 'image', image: {} })).toBeUndefined();
  });
});

describe(eventsOf.name, () => {
  it('should skip other objects and fields and messages without ids', () => {
    const webhook = metaWebhook({ messages: [message({ type: 'text', text: { body: 'ok' } })] });
    const withoutId = metaWebhook({
      messages: [{ ...message({ type: 'text' }), id: undefined } as unknown as MetaMessage],
    });

    expect(eventsOf(webhook).messages).toHaveLength(1);
    expect(eventsOf({ ...webhook, object: 'page' }).messages).toHaveLength(0);
    expect(eventsOf(withoutId).messages).toHaveLength(0);
    expect(
      eventsOf({
        object: 'whatsapp_business_account',
        entry: [{ changes: [{ field: 'account_update', value: {} }] }],
      }),
    ).toEqual({
      messages: [],
      statuses: [],
    });
  });
});
