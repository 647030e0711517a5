import { type ChannelAddress, ContractLimits } from '@ponte/contracts';
import { type AddressObject, type ParsedMail, simpleParser } from 'mailparser';
import { type HtmlSanitizer, htmlToPlainText, type SanitizedHtml } from '../html/html.sanitizer';
import { normalizeMessageId, parseMessageIdList, syntheticMessageId } from '../threading/message-id';
import { type AutomatedKind, detectAutomatedMail } from './auto-reply.detector';
import { splitQuotedHistory } from './quoted-history';

/** A mail that can never become a message: it is quarantined with this reason instead of blocking its mailbox. */
export class UnprocessableEmailError extends Error {
  override readonly name = 'UnprocessableEmailError';
}

export interface ParsedAttachment {
  fileName?: string;
  contentType: string;
  bytes: Buffer;
  /** Set for inline parts referenced from the HTML as `cid:…`. */
  contentId?: string;
}

/** A mail as Ponte reads it; every string in it is untrusted text, already stripped of control characters. */
export interface ParsedEmail {
  /** Normalized Message-ID, or a synthetic one from the content when the mail has none. */
  messageId: string;
  syntheticMessageId: boolean;
  inReplyTo?: string;
  references: string[];
  from: ChannelAddress;
  replyTo: ChannelAddress[];
  to: ChannelAddress[];
  cc: ChannelAddress[];
  subject?: string;
  sentAt?: string;
  /** The new text of the mail (quoted history removed where it could be told apart). */
  text?: string;
  quotedText?: string;
  /** Sanitized HTML; absent when the mail has none or it was over the sanitizer's budget. */
  html?: string;
  htmlOutcome?: SanitizedHtml;
  attachments: ParsedAttachment[];
  automated?: AutomatedKind;
}

const EMAIL_ADDRESS = /^[^\s@<>"]+@[^\s@<>"]+$/;
// Control characters (C0, DEL) and bidi overrides, which can disguise a file name or a subject.
// eslint-disable-next-line no-control-regex -- removing control characters is the point
const CONTROL_EXCEPT_NEWLINE_AND_TAB = /[\u0000-\u0008\u000b-\u001f\u007f\u202a-\u202e\u2066-\u2069]/g;
// eslint-disable-next-line no-control-regex -- removing control characters is the point
const CONTROL_RUNS = /[\u0000-\u001f\u007f\u202a-\u202e\u2066-\u2069]+/g;
const MEDIA_TYPE = /^[A-Za-z0-9!#$&^_.+-]+\/[A-Za-z0-9!#$&^_.+-]+$/;

/**
 * Parses a raw RFC 5322 mail with mailparser (MIME, RFC 2047 words and every charset iconv knows: ISO-8859-1 and
 * Windows-1252 included) and makes it safe: HTML sanitized within its budget, text and names stripped of control
 * characters, threading ids normalized.
 */
export class EmailParser {
  constructor(private readonly sanitizer: HtmlSanitizer) {}

  async parse(raw: Buffer): Promise<ParsedEmail> {
    let mail: ParsedMail;
    try {
      mail = await simpleParser(raw, {
        // Our own bounded conversion is used instead (see htmlToPlainText): a bomb must not reach a full parser.
        skipHtmlToText: true,
        skipTextToHtml: true,
        keepCidLinks: true,
        skipImageLinks: true,
      });
    } catch (error) {
      throw new UnprocessableEmailError(`unparseable MIME: ${(error as Error).message}`);
    }
    const from = addressesOf(mail.from)[0];
    if (!from) throw new UnprocessableEmailError('the mail has no sender address (From)');

    const subject =
      mail.subject === undefined ? undefined : cleanLine(mail.subject, ContractLimits.subjectLength);
    const rawHtml = typeof mail.html === 'string' && mail.html.trim() !== '' ? mail.html : undefined;
    const htmlOutcome = rawHtml === undefined ? undefined : this.sanitizer.sanitize(rawHtml);
    const html =
      htmlOutcome?.kind === 'html' && htmlOutcome.html.length <= ContractLimits.htmlLength
        ? cleanText(htmlOutcome.html)
        : undefined;
    const bodyText =
      mail.text !== undefined && mail.text.trim() !== ''
        ? mail.text
        : rawHtml !== undefined
          ? htmlToPlainText(html ?? rawHtml, ContractLimits.textLength)
          : undefined;
    const split = bodyText === undefined ? undefined : splitQuotedHistory(cleanText(bodyText));
    const text =
      split?.text === undefined ? undefined : truncate(split.text.trimEnd(), ContractLimits.textLength);

    const attachments = mail.attachments.map((attachment) => ({
      ...(attachment.filename ? { fileName: cleanFileName(attachment.filename) } : {}),
      contentType: MEDIA_TYPE.test(attachment.contentType)
        ? attachment.contentType.toLowerCase()
        : 'application/octet-stream',
      bytes: attachment.content,
      ...(attachment.contentId ? { contentId: attachment.contentId } : {}),
    }));
    const to = addressesOf(mail.to);
    const cc = addressesOf(mail.cc);
    const sentAt = mail.date && !Number.isNaN(mail.date.getTime()) ? mail.date.toISOString() : undefined;
    const ownId = normalizeMessageId(mail.messageId);
    const messageId =
      ownId ??
      syntheticMessageId({
        from: from.address,
        to: to.map((address) => address.address),
        cc: cc.map((address) => address.address),
        ...(sentAt ? { date: sentAt } : {}),
        ...(subject ? { subject } : {}),
        ...(mail.text ? { text: mail.text } : {}),
        ...(rawHtml ? { html: rawHtml } : {}),
        attachmentChecksums: mail.attachments.map((attachment) => attachment.checksum),
      });
    const inReplyTo = parseMessageIdList(mail.inReplyTo)[0];
    const references = parseMessageIdList(mail.references).slice(-ContractLimits.references);
    const automated = detectAutomatedMail(
      {
        get: (name) => headerValues(mail, name),
        from: from.address,
        ...(headerValues(mail, 'content-type')[0]
          ? { contentType: headerValues(mail, 'content-type')[0] }
          : {}),
      },
      subject,
    );
    return {
      messageId,
      syntheticMessageId: ownId === undefined,
      ...(inReplyTo ? { inReplyTo } : {}),
      references,
      from,
      replyTo: addressesOf(mail.replyTo),
      to,
      cc,
      ...(subject !== undefined ? { subject } : {}),
      ...(sentAt ? { sentAt } : {}),
      ...(text !== undefined && text !== '' ? { text } : {}),
      ...(split?.quoted ? { quotedText: split.quoted } : {}),
      ...(html !== undefined ? { html } : {}),
      ...(htmlOutcome ? { htmlOutcome } : {}),
      attachments,
      ...(automated ? { automated } : {}),
    };
  }
}

function addressesOf(header: AddressObject | AddressObject[] | undefined): ChannelAddress[] {
  if (!header) return [];
  const objects = Array.isArray(header) ? header : [header];
  const addresses: ChannelAddress[] = [];
  const visit = (entries: AddressObject['value']): void => {
    for (const entry of entries) {
      if (entry.group) visit(entry.group);
      const address = entry.address?.trim();
      if (!address || !EMAIL_ADDRESS.test(address) || address.length > ContractLimits.addressLength) continue;
      const name = entry.name ? cleanLine(entry.name, ContractLimits.displayNameLength) : '';
      addresses.push({ address, ...(name ? { displayName: name } : {}) });
    }
  };
  for (const object of objects) visit(object.value);
  return addresses.slice(0, ContractLimits.recipients);
}

/** Raw values of a header, unfolded, from the mail's own header lines (mailparser structures some of them). */
function headerValues(mail: ParsedMail, name: string): string[] {
  return mail.headerLines
    .filter((line) => line.key === name)
    .map((line) =>
      line.line
        .slice(line.line.indexOf(':') + 1)
        .replace(/\r?\n[ \t]+/g, ' ')
        .trim(),
    );
}

/** Text may keep newlines and tabs; NUL and other control characters go (FerretDB refuses NUL, terminals obey ESC). */
function cleanText(value: string): string {
  return value.replace(/\r\n?/g, '\n').replace(CONTROL_EXCEPT_NEWLINE_AND_TAB, '');
}

/** A single line: every control or bidi-override character becomes a space. */
function cleanLine(value: string, maxLength: number): string {
  return truncate(value.replace(CONTROL_RUNS, ' ').replace(/\s+/g, ' ').trim(), maxLength);
}

/** A file name is shown and saved by agents: no path, no control characters, no leading dots. */
function cleanFileName(value: string): string {
  const base = value.split(/[\\/]/).pop() ?? '';
  const name = cleanLine(base, 255).replace(/^\.+/, '');
  return name === '' ? 'attachment' : name;
}

function truncate(value: string, maxLength: number): string {
  return value.length <= maxLength ? value : value.slice(0, maxLength);
}
