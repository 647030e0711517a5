import { parsePayload, Topics } from '@ponte/contracts';
import { parseWhatsAppAddress } from '@ponte/identity';
import { OUR_WID, webMessage } from '../testing/web-js.fixtures';
import {
  classifyWebMessage,
  contactText,
  mediaKindOf,
  normalizeWebEdit,
  normalizeWebMessage,
  normalizeWebRevoke,
  quotedReferenceOfData,
  quotedReferenceOfLookup,
  type WebChatPolicy,
} from './web-message.normalizer';

const ACCOUNT = 'web:suporte';
const RECEIVED_AT = '2025-03-14T12:00:05.000Z';
const SENT_AT = '2025-03-14T12:00:00.000Z';
const GROUP = '120363025555555555@g.us';
const noGroups: WebChatPolicy = { groupAllowed: () => false };
const thatGroup: WebChatPolicy = { groupAllowed: (groupId) => groupId === GROUP };

/** The normalized message must pass the contract as a producer's payload. */
function expectValid(payload: unknown): void {
  const result = parsePayload(Topics.inboundMessage, payload);
  expect(result.ok ? [] : result.errors).toEqual([]);
}

describe('normalizeWebMessage', () => {
  it('should publish the text, the push name and the whatsapp-web.js ids when a customer writes', () => {
    const message = webMessage('text');

    const sut = normalizeWebMessage({ message, channelAccountId: ACCOUNT, receivedAt: RECEIVED_AT });

    expect(sut).toEqual({
      channel: 'whatsapp',
      channelAccountId: ACCOUNT,
      externalId: 'false_5511987654321@c.us_A5C0D3F1B2E44A6C9F1E2D3C4B5A6978',
      from: { address: '5511987654321@c.us', displayName: 'Maria Souza' },
      to: [{ address: OUR_WID }],
      sentAt: SENT_AT,
      receivedAt: RECEIVED_AT,
      content: { text: 'Olá, minha fatura veio errada 🧾' },
    });
    expectValid(sut);
  });

  it.each([
    ['image-with-caption', 'image', 'Segue o comprovante do pagamento'],
    ['video', 'video', undefined],
    ['document', 'document', undefined],
    ['audio-ptt', 'audio', undefined],
  ] as const)(
    'should carry the %s as an attachment with its caption, never its thumbnail',
    (name, kind, caption) => {
      const message = webMessage(name);
      const attachment = {
        blobId: `whatsapp-web/suporte/${message.id._serialized}/media/0`,
        contentType: 'x/y',
        size: 1,
      };

      const sut = normalizeWebMessage({
        message,
        channelAccountId: ACCOUNT,
        receivedAt: RECEIVED_AT,
        attachments: [attachment],
      });

      expect(mediaKindOf(message)).toBe(kind);
      expect(sut.content).toEqual(caption ? { text: caption } : {});
      expect(sut.attachments).toEqual([attachment]);
      expectValid(sut);
    },
  );

  it('should say why the file is missing when it could not be stored', () => {
    const sut = normalizeWebMessage({
      message: webMessage('image-with-caption'),
      channelAccountId: ACCOUNT,
      receivedAt: RECEIVED_AT,
      notes: ['[image not accepted: 20000000 bytes exceed the 16777216-byte limit]'],
    });

    expect(sut.content.text).toBe(
      'Segue o comprovante do pagamento\n[image not accepted: 20000000 bytes exceed the 16777216-byte limit]',
    );
    expect(sut.attachments).toBeUndefined();
  });

  it('should write a location as a line with its name, address and a map link, not its thumbnail', () => {
    const sut = normalizeWebMessage({
      message: webMessage('location'),
      channelAccountId: ACCOUNT,
      receivedAt: RECEIVED_AT,
    });

    expect(sut.content).toEqual({
      text:
        '[location] MASP, Avenida Paulista, 1578 - Bela Vista, São Paulo - SP, 01310-200 ' +
        'https://maps.google.com/?q=-23.561414,-46.655881',
    });
    expectValid(sut);
  });

  it('should write a contact card as a line with its name, phone and e-mail', () => {
    const sut = normalizeWebMessage({
      message: webMessage('vcard'),
      channelAccountId: ACCOUNT,
      receivedAt: RECEIVED_AT,
    });

    expect(sut.content).toEqual({
      text: '[contact] Carlos Lima +55 21 99888-7777 carlos.lima@example.com.br',
    });
  });

  it('should thread a reply to the quoted message and keep what it quoted apart from the new text', () => {
    const message = webMessage('quoted-reply');

    const sut = normalizeWebMessage({
      message,
      channelAccountId: ACCOUNT,
      receivedAt: RECEIVED_AT,
      quoted: quotedReferenceOfData(message, [OUR_WID]),
    });

    expect(sut.threading).toEqual({
      replyToExternalId: 'true_5511987654321@c.us_3EB0C5A1F2D4B6E8A9C1',
    });
    expect(sut.content).toEqual({
      text: 'Esse boleto aqui não abre',
      quotedText: 'Segue a segunda via do seu boleto: https://pague.example.com.br/b/8812',
    });
    expectValid(sut);
  });

  it('should keep an @lid sender as it is, a WhatsApp identity of its own', () => {
    const sut = normalizeWebMessage({
      message: webMessage('lid-sender'),
      channelAccountId: ACCOUNT,
      receivedAt: RECEIVED_AT,
    });

    expect(sut.from).toEqual({ address: '118127463583871@lid', displayName: 'Ana P.' });
    expect(parseWhatsAppAddress(sut.from.address)).toEqual({ kind: 'lid', lid: '118127463583871@lid' });
  });

  it('should make a Brazilian id without the 9th digit the same customer phone as the 9-digit E.164', () => {
    const sut = normalizeWebMessage({
      message: webMessage('br-legacy-number'),
      channelAccountId: ACCOUNT,
      receivedAt: RECEIVED_AT,
    });

    expect(sut.from.address).toBe('551187654321@c.us');
    expect(parseWhatsAppAddress(sut.from.address)).toEqual({ kind: 'phone', e164: '+5511987654321' });
  });

  it('should name the participant as the sender and the group as the recipient of an allowed group message', () => {
    const sut = normalizeWebMessage({
      message: webMessage('group'),
      channelAccountId: ACCOUNT,
      receivedAt: RECEIVED_AT,
    });

    expect(sut.from).toEqual({ address: '5511987654321@c.us', displayName: 'Maria Souza' });
    expect(sut.to).toEqual([{ address: GROUP }]);
    expect(sut.externalId).toBe(`false_${GROUP}_3A1B2C3D4E5F6A7B8C9D_5511987654321@c.us`);
  });
});

describe('classifyWebMessage', () => {
  it.each([
    'text',
    'image-with-caption',
    'audio-ptt',
    'video',
    'document',
    'location',
    'vcard',
    'quoted-reply',
    'lid-sender',
    'br-legacy-number',
  ] as const)('should publish %s from a customer', (name) => {
    expect(classifyWebMessage(webMessage(name), noGroups)).toEqual({ kind: 'customer' });
  });

  it.each(['from-me-echo', 'from-me-phone'] as const)(
    'should never take %s for a customer message',
    (name) => {
      expect(classifyWebMessage(webMessage(name), thatGroup)).toEqual({ kind: 'from-me' });
    },
  );

  it('should ignore a group message unless the group is configured', () => {
    expect(classifyWebMessage(webMessage('group'), noGroups)).toEqual({
      kind: 'ignored',
      reason: 'group chat not in WHATSAPP_WEB_GROUPS',
    });
    expect(classifyWebMessage(webMessage('group'), thatGroup)).toEqual({ kind: 'customer' });
  });

  it('should ignore status updates, even from a customer', () => {
    expect(classifyWebMessage(webMessage('status-broadcast'), thatGroup)).toEqual({
      kind: 'ignored',
      reason: 'status update',
    });
  });

  it('should ignore what WhatsApp writes itself (a revoked placeholder)', () => {
    expect(classifyWebMessage(webMessage('revoked'), noGroups)).toEqual({
      kind: 'ignored',
      reason: 'revoked notification',
    });
  });
});

describe('quoted messages', () => {
  it('should take the id the browser looked up over the reply’s own reference', () => {
    const quoted = webMessage('from-me-echo');

    expect(quotedReferenceOfLookup(quoted)).toEqual({
      externalId: quoted.id._serialized,
      text: 'Prontinho, sua conta foi desbloqueada.',
    });
  });

  it('should quote a media message by its caption, not its thumbnail', () => {
    const image = webMessage('image-with-caption');

    expect(quotedReferenceOfLookup(image).text).toBe('Segue o comprovante do pagamento');
    expect(quotedReferenceOfLookup(webMessage('location')).text).toBe('[location]');
  });

  it('should rebuild a quote of the customer’s own message as not ours when our ids are unknown', () => {
    expect(quotedReferenceOfData(webMessage('quoted-reply'), [])?.externalId).toBe(
      'false_5511987654321@c.us_3EB0C5A1F2D4B6E8A9C1',
    );
    expect(quotedReferenceOfData(webMessage('text'), [OUR_WID])).toBeUndefined();
  });
});

describe('normalizeWebEdit', () => {
  it('should publish an edit as a revision of the original message, named by the edit time', () => {
    const message = webMessage('edited');

    const sut = normalizeWebEdit({
      message,
      newBody: 'Minha fatura de março veio em dobro',
      channelAccountId: ACCOUNT,
      receivedAt: RECEIVED_AT,
    });

    expect(sut).toMatchObject({
      externalId: `edited:${message.id._serialized}:1741953900000`,
      sentAt: '2025-03-14T12:05:00.000Z',
      from: { address: '5511987654321@c.us' },
      content: { text: 'Minha fatura de março veio em dobro' },
      revision: { kind: 'edited', of: 'false_5511987654321@c.us_3EB0D4C3B2A1F0E9D8C7' },
    });
    expectValid(sut);
  });
});

describe('normalizeWebRevoke', () => {
  const original = 'false_5511987654321@c.us_A5C0D3F1B2E44A6C9F1E2D3C4B5A6978';

  it('should publish "deleted for everyone" as a deletion of the original message, without content', () => {
    const sut = normalizeWebRevoke({
      message: webMessage('revoked'),
      revoked: webMessage('text'),
      channelAccountId: ACCOUNT,
      receivedAt: RECEIVED_AT,
    });

    expect(sut).toEqual({
      channel: 'whatsapp',
      channelAccountId: ACCOUNT,
      externalId: `deleted:${original}`,
      from: { address: '5511987654321@c.us', displayName: 'Maria Souza' },
      to: [{ address: OUR_WID }],
      receivedAt: RECEIVED_AT,
      content: {},
      revision: { kind: 'deleted', of: original },
    });
    expectValid(sut);
  });

  it('should find the original without the earlier copy whatsapp-web.js may not have', () => {
    const revokedOnly = webMessage('revoked');
    delete revokedOnly.protocolMessageKey;

    const sut = normalizeWebRevoke({
      message: revokedOnly,
      revoked: null,
      channelAccountId: ACCOUNT,
      receivedAt: RECEIVED_AT,
    });

    expect(sut.revision).toEqual({ kind: 'deleted', of: original });
  });
});

describe(contactText.name, () => {
  it('should unfold folded lines and read several phones of a vCard 4.0', () => {
    const sut = contactText(
      'BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Loja Centro\r\nTEL;TYPE=work:+55 11 3333-444\r\n 4\r\nTEL:+55 11 98888-0000\r\nEND:VCARD',
    );

    expect(sut).toBe('[contact] Loja Centro +55 11 3333-4444 +55 11 98888-0000');
  });
});
