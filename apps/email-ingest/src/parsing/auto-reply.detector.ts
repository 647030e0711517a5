/** Why a mail was written by a machine: such mail is flagged and never answered automatically. */
import type { AutomatedKind } from '@ponte/contracts';

export type { AutomatedKind };

export interface AutomatedMailHeaders {
  /** Header name (lower-case) → raw values. */
  get(name: string): readonly string[];
  from?: string;
  contentType?: string;
}

const DAEMON_SENDER = /^(mailer-daemon|postmaster|mail-delivery-subsystem)@/i;
const BOUNCE_SUBJECT =
  /^(undeliver(ed|able)|delivery (status notification|failure|has failed)|returned mail|failure notice|mail delivery failed|não foi possível entregar|falha na entrega)/i;

/**
 * RFC 3834 `Auto-Submitted`, the de-facto `X-Autoreply` / `X-Autorespond` / `Precedence: auto_reply` headers of
 * vacation responders, and delivery status notifications (RFC 3464 `multipart/report; report-type=delivery-status`,
 * or a MAILER-DAEMON sender). Returns undefined for mail a person wrote.
 */
export function detectAutomatedMail(
  headers: AutomatedMailHeaders,
  subject?: string,
): AutomatedKind | undefined {
  const contentType = headers.contentType?.toLowerCase() ?? '';
  if (contentType.includes('multipart/report') && contentType.includes('delivery-status')) return 'bounce';
  if (headers.from && DAEMON_SENDER.test(headers.from.trim())) return 'bounce';
  if (subject && BOUNCE_SUBJECT.test(subject.trim()) && headers.get('auto-submitted').length > 0)
    return 'bounce';

  const autoSubmitted = headers.get('auto-submitted').map((value) => value.trim().toLowerCase());
  if (autoSubmitted.some((value) => value.startsWith('auto-replied'))) return 'auto-reply';
  if (headers.get('x-autoreply').length > 0 || headers.get('x-autorespond').length > 0) return 'auto-reply';
  const precedence = headers.get('precedence').map((value) => value.trim().toLowerCase());
  if (precedence.includes('auto_reply')) return 'auto-reply';
  if (autoSubmitted.some((value) => value !== '' && value !== 'no')) return 'auto-generated';
  if (precedence.some((value) => value === 'bulk' || value === 'junk' || value === 'list'))
    return 'auto-generated';
  return undefined;
}
