import { DovecotServer, SmtpTestServer } from '@ponte/testing';
import { randomUUID } from 'node:crypto';
import { MailboxWriter, rfc5322, type TestMail } from './support/mail';
import { RouterE2e, type StoredMessage } from './support/router.e2e';
import { ServiceGroup, TENANT } from './support/service-group';

const MAILBOX = 'support@acme.test';
const IMAP_USER = 'support';
const IMAP_PASSWORD = 'secret-support';
const CUSTOMER = 'joao@customer.example';
const FROM_CUSTOMER = `Joao Araujo <${CUSTOMER}>`;
const TO_SUPPORT = `Suporte ACME <${MAILBOX}>`;

/** A Message-ID of the customer's mail client (lower case: the router stores them normalized). */
function customerMessageId(name: string): string {
  return `${name}-${randomUUID()}@customer.example`;
}

/*
 * Issue 6, "What it must show", the parts that need the router: the real email-ingest service reading a real
 * Dovecot over IMAP and sending through a real SMTP server, and the real router threading what it publishes. Both
 * services run as processes; Dovecot and the SMTP server are started here.
 */
describe('E-mail → router (email-ingest and router services as processes, real Dovecot and SMTP)', () => {
  const group = new ServiceGroup('email');
  let dovecot: DovecotServer | undefined;
  let smtp: SmtpTestServer | undefined;
  let mailbox: MailboxWriter | undefined;
  let router: RouterE2e | undefined;

  /** The thread: three mails of the customer, then the customer's reply quoting an answer of the agent. */
  const threadStart = new Date(Date.now() - 3 * 60 * 60_000);
  const at = (minutes: number): Date => new Date(threadStart.getTime() + minutes * 60_000);
  const ids = {
    first: customerMessageId('first'),
    second: customerMessageId('second'),
    third: customerMessageId('third'),
    /** Sent by an agent from a mail client, outside Ponte: the router never saw it. */
    agentAnswer: `answer-${randomUUID()}@acme.test`,
    quotingReply: customerMessageId('quoting'),
  };
  const mails: Record<'first' | 'second' | 'third' | 'quotingReply', TestMail> = {
    first: {
      from: FROM_CUSTOMER,
      to: TO_SUPPORT,
      subject: 'Fatura de março',
      messageId: ids.first,
      date: at(0),
      body: 'Olá, a fatura de março veio com o valor errado.',
    },
    second: {
      from: FROM_CUSTOMER,
      to: TO_SUPPORT,
      subject: 'Re: Fatura de março',
      messageId: ids.second,
      inReplyTo: ids.first,
      references: [ids.first],
      date: at(10),
      body: 'Esqueci de dizer: cobraram R$ 310,00.',
    },
    third: {
      from: FROM_CUSTOMER,
      to: TO_SUPPORT,
      subject: 'Re: Fatura de março',
      messageId: ids.third,
      inReplyTo: ids.second,
      references: [ids.first, ids.second],
      date: at(20),
      body: 'O número do contrato é 4471.',
    },
    quotingReply: {
      from: FROM_CUSTOMER,
      to: TO_SUPPORT,
      subject: 'Re: Fatura de março',
      messageId: ids.quotingReply,
      inReplyTo: ids.agentAnswer,
      references: [ids.first, ids.second, ids.third, ids.agentAnswer],
      date: at(120),
      body: [
        'Obrigado, mas o valor ainda está errado.',
        '',
        `Em ${at(60).toUTCString()}, Suporte ACME <${MAILBOX}> escreveu:`,
        '> Olá João, já pedimos a correção da fatura.',
        '>',
        '> Suporte ACME',
      ].join('\r\n'),
    },
  };
  const stored: Partial<Record<keyof typeof mails, StoredMessage>> = {};

  beforeAll(async () => {
    dovecot = await DovecotServer.start({ users: [{ user: IMAP_USER, password: IMAP_PASSWORD }] });
    smtp = await SmtpTestServer.start();
    mailbox = await MailboxWriter.connect({
      host: dovecot.host,
      port: dovecot.port,
      user: IMAP_USER,
      password: IMAP_PASSWORD,
    });
    router = await RouterE2e.start(group, { email: MAILBOX });
    await group.start('email-ingest', {
      MONGO_URL: group.databaseUrl('email'),
      EMAIL_TENANT_ID: TENANT,
      EMAIL_POLL_INTERVAL_MS: '1000',
      EMAIL_RECONNECT_INITIAL_BACKOFF_MS: '100',
      EMAIL_RECONNECT_MAX_BACKOFF_MS: '1000',
      EMAIL_SEND_INITIAL_BACKOFF_MS: '50',
      EMAIL_MAILBOXES: JSON.stringify([
        {
          id: 'support',
          address: MAILBOX,
          displayName: 'Suporte ACME',
          imap: {
            host: dovecot.host,
            port: dovecot.port,
            secure: false,
            user: IMAP_USER,
            password: IMAP_PASSWORD,
            folder: 'INBOX',
          },
          smtp: { host: '127.0.0.1', port: smtp.port, secure: false },
        },
      ]),
    });

    // Out of order: the third mail of the thread arrives first, then the first, then the second.
    for (const name of ['third', 'first', 'second'] as const) {
      await mailbox.append('INBOX', rfc5322(mails[name]));
      stored[name] = await router.incoming('email', mails[name].messageId);
    }
    await mailbox.append('INBOX', rfc5322(mails.quotingReply));
    stored.quotingReply = await router.incoming('email', mails.quotingReply.messageId);
  }, 90_000);

  afterAll(async () => {
    await group.stop();
    await router?.stop();
    await mailbox?.close();
    await smtp?.stop();
    await dovecot?.stop();
  });

  it("should put three mails of one thread appended out of order, and the customer's reply quoting the agent, in one conversation", async () => {
    const { first, second, third, quotingReply } = stored as Required<typeof stored>;
    const conversations = await router!.conversations({ customerId: first.customerId });

    expect(conversations).toEqual([expect.objectContaining({ _id: first.conversationId, status: 'open' })]);
    expect([second, third, quotingReply].map((message) => message.conversationId)).toEqual([
      first.conversationId,
      first.conversationId,
      first.conversationId,
    ]);
    // Joined through its References (the root is stored), not only because the customer had the conversation open.
    expect(quotingReply.threadReason).toBe('replies to a message of this open conversation');
    expect(quotingReply.content.text).toContain('Obrigado, mas o valor ainda está errado.');
    expect(quotingReply.content.text).not.toContain('já pedimos a correção');
    // Each mail's Date header reached the router (as sentAt, to the second).
    expect([first, second, third, quotingReply].map((message) => message.sentAt)).toEqual(
      [mails.first, mails.second, mails.third, mails.quotingReply].map(
        ({ date }) => new Date(Math.floor(date.getTime() / 1000) * 1000),
      ),
    );
  });

  // The timeline is listed by createdAt, which for an inbound e-mail is its Date header (within a week before
  // receipt), not the moment email-ingest fetched it.
  it("should list the thread in the order of the mails' Date headers", async () => {
    const timeline = await router!.timeline(stored.first!.conversationId);

    expect(timeline.map((message) => message.externalId)).toEqual([
      ids.first,
      ids.second,
      ids.third,
      ids.quotingReply,
    ]);
  });

  it('should thread the agent reply with In-Reply-To/References and put the customer answer to it in the same conversation', async () => {
    const { conversationId } = stored.first!;
    const text = 'Olá João, corrigimos a fatura: o valor certo é R$ 290,00.';

    await router!.reply(conversationId, text);
    const sent = await group.waitFor(
      () => smtp!.mailsTo(CUSTOMER).find((mail) => mail.parsed.text?.includes('corrigimos a fatura')),
      { description: 'the agent reply at the SMTP server' },
    );
    expect(sent.envelope.from).toBe(MAILBOX);
    expect(sent.parsed.subject).toBe('Re: Fatura de março');
    expect(sent.parsed.inReplyTo).toBe(`<${ids.quotingReply}>`);
    const references = [sent.parsed.references ?? []].flat();
    expect(references).toEqual(expect.arrayContaining([`<${ids.first}>`, `<${ids.third}>`]));
    expect(references.at(-1)).toBe(`<${ids.quotingReply}>`);
    const ourMessageId = sent.parsed.messageId?.replace(/^<|>$/g, '') ?? '';
    expect(ourMessageId).not.toBe('');
    // The e-mail service reports the Message-ID it sent with; the router keeps it for threading answers.
    const reply = await group.waitFor(
      async () =>
        (
          await router!.messages({
            conversationId,
            direction: 'outgoing',
            emailMessageId: ourMessageId.toLowerCase(),
          })
        )[0],
      { description: "the reply's Message-ID recorded by the router" },
    );
    expect(reply.content.text).toBe(text);

    // The customer answers it; their client kept only our Message-ID (In-Reply-To and a trimmed References).
    const answer: TestMail = {
      from: FROM_CUSTOMER,
      to: TO_SUPPORT,
      subject: 'Re: Fatura de março',
      messageId: customerMessageId('answer'),
      inReplyTo: ourMessageId,
      references: [ourMessageId],
      date: new Date(),
      body: 'Perfeito, obrigado!',
    };
    await mailbox!.append('INBOX', rfc5322(answer));
    const joined = await router!.incoming('email', answer.messageId);

    expect(joined.conversationId).toBe(conversationId);
    expect(joined.threadReason).toBe('replies to a message of this open conversation');
  });
});
