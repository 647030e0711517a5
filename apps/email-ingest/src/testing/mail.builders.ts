import { randomUUID } from 'node:crypto';

export interface TestMailOptions {
  from?: string;
  to?: string;
  subject?: string;
  /** Without angle brackets; `null` for a mail without Message-ID. */
  messageId?: string | null;
  inReplyTo?: string;
  references?: string[];
  date?: string;
  body?: string;
  headers?: Record<string, string>;
}

/** A plain-text RFC 5322 mail, CRLF line ends, as a mail client would write it. */
export function buildMail(options: TestMailOptions = {}): { raw: string; messageId: string | null } {
  const messageId = options.messageId === undefined ? `${randomUUID()}@customer.example` : options.messageId;
  const lines = [
    `From: ${options.from ?? 'Joao Araujo <joao@customer.example>'}`,
    `To: ${options.to ?? 'Suporte <support@acme.test>'}`,
    `Subject: ${options.subject ?? 'Minha fatura'}`,
    `Date: ${options.date ?? 'Fri, 14 Mar 2025 12:00:00 -0300'}`,
    ...(messageId ? [`Message-ID: <${messageId}>`] : []),
    ...(options.inReplyTo ? [`In-Reply-To: <${options.inReplyTo}>`] : []),
    ...(options.references ? [`References: ${options.references.map((id) => `<${id}>`).join(' ')}`] : []),
    ...Object.entries(options.headers ?? {}).map(([name, value]) => `${name}: ${value}`),
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: 8bit',
    '',
    options.body ?? `Olá, a fatura ${randomUUID()} veio errada.`,
    '',
  ];
  return { raw: lines.join('\r\n'), messageId };
}

export type MailCharset = 'utf-8' | 'iso-8859-1' | 'windows-1252';

export interface TestAttachment {
  fileName: string;
  contentType: string;
  bytes: Buffer;
  /** Set for an inline part the HTML shows as `cid:<contentId>`. */
  contentId?: string;
}

export interface MimeMailOptions extends Omit<TestMailOptions, 'body'> {
  text?: string;
  html?: string;
  /** Charset of the text parts, the subject and the display names; every text part is quoted-printable. */
  charset?: MailCharset;
  attachments?: readonly TestAttachment[];
}

/**
 * A MIME mail as mail clients write them: text and/or HTML (multipart/alternative), inline images
 * (multipart/related), attachments (multipart/mixed, base64), quoted-printable bodies and RFC 2047 headers in the
 * given charset. `from`/`to` take a display name in any language: `Name <address>`.
 */
export function buildMimeMail(options: MimeMailOptions = {}): { raw: Buffer; messageId: string | null } {
  const charset = options.charset ?? 'utf-8';
  const messageId = options.messageId === undefined ? `${randomUUID()}@customer.example` : options.messageId;
  const headers = [
    `From: ${encodeAddress(options.from ?? 'João Araújo <joao@customer.example>', charset)}`,
    `To: ${encodeAddress(options.to ?? 'Suporte <support@acme.test>', charset)}`,
    `Subject: ${encodeWords(options.subject ?? 'Minha fatura', charset)}`,
    `Date: ${options.date ?? 'Fri, 14 Mar 2025 12:00:00 -0300'}`,
    ...(messageId ? [`Message-ID: <${messageId}>`] : []),
    ...(options.inReplyTo ? [`In-Reply-To: <${options.inReplyTo}>`] : []),
    ...(options.references ? [`References: ${options.references.map((id) => `<${id}>`).join('\r\n ')}`] : []),
    ...Object.entries(options.headers ?? {}).map(([name, value]) => `${name}: ${value}`),
    'MIME-Version: 1.0',
  ];
  const textParts = [
    ...(options.text !== undefined ? [textPart('text/plain', options.text, charset)] : []),
    ...(options.html !== undefined ? [textPart('text/html', options.html, charset)] : []),
  ];
  let body: MimePart =
    textParts.length > 1
      ? multipart('alternative', textParts)
      : (textParts[0] ?? textPart('text/plain', '', charset));
  const attachments = options.attachments ?? [];
  const inline = attachments.filter((attachment) => attachment.contentId);
  const attached = attachments.filter((attachment) => !attachment.contentId);
  if (inline.length > 0) body = multipart('related', [body, ...inline.map(attachmentPart)]);
  if (attached.length > 0) body = multipart('mixed', [body, ...attached.map(attachmentPart)]);
  const raw = [...headers, ...body.headers, '', body.body, ''].join('\r\n');
  return { raw: Buffer.from(raw, 'ascii'), messageId };
}

interface MimePart {
  headers: string[];
  body: string;
}

function textPart(type: string, text: string, charset: MailCharset): MimePart {
  return {
    headers: [`Content-Type: ${type}; charset=${charset}`, 'Content-Transfer-Encoding: quoted-printable'],
    body: quotedPrintable(encodeCharset(text.replace(/\r?\n/g, '\r\n'), charset)),
  };
}

function attachmentPart(attachment: TestAttachment): MimePart {
  const base64 = attachment.bytes.toString('base64').replace(/.{76}/g, '$&\r\n');
  return {
    headers: [
      `Content-Type: ${attachment.contentType}; name="${attachment.fileName}"`,
      `Content-Disposition: ${attachment.contentId ? 'inline' : 'attachment'}; filename="${attachment.fileName}"`,
      ...(attachment.contentId ? [`Content-ID: <${attachment.contentId}>`] : []),
      'Content-Transfer-Encoding: base64',
    ],
    body: base64.replace(/\r\n$/, ''),
  };
}

function multipart(subtype: string, parts: readonly MimePart[]): MimePart {
  const boundary = `----=_Part_${randomUUID()}`;
  return {
    headers: [`Content-Type: multipart/${subtype}; boundary="${boundary}"`],
    body: [
      'This is a multi-part message in MIME format.',
      ...parts.map((part) => [`--${boundary}`, ...part.headers, '', part.body].join('\r\n')),
      `--${boundary}--`,
    ].join('\r\n'),
  };
}

/** Windows-1252's bytes 0x80–0x9F (€, curly quotes, dashes…), where ISO-8859-1 has C1 controls. */
const WINDOWS_1252 = new Map(
  [...'€\u0081‚ƒ„…†‡ˆ‰Š‹Œ\u008dŽ\u008f\u0090‘’“”•–—˜™š›œ\u009džŸ'].map((character, n) => [
    character,
    0x80 + n,
  ]),
);

function encodeCharset(text: string, charset: MailCharset): Buffer {
  if (charset === 'utf-8') return Buffer.from(text, 'utf8');
  const bytes: number[] = [];
  for (const character of text) {
    const code = character.codePointAt(0) ?? 0;
    const mapped = charset === 'windows-1252' ? WINDOWS_1252.get(character) : undefined;
    if (mapped !== undefined) bytes.push(mapped);
    else if (code <= 0xff && !(charset === 'windows-1252' && code >= 0x80 && code <= 0x9f)) bytes.push(code);
    else throw new Error(`${JSON.stringify(character)} cannot be written in ${charset}`);
  }
  return Buffer.from(bytes);
}

/** RFC 2045 §6.7: lines of at most 76 characters, trailing blanks and non-ASCII bytes encoded, CRLF kept. */
function quotedPrintable(bytes: Buffer): string {
  return bytes
    .toString('latin1')
    .split('\r\n')
    .map((line) => {
      let encoded = '';
      let current = '';
      for (let index = 0; index < line.length; index++) {
        const code = line.charCodeAt(index);
        const blank = code === 0x20 || code === 0x09;
        const literal = (code >= 33 && code <= 126 && code !== 61) || (blank && index < line.length - 1);
        const token = literal ? line.charAt(index) : `=${hex(code)}`;
        if (current.length + token.length > 75) {
          encoded += `${current}=\r\n`;
          current = '';
        }
        current += token;
      }
      return encoded + current;
    })
    .join('\r\n');
}

/** RFC 2047 encoded words for a header with non-ASCII text: Q in an 8-bit charset, B in UTF-8, folded. */
function encodeWords(text: string, charset: MailCharset): string {
  if (/^[\x20-\x7e]*$/.test(text)) return text;
  const words: string[] = [];
  if (charset === 'utf-8') {
    let chunk = '';
    for (const character of text) {
      if (Buffer.byteLength(chunk + character) > 36) {
        words.push(chunk);
        chunk = '';
      }
      chunk += character;
    }
    words.push(chunk);
    return words.map((word) => `=?UTF-8?B?${Buffer.from(word).toString('base64')}?=`).join('\r\n ');
  }
  const prefix = `=?${charset.toUpperCase()}?Q?`;
  let current = '';
  for (const byte of encodeCharset(text, charset)) {
    const token =
      byte === 0x20
        ? '_'
        : /[A-Za-z0-9!*+\-/]/.test(String.fromCharCode(byte))
          ? String.fromCharCode(byte)
          : `=${hex(byte)}`;
    if (prefix.length + current.length + token.length + 2 > 75) {
      words.push(current);
      current = '';
    }
    current += token;
  }
  words.push(current);
  return words.map((word) => `${prefix}${word}?=`).join('\r\n ');
}

/** `Name <address>` with the name encoded when it is not plain ASCII (quoted when it is). */
function encodeAddress(value: string, charset: MailCharset): string {
  const match = /^(.*\S)\s*<([^>]+)>$/.exec(value);
  if (!match) return value;
  const [, name = '', address = ''] = match;
  const displayName = /^[\x20-\x7e]*$/.test(name)
    ? `"${name.replace(/["\\]/g, '\\$&')}"`
    : encodeWords(name, charset);
  return `${displayName} <${address}>`;
}

function hex(code: number): string {
  return code.toString(16).toUpperCase().padStart(2, '0');
}
