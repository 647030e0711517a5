import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/max';
import { InvalidAddressError } from '../invalid-address.error';

const BRAZIL = '55';
// Brazilian mobiles gained a leading 9 in 2012–2016. Accounts created before (WhatsApp ids among them) still
// carry the 8-digit form: area code + [6-9]XXXXXXX. Landlines are 8 digits starting with 2–5 and never change.
const BRAZILIAN_LEGACY_MOBILE = /^(\d{2})([6-9]\d{7})$/;
const BRAZILIAN_MOBILE = /^(\d{2})9([6-9]\d{7})$/;

/**
 * The canonical E.164 form of a phone number, so one phone is one identity whatever way it was written.
 * A Brazilian mobile without its 9th digit is completed (`+55 11 8765-4321` → `+5511987654321`).
 */
export function normalizePhone(raw: string, defaultCountry: CountryCode = 'BR'): string {
  const cleaned = raw.trim();
  const parsed = parsePhoneNumberFromString(cleaned, defaultCountry);
  if (!parsed) throw new InvalidAddressError('phone', raw, 'not a phone number');
  let national = parsed.nationalNumber as string;
  if (parsed.countryCallingCode === BRAZIL) {
    national = national.replace(BRAZILIAN_LEGACY_MOBILE, '$19$2');
  }
  const canonical = parsePhoneNumberFromString(`+${parsed.countryCallingCode}${national}`);
  if (!canonical?.isPossible()) throw new InvalidAddressError('phone', raw, 'not a possible phone number');
  return canonical.number;
}

/**
 * Both forms under which a Brazilian mobile may be registered on WhatsApp (with and without the 9th digit),
 * canonical first. Any other number has one form.
 */
export function phoneVariants(e164: string): string[] {
  const match = e164.startsWith(`+${BRAZIL}`) ? BRAZILIAN_MOBILE.exec(e164.slice(3)) : null;
  return match ? [e164, `+${BRAZIL}${match[1]}${match[2]}`] : [e164];
}
