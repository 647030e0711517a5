import { Logger } from '@nestjs/common';
import { type BlobMetadata, SendFailure } from '@ponte/channel-kit';
import { waitFor } from '@ponte/testing';
import type { WhatsAppSendRequest } from '../provider/whatsapp-provider.port';
import { FakeWebClients, type FakeWebClient } from '../testing/fake-web.client';
import type { SentMessage } from '../outbound/sent-message.store';
import { WebSession } from './web-session';
import {
  NOT_CONNECTED,
  SESSION_LOST,
  TEMPLATES_UNSUPPORTED,
  WhatsAppWebProvider,
} from './whatsapp-web.provider';

const ACCOUNT = 'web:suporte';

beforeAll(() => {
  Logger.overrideLogger(false);
});

describe(WhatsAppWebProvider.name, () => {
  let clients: FakeWebClients;
  let session: WebSession;
  let client: FakeWebClient;
  let blobs: Map<string, { metadata: BlobMetadata; bytes: Buffer }>;
  let recorded: SentMessage[];
  let sut: WhatsAppWebProvider;

  beforeEach(() => {
    clients = new FakeWebClients();
    clients.onCreate((created) => created.registered.set('551187654321', '551187654321@c.us'));
    session = new WebSession(
      { id: 'suporte', groups: new Set() },
      clients.factory,
      { reconnectAttempts: 1, initialBackoffMs: 5, maxBackoffMs: 5, connectTimeoutMs: 60_000 },
      { stateChanged: () => undefined, event: () => undefined },
    );
    blobs = new Map();
    recorded = [];
    sut = new WhatsAppWebProvider(
      { sessionForAccount: (account) => (account === ACCOUNT ? session : undefined) },
      {
        metadata: async (id) => blobs.get(id)?.metadata ?? null,
        read: async (id) => blobs.get(id) ?? null,
      },
      {
        record: async (entry) => {
          recorded.push(entry);
        },
      },
      1024,
    );
    session.start();
    client = clients.latest('suporte');
    client.pair();
  });

  afterEach(async () => {
    await session.stop();
  });

  function request(overrides: Partial<WhatsAppSendRequest> = {}): WhatsAppSendRequest {
    return {
      messageId: 'reply-1',
      conversationId: 'conversation-1',
      tenantId: 'tenant-acme',
      channelAccountId: ACCOUNT,
      to: '+5511987654321',
      text: 'Prontinho!',
      ...overrides,
    };
  }

  it('should handle the web: accounts of its sessions only', () => {
    expect(sut.handles(ACCOUNT)).toBe(true);
    expect(sut.handles('web:vendas')).toBe(false);
    expect(sut.handles('106540352242922')).toBe(false);
  });

  it('should refuse a template, which WhatsApp Web does not have', async () => {
    expect(
      await sut.check(request({ template: { name: 'retomar_atendimento', languageCode: 'pt_BR' } })),
    ).toMatchObject({ code: TEMPLATES_UNSUPPORTED, retryable: false });
  });

  it.each([
    ['an empty message', { text: undefined }, 'PONTE_EMPTY_MESSAGE'],
    [
      'two files',
      {
        attachments: [
          { blobId: 'a', contentType: 'image/png', size: 1 },
          { blobId: 'b', contentType: 'image/png', size: 1 },
        ],
      },
      'PONTE_ATTACHMENTS_TOO_MANY',
    ],
    ['a group address', { to: '120363025555555555@g.us' }, 'PONTE_UNSUPPORTED_ADDRESS'],
  ])('should refuse %s before sending', async (_, overrides, code) => {
    expect(await sut.check(request(overrides))).toMatchObject({ code, retryable: false });
  });

  it('should send to the registered form of a Brazilian number, remember the id and settle before resolving', async () => {
    const accepted = await sut.send(request());

    expect(client.sends).toHaveLength(1);
    expect(client.sends[0]).toMatchObject({ chatId: '551187654321@c.us', text: 'Prontinho!', options: {} });
    expect(accepted).toEqual({
      externalId: client.sends[0]!.message.id._serialized,
      state: 'queued',
      recipientId: '551187654321@c.us',
    });
    expect(session.tracker.referenceOf(accepted.externalId)).toEqual({
      messageId: 'reply-1',
      conversationId: 'conversation-1',
      tenantId: 'tenant-acme',
    });
    expect(recorded).toEqual([
      expect.objectContaining({ _id: accepted.externalId, messageId: 'reply-1', channelAccountId: ACCOUNT }),
    ]);
    expect(session.tracker.sending).toBe(0);
  });

  it('should quote a whatsapp-web.js message id and ignore a Cloud API one', async () => {
    await sut.send(request({ replyToExternalId: 'false_551187654321@c.us_3EB0C5A1F2D4B6E8A9C1' }));
    await sut.send(
      request({ messageId: 'reply-2', replyToExternalId: 'wamid.HBgNNTUxMTk4NzY1NDMyMRUCABIYFjNFQjBDNzQ0' }),
    );

    expect(client.sends.map((send) => send.options)).toEqual([
      { quotedMessageId: 'false_551187654321@c.us_3EB0C5A1F2D4B6E8A9C1' },
      {},
    ]);
  });

  it('should send the file from the blob store with the text as its caption', async () => {
    const bytes = Buffer.from('%PDF-1.7 fatura');
    blobs.set('blob/fatura', {
      metadata: {
        id: 'blob/fatura',
        contentType: 'application/pdf',
        size: bytes.length,
        createdAt: new Date(),
      },
      bytes,
    });

    await sut.send(
      request({
        text: 'Segue a fatura',
        attachments: [
          {
            blobId: 'blob/fatura',
            contentType: 'application/pdf',
            size: bytes.length,
            fileName: 'fatura.pdf',
          },
        ],
      }),
    );

    expect(client.sends[0]!.media).toEqual({
      mimetype: 'application/pdf',
      data: bytes.toString('base64'),
      filename: 'fatura.pdf',
      caption: 'Segue a fatura',
    });
  });

  it('should fail for good, without sending, when the file is missing or too large', async () => {
    blobs.set('blob/big', {
      metadata: { id: 'blob/big', contentType: 'video/mp4', size: 4096, createdAt: new Date() },
      bytes: Buffer.alloc(4096),
    });

    await expect(
      sut.send(request({ attachments: [{ blobId: 'blob/missing', contentType: 'image/png', size: 1 }] })),
    ).rejects.toMatchObject({ kind: 'permanent', code: 'PONTE_ATTACHMENT_MISSING' });
    await expect(
      sut.send(request({ attachments: [{ blobId: 'blob/big', contentType: 'video/mp4', size: 4096 }] })),
    ).rejects.toMatchObject({ kind: 'permanent', code: 'PONTE_ATTACHMENT_TOO_LARGE' });
    expect(client.sends).toHaveLength(0);
  });

  it('should ask for a retry while the session reconnects, and refuse for good once it is lost', async () => {
    client.emit('disconnected', 'TIMEOUT');

    await expect(sut.send(request())).rejects.toMatchObject({ kind: 'retryable', code: NOT_CONNECTED });
    await waitFor(() => clients.count('suporte') === 2, { description: 'a reconnect' });

    clients.latest('suporte').emit('disconnected', 'LOGOUT');
    expect(await sut.check(request())).toMatchObject({ code: SESSION_LOST, retryable: false });
    await expect(sut.send(request())).rejects.toMatchObject({ kind: 'permanent', code: SESSION_LOST });
  });

  it('should report an uncertain send when the browser fails while sending', async () => {
    client.sendText = async () => {
      throw new Error('Protocol error (Runtime.callFunctionOn): Session closed.');
    };

    const error = await sut.send(request()).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(SendFailure);
    expect(error).toMatchObject({ kind: 'uncertain', code: 'PONTE_SEND_UNCERTAIN' });
    expect(session.tracker.sending).toBe(0);
  });
});
