export { InvalidAddressError } from './invalid-address.error';
export { normalizePhone, phoneVariants } from './phone/phone-number';
export { parseWhatsAppAddress, whatsAppChatId, type WhatsAppAddress } from './whatsapp/whatsapp-id';
export { normalizeEmail } from './email/email-address';
