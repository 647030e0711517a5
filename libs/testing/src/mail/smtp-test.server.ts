import type { ParsedMail } from 'mailparser';
import type { AddressInfo } from 'node:net';
import type { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  envelope: { from: string; to: string[] };
  raw: Buffer;
  parsed: ParsedMail;
}

/** A refusal the next DATA gets (e.g. 550 "mailbox unavailable"). */
export interface ScriptedSmtpRefusal {
  responseCode: number;
  message: string;
}

/**
 * A real SMTP server (the smtp-server package) in the test process on 127.0.0.1 and a free port, without TLS or AUTH,
 * recording every mail it accepts (parsed with mailparser); `refuseNext` scripts refusals of the next mails.
 */
export class SmtpTestServer {
  private constructor(
    readonly received: ReceivedMail[],
    private readonly refusals: ScriptedSmtpRefusal[],
    private readonly server: SMTPServer,
    readonly port: number,
  ) {}

  static async start(): Promise<SmtpTestServer> {
    const received: ReceivedMail[] = [];
    const refusals: ScriptedSmtpRefusal[] = [];
    // Loaded on first use: every test file that imports @ponte/testing would otherwise load them.
    const [smtp, { simpleParser }] = await Promise.all([import('smtp-server'), import('mailparser')]);
    const server = new smtp.SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      onData(stream, session, callback) {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => {
          const refusal = refusals.shift();
          if (refusal) {
            callback(Object.assign(new Error(refusal.message), { responseCode: refusal.responseCode }));
            return;
          }
          const raw = Buffer.concat(chunks);
          simpleParser(raw).then(
            (parsed) => {
              const from = session.envelope.mailFrom;
              received.push({
                envelope: {
                  from: from ? from.address : '',
                  to: session.envelope.rcptTo.map((recipient) => recipient.address),
                },
                raw,
                parsed,
              });
              callback();
            },
            (error: Error) => callback(error),
          );
        });
      },
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    const address = server.server.address() as AddressInfo;
    return new SmtpTestServer(received, refusals, server, address.port);
  }

  refuseNext(...refusals: ScriptedSmtpRefusal[]): void {
    this.refusals.push(...refusals);
  }

  mailsTo(address: string): ReceivedMail[] {
    return this.received.filter((mail) => mail.envelope.to.includes(address));
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
