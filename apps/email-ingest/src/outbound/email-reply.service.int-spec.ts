import { randomUUID } from 'node:crypto';
import { waitFor } from '@ponte/testing';
import { CUSTOMER, EmailIngestHarness, type TestMailbox } from '../testing/email-ingest.harness';
import { EmailReplyService } from './email-reply.service';

describe(EmailReplyService.name, () => {
  let sut: EmailIngestHarness;
  const mailbox: TestMailbox = { id: 'support', folder: 'Replies', address: 'support@acme.test' };

  beforeAll(async () => {
    sut = await EmailIngestHarness.start();
    await sut.createFolder(mailbox.folder);
    await sut.startService([mailbox]);
  });

  afterAll(async () => {
    await sut?.stop();
  });

  /** One conversation is one partition, consumed in order: once a later reply has its status, earlier ones are done. */
  async function drainOutbound(conversationId: string): Promise<void> {
    const sentinel = await sut.outbound({ conversationId, to: { address: 'sentinel@customer.example' } });
    await sut.status(sentinel.messageId);
  }

  it('should send the reply in the customer thread with a Message-ID recorded before sending, once when replayed', async () => {
    const root = `root-${randomUUID()}@customer.example`;
    const { messageId: customerMail } = await sut.append(mailbox.folder, {
      subject: 'Fatura de março',
      messageId: `answer-${randomUUID()}@customer.example`,
      inReplyTo: root,
      references: [root],
    });
    await sut.inboundMessage(customerMail!);
    const conversationId = `conversation-${randomUUID()}`;

    // What the router sends: the customer's Message-ID as stored, no subject.
    const reply = await sut.outbound({
      conversationId,
      content: { text: 'Corrigimos a fatura.', html: '<p>Corrigimos a fatura.</p>' },
      emailHeaders: { inReplyTo: customerMail!, references: [customerMail!] },
    });
    const status = await sut.status(reply.messageId, 'sent');
    await sut.republish(reply);
    await drainOutbound(conversationId);

    const received = sut.smtp.mailsTo(CUSTOMER).filter((mail) => mail.parsed.text?.includes('Corrigimos'));
    expect(received).toHaveLength(1);
    const { parsed, envelope } = received[0]!;
    expect(envelope.from).toBe('support@acme.test');
    expect(parsed.from?.value[0]).toMatchObject({ address: 'support@acme.test', name: 'Suporte ACME' });
    expect(parsed.subject).toBe('Re: Fatura de março');
    expect(parsed.inReplyTo).toBe(`<${customerMail}>`);
    expect(parsed.references).toEqual([`<${root}>`, `<${customerMail}>`]);
    expect(parsed.html).toContain('<p>Corrigimos a fatura.</p>');
    const ledger = await sut.db
      .collection('email_outbound_ledger')
      .findOne({ _id: reply.messageId as never });
    expect(ledger).toMatchObject({ state: 'sent', attempts: 1 });
    expect(parsed.messageId).toBe(`<${ledger!['emailMessageId']}>`);
    expect(status.externalId).toBe(ledger!['emailMessageId']);
    const statesOfReply = () =>
      sut.statuses
        .filter((envelope) => envelope.data.messageId === reply.messageId)
        .map((envelope) => envelope.data.state);
    // The replayed status is keyed by this reply, the sentinel of drain() by its own: another partition.
    await waitFor(() => statesOfReply().length >= 2, { description: 'the replayed status' });
    expect(statesOfReply()).toEqual(['sent', 'sent']);
  });

  it('should not ingest the copy of our own reply when it comes back through IMAP', async () => {
    const reply = await sut.outbound({
      to: { address: 'maria@customer.example' },
      content: { text: 'Cópia' },
    });
    const status = await sut.status(reply.messageId, 'sent');
    const copy = sut.smtp.mailsTo('maria@customer.example')[0]!;

    await sut.append(mailbox.folder, copy.raw);
    await sut.drain(mailbox.folder, 'Suporte ACME <support@acme.test>');

    expect(sut.inboundOf(status.externalId!)).toHaveLength(0);
  });

  it('should report failed with the SMTP reason, without retrying, when the server answers 550', async () => {
    sut.smtp.refuseNext({ responseCode: 550, message: 'Requested action not taken: mailbox unavailable' });

    const reply = await sut.outbound({ to: { address: 'nobody@customer.example' } });

    expect(await sut.status(reply.messageId, 'failed')).toMatchObject({
      error: { code: 'SMTP_550', message: expect.stringContaining('mailbox unavailable'), retryable: false },
    });
    expect(sut.smtp.mailsTo('nobody@customer.example')).toHaveLength(0);
  });

  it('should retry and send once when the server answers 451 first', async () => {
    sut.smtp.refuseNext({ responseCode: 451, message: 'Try again later' });

    const reply = await sut.outbound({ to: { address: 'later@customer.example' } });

    await sut.status(reply.messageId, 'sent');
    await drainOutbound(reply.conversationId);
    expect(sut.smtp.mailsTo('later@customer.example')).toHaveLength(1);
    const ledger = await sut.db
      .collection('email_outbound_ledger')
      .findOne({ _id: reply.messageId as never });
    expect(ledger).toMatchObject({ state: 'sent', attempts: 2 });
  });
});
