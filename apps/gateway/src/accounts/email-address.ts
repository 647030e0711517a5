/** The longest address SMTP can carry (RFC 5321 path limit less the angle brackets). */
export const EMAIL_MAX_LENGTH = 254;

/**
 * The form a login e-mail is stored and looked up in: trimmed, Unicode-normalized and lower-cased, so `Ana@Example.com `
 * and `ana@example.com` are one login. (Mailbox names are case-sensitive in theory; no provider agents use treats
 * them so, and two accounts differing only in case would be a trap.)
 */
export function normalizeEmail(email: string): string {
  return email.trim().normalize('NFC').toLowerCase();
}
