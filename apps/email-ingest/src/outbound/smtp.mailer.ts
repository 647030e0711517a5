import type { OnApplicationShutdown } from '@nestjs/common';
import { createTransport, type Transporter } from 'nodemailer';
import type { MailboxSettings, SmtpSettings } from '../config/mailbox.settings';

export interface OutgoingMail {
  from: { name?: string; address: string };
  to: { name?: string; address: string };
  cc?: { name?: string; address: string }[];
  subject: string;
  text?: string;
  html?: string;
  /** Header form, with angle brackets. */
  messageId: string;
  inReplyTo?: string;
  references?: string[];
  attachments?: { filename?: string; contentType: string; content: Buffer }[];
}

export type SendFailureKind = 'retryable' | 'permanent' | 'uncertain';

export class SendFailure extends Error {
  override readonly name = 'SendFailure';

  constructor(
    readonly kind: SendFailureKind,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** Sends one mail through a mailbox's SMTP server; resolves with the server's answer or throws a SendFailure. */
export abstract class Mailer {
  abstract send(mailbox: MailboxSettings, mail: OutgoingMail): Promise<{ response: string }>;
}

interface SmtpError {
  code?: string;
  responseCode?: number;
  response?: string;
  command?: string;
  message?: string;
}

/** Errors raised before the server saw the message: trying again cannot send it twice. */
const NOT_SENT_CODES = new Set(['ECONNECTION', 'EDNS', 'EAUTH', 'ETLS', 'EENVELOPE']);

/** nodemailer's SMTP transport, one per mailbox, reused across sends. */
export class NodemailerMailer extends Mailer implements OnApplicationShutdown {
  private readonly transports = new Map<string, Transporter>();

  constructor(private readonly timeoutMs: number) {
    super();
  }

  async send(mailbox: MailboxSettings, mail: OutgoingMail): Promise<{ response: string }> {
    const smtp = mailbox.smtp;
    if (!smtp)
      throw new SendFailure('permanent', 'PONTE_SMTP_NOT_CONFIGURED', `mailbox ${mailbox.id} has no SMTP`);
    try {
      const info = (await this.transportFor(mailbox.id, smtp).sendMail({
        from: mail.from,
        to: mail.to,
        ...(mail.cc && mail.cc.length > 0 ? { cc: mail.cc } : {}),
        subject: mail.subject,
        ...(mail.text !== undefined ? { text: mail.text } : {}),
        ...(mail.html !== undefined ? { html: mail.html } : {}),
        messageId: mail.messageId,
        ...(mail.inReplyTo ? { inReplyTo: mail.inReplyTo } : {}),
        ...(mail.references && mail.references.length > 0 ? { references: mail.references } : {}),
        ...(mail.attachments ? { attachments: mail.attachments } : {}),
      })) as { response?: string };
      return { response: info.response ?? '' };
    } catch (error) {
      throw classify(error as SmtpError);
    }
  }

  onApplicationShutdown(): void {
    this.close();
  }

  close(): void {
    for (const transport of this.transports.values()) transport.close();
    this.transports.clear();
  }

  private transportFor(id: string, smtp: SmtpSettings): Transporter {
    let transport = this.transports.get(id);
    if (!transport) {
      transport = createTransport({
        host: smtp.host,
        port: smtp.port,
        secure: smtp.secure,
        ...(smtp.user ? { auth: { user: smtp.user, pass: smtp.password ?? '' } } : {}),
        connectionTimeout: this.timeoutMs,
        greetingTimeout: this.timeoutMs,
        socketTimeout: this.timeoutMs,
      });
      this.transports.set(id, transport);
    }
    return transport;
  }
}

/** 4xx and failures before DATA are retryable; 5xx is final; anything after DATA left may have been delivered. */
export function classify(error: SmtpError): SendFailure {
  const reason = (error.response ?? error.message ?? 'SMTP error').slice(0, 1_000);
  if (typeof error.responseCode === 'number') {
    const code = `SMTP_${error.responseCode}`;
    if (error.responseCode >= 400 && error.responseCode < 500)
      return new SendFailure('retryable', code, reason);
    if (error.responseCode >= 500) return new SendFailure('permanent', code, reason);
  }
  if (error.code && NOT_SENT_CODES.has(error.code)) {
    return new SendFailure(error.code === 'EENVELOPE' ? 'permanent' : 'retryable', error.code, reason);
  }
  if (error.command === 'CONN') return new SendFailure('retryable', error.code ?? 'ECONNECTION', reason);
  return new SendFailure('uncertain', 'PONTE_SEND_UNCERTAIN', reason);
}
