import { ImapFlow } from 'imapflow';

/*
 * The mail side of the e-mail tests besides the servers (Dovecot and SmtpTestServer come from @ponte/testing): an
 * IMAP client that appends mail as a mail server delivering it would, and a builder of plain RFC 5322 mails. Adapted
 * from apps/email-ingest/src/testing/{mail.builders,email-ingest.harness}.ts (the e2e project may not import an
 * app's files).
 */

/** One IMAP session of the mailbox owner, appending mail (Dovecot assigns the UIDs in append order). */
export class MailboxWriter {
  private constructor(private readonly client: ImapFlow) {}

  static async connect(options: {
    host: string;
    port: number;
    user: string;
    password: string;
  }): Promise<MailboxWriter> {
    const client = new ImapFlow({
      host: options.host,
      port: options.port,
      secure: false,
      auth: { user: options.user, pass: options.password },
      logger: false,
    });
    client.on('error', () => undefined);
    await client.connect();
    return new MailboxWriter(client);
  }

  async append(folder: string, raw: string): Promise<number> {
    const result = await this.client.append(folder, raw);
    if (!result || result.uid === undefined) throw new Error(`APPEND to ${folder} returned no UID`);
    return result.uid;
  }

  async close(): Promise<void> {
    await this.client.logout().catch(() => this.client.close());
  }
}

export interface TestMail {
  from: string;
  to: string;
  subject: string;
  /** Without angle brackets. */
  messageId: string;
  inReplyTo?: string;
  references?: string[];
  date: Date;
  body: string;
}

/** A plain-text RFC 5322 mail with CRLF line ends, as a mail client writes it. */
export function rfc5322(mail: TestMail): string {
  return [
    `From: ${mail.from}`,
    `To: ${mail.to}`,
    `Subject: ${mail.subject}`,
    `Date: ${mail.date.toUTCString().replace('GMT', '+0000')}`,
    `Message-ID: <${mail.messageId}>`,
    ...(mail.inReplyTo ? [`In-Reply-To: <${mail.inReplyTo}>`] : []),
    ...(mail.references ? [`References: ${mail.references.map((id) => `<${id}>`).join(' ')}`] : []),
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: 8bit',
    '',
    mail.body,
    '',
  ].join('\r\n');
}
