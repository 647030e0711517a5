import { InvalidAddressError } from '../invalid-address.error';

// Deliberately simple: one @, no spaces, a dotted domain. Full RFC 5322 parsing is the mail parser's job.
const EMAIL = /^([^\s@<>"]+)@([^\s@<>"]+\.[^\s@<>".]+)$/;

/**
 * Trims and lower-cases the domain (domains are case-insensitive; the local part, by the RFC, is not, so it is kept).
 * Accepts a bare address or `Name <address>`.
 */
export function normalizeEmail(raw: string): string {
  const angle = /<([^<>]+)>\s*$/.exec(raw);
  const address = (angle?.[1] ?? raw).trim();
  const match = EMAIL.exec(address);
  const [, local, domain] = match ?? [];
  if (!local || !domain) throw new InvalidAddressError('email', raw, 'not an e-mail address');
  return `${local}@${domain.toLowerCase()}`;
}
