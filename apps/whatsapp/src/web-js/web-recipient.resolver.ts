import { SendFailure } from '@ponte/channel-kit';
import { InvalidAddressError, parseWhatsAppAddress, phoneVariants } from '@ponte/identity';
import type { WebClient } from './web-client.port';

export const NOT_ON_WHATSAPP = 'PONTE_NOT_ON_WHATSAPP';

/**
 * The chat to send to. A `@lid` id is used as it is (it is not a phone and cannot be looked up as one). A phone (E.164,
 * digits or `…@c.us`) is looked up with `getNumberId` under each form WhatsApp may have registered it with — a
 * Brazilian mobile with and without its 9th digit, canonical first — and the first registered one wins. Throws
 * SendFailure: nothing has been sent when resolution fails.
 */
export async function resolveWebRecipient(
  client: Pick<WebClient, 'getNumberId'>,
  address: string,
): Promise<string> {
  let parsed;
  try {
    parsed = parseWhatsAppAddress(address);
  } catch (error) {
    if (!(error instanceof InvalidAddressError)) throw error;
    throw new SendFailure('permanent', 'PONTE_UNSUPPORTED_ADDRESS', `${address} is not a WhatsApp address`);
  }
  if (parsed.kind === 'lid') return parsed.lid;
  const variants = phoneVariants(parsed.e164);
  for (const variant of variants) {
    let registered;
    try {
      registered = await client.getNumberId(variant.replace(/^\+/, ''));
    } catch (error) {
      throw new SendFailure(
        'retryable',
        'PONTE_WHATSAPP_WEB_LOOKUP_FAILED',
        `WhatsApp Web could not look ${variant} up: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    if (registered?._serialized) return registered._serialized;
  }
  const which =
    variants.length > 1
      ? `Neither ${variants.join(' nor ')} (with and without the 9th digit) is`
      : `${parsed.e164} is not`;
  throw new SendFailure('permanent', NOT_ON_WHATSAPP, `${which} on WhatsApp`);
}
