import { InvalidAddressError } from '../invalid-address.error';
import { normalizePhone } from '../phone/phone-number';

export type WhatsAppAddress =
  /** A phone-number account: the canonical E.164 phone, shared with SMS as strong identity evidence. */
  | { kind: 'phone'; e164: string }
  /** A "linked id" (privacy-preserving id): never a phone number, an identity of its own. */
  | { kind: 'lid'; lid: string };

const JID = /^(\d{6,20})(?::\d+)?@(c\.us|s\.whatsapp\.net|lid)$/;

/**
 * Reads the address forms WhatsApp reaches us in: whatsapp-web.js ids (`551187654321@c.us`,
 * `…@s.whatsapp.net`, `…@lid`), Cloud API `wa_id` digits, and Twilio's `whatsapp:+E164`.
 */
export function parseWhatsAppAddress(raw: string): WhatsAppAddress {
  const value = raw.trim();
  const jid = JID.exec(value);
  if (jid) {
    const [, digits, server] = jid as unknown as [string, string, string];
    return server === 'lid' ? { kind: 'lid', lid: `${digits}@lid` } : { kind: 'phone', e164: normalizePhone(`+${digits}`) };
  }
  if (value.includes('@')) throw new InvalidAddressError('whatsapp', raw, 'unknown WhatsApp id server');
  const phone = value.replace(/^whatsapp:/i, '');
  return { kind: 'phone', e164: normalizePhone(/^\d+$/.test(phone) ? `+${phone}` : phone) };
}

/** The whatsapp-web.js chat id of a phone (`5511987654321@c.us`). */
export function whatsAppChatId(e164: string): string {
  return `${e164.replace(/^\+/, '')}@c.us`;
}
