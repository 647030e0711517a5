import { SendFailure } from '@ponte/channel-kit';
import { FakeWebClient } from '../testing/fake-web.client';
import { NOT_ON_WHATSAPP, resolveWebRecipient } from './web-recipient.resolver';

describe(resolveWebRecipient.name, () => {
  let client: FakeWebClient;

  beforeEach(() => {
    client = new FakeWebClient('suporte');
  });

  it('should send to the 8-digit Brazilian id when only that form is registered', async () => {
    client.registered.set('551187654321', '551187654321@c.us');

    const sut = await resolveWebRecipient(client, '+5511987654321');

    expect(sut).toBe('551187654321@c.us');
    expect(client.lookups).toEqual(['5511987654321', '551187654321']);
  });

  it('should prefer the 9-digit form when WhatsApp knows it', async () => {
    client.registered.set('5511987654321', '5511987654321@c.us');
    client.registered.set('551187654321', '551187654321@c.us');

    expect(await resolveWebRecipient(client, '551187654321@c.us')).toBe('5511987654321@c.us');
    expect(client.lookups).toEqual(['5511987654321']);
  });

  it('should keep an @lid id as it is, without a lookup', async () => {
    expect(await resolveWebRecipient(client, '118127463583871@lid')).toBe('118127463583871@lid');
    expect(client.lookups).toEqual([]);
  });

  it('should fail for good, naming both forms, when neither is on WhatsApp', async () => {
    const error = await resolveWebRecipient(client, '+5511987654321').catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(SendFailure);
    expect(error).toMatchObject({
      kind: 'permanent',
      code: NOT_ON_WHATSAPP,
      message: 'Neither +5511987654321 nor +551187654321 (with and without the 9th digit) is on WhatsApp',
    });
  });

  it('should look a number of another country up once', async () => {
    const error = await resolveWebRecipient(client, '+14155550123').catch((caught: unknown) => caught);

    expect(error).toMatchObject({ code: NOT_ON_WHATSAPP, message: '+14155550123 is not on WhatsApp' });
    expect(client.lookups).toEqual(['14155550123']);
  });

  it('should refuse an address that is no WhatsApp address, and retry a lookup the browser could not make', async () => {
    await expect(resolveWebRecipient(client, '120363025555555555@g.us')).rejects.toMatchObject({
      kind: 'permanent',
      code: 'PONTE_UNSUPPORTED_ADDRESS',
    });
    client.getNumberId = async () => {
      throw new Error('Protocol error (Runtime.callFunctionOn): Target closed');
    };
    await expect(resolveWebRecipient(client, '+5511987654321')).rejects.toMatchObject({
      kind: 'retryable',
      code: 'PONTE_WHATSAPP_WEB_LOOKUP_FAILED',
    });
  });
});
