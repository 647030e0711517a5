import type { WhatsAppSendRequest } from '../provider/whatsapp-provider.port';
import type { CustomerWindowDocument } from '../window/customer-window.store';
import { CloudApiProvider, WINDOW_CLOSED } from './cloud-api.provider';
import type { GraphApiClient } from './graph-api.client';

const PHONE_NUMBER_ID = '106540352242922';
const NOW = new Date('2025-03-15T12:00:00.000Z');

describe(CloudApiProvider.name, () => {
  let windows: Map<string, CustomerWindowDocument>;
  let sends: Array<{ phoneNumberId: string; body: Record<string, unknown> }>;
  let sut: CloudApiProvider;

  beforeEach(() => {
    windows = new Map();
    sends = [];
    const graph = {
      sendMessage: async (phoneNumberId: string, body: Record<string, unknown>) => {
        sends.push({ phoneNumberId, body });
        return {
          messaging_product: 'whatsapp',
          contacts: [{ input: body['to'], wa_id: body['to'] }],
          messages: [{ id: 'wamid.X' }],
        };
      },
    } as unknown as GraphApiClient;
    sut = new CloudApiProvider(
      graph,
      { get: async (phoneNumberId, phone) => windows.get(`${phoneNumberId}:${phone}`) ?? null },
      [PHONE_NUMBER_ID],
      () => NOW,
    );
  });

  function customerWrote(at: Date, waId = '551187654321'): void {
    windows.set(`${PHONE_NUMBER_ID}:+5511987654321`, {
      _id: `${PHONE_NUMBER_ID}:+5511987654321`,
      phoneNumberId: PHONE_NUMBER_ID,
      waId,
      lastInboundAt: at,
      updatedAt: at,
    });
  }

  function request(overrides: Partial<WhatsAppSendRequest> = {}): WhatsAppSendRequest {
    return {
      messageId: 'reply-1',
      conversationId: 'conversation-1',
      tenantId: 'tenant-acme',
      channelAccountId: PHONE_NUMBER_ID,
      to: '+5511987654321',
      text: 'Prontinho!',
      ...overrides,
    };
  }

  it('should handle only its configured phone number ids', () => {
    expect(sut.handles(PHONE_NUMBER_ID)).toBe(true);
    expect(sut.handles('whatsapp:+14155238886')).toBe(false);
  });

  it('should allow free text when the customer wrote less than 24 hours ago', async () => {
    customerWrote(new Date('2025-03-14T12:00:01.000Z'));

    expect(await sut.check(request())).toBeUndefined();
  });

  it('should refuse free text with PONTE_WHATSAPP_WINDOW_CLOSED when the customer wrote 24 hours ago', async () => {
    customerWrote(new Date('2025-03-14T12:00:00.000Z'));

    expect(await sut.check(request())).toEqual({
      code: WINDOW_CLOSED,
      message:
        "Outside WhatsApp's 24-hour customer service window (the customer last wrote at 2025-03-14T12:00:00.000Z): only an approved template can be sent",
      retryable: false,
    });
  });

  it('should allow a template whenever', async () => {
    expect(
      await sut.check(request({ text: undefined, template: { name: 'hello', languageCode: 'pt_BR' } })),
    ).toBeUndefined();
  });

  it('should refuse attachments before sending, which this provider cannot upload yet', async () => {
    customerWrote(new Date(NOW.getTime() - 60_000));

    expect(
      await sut.check(
        request({ attachments: [{ blobId: 'blob/fatura', contentType: 'application/pdf', size: 10 }] }),
      ),
    ).toMatchObject({ code: 'PONTE_ATTACHMENTS_UNSUPPORTED', retryable: false });
    expect(sends).toHaveLength(0);
  });

  it('should refuse a linked id (@lid), which the Cloud API cannot send to', async () => {
    expect(await sut.check(request({ to: '123456789012345@lid' }))).toMatchObject({
      code: 'PONTE_UNSUPPORTED_ADDRESS',
    });
  });

  it("should send to the customer's wa_id as Meta wrote it, not the E.164 the router completed", async () => {
    customerWrote(new Date('2025-03-15T11:00:00.000Z'));

    const accepted = await sut.send(request());

    expect(accepted).toEqual({ externalId: 'wamid.X', state: 'queued', recipientId: '551187654321' });
    expect(sends[0]?.body).toMatchObject({ to: '551187654321', type: 'text', text: { body: 'Prontinho!' } });
  });
});
