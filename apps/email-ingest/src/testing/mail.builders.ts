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
