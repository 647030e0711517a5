import { waitFor } from '@ponte/testing';
import { EmailIngestHarness } from '../testing/email-ingest.harness';
import { MailboxIngestor } from './mailbox.ingestor';

describe(MailboxIngestor.name, () => {
  let sut: EmailIngestHarness;

  beforeAll(async () => {
    sut = await EmailIngestHarness.start();
  });

  afterAll(async () => {
    await sut?.stop();
  });

  afterEach(async () => {
    await sut.stopService();
  });

  function copies(messageId: string | null): number {
    return sut.inboundOf(messageId as string).length;
  }

  it('should publish every mail appended while the service was stopped, once each, when it starts', async () => {
    const mailbox = await sut.newMailbox();
    const appended = [];
    for (let n = 0; n < 30; n++) appended.push(await sut.append(mailbox.folder, { subject: `Pedido ${n}` }));

    await sut.startService([mailbox]);
    await sut.drain(mailbox.folder);

    expect(appended.map(({ messageId }) => copies(messageId))).toEqual(appended.map(() => 1));
    const checkpoint = await sut.db
      .collection('email_mailbox_checkpoints')
      .findOne({ _id: `${mailbox.id}/${mailbox.folder}` as never });
    // Past the 30 mails and the drain's first sentinel (its second may still be in its window).
    expect(checkpoint?.['lastUid']).toBeGreaterThanOrEqual(31);
    const first = await sut.inboundMessage(appended[0]!.messageId!);
    expect(first).toMatchObject({
      channel: 'email',
      channelAccountId: 'support@acme.test',
      externalId: appended[0]!.messageId,
      from: { address: 'joao@customer.example', displayName: 'Joao Araujo' },
      to: [{ address: 'support@acme.test', displayName: 'Suporte' }],
      content: { subject: 'Pedido 0' },
      threading: { messageId: appended[0]!.messageId },
    });
    expect(first.rawPayloadRef).toMatch(/^email\//);
  });

  it('should not publish a mail again when the service restarts, and pick up what arrived in between', async () => {
    const mailbox = await sut.newMailbox();
    const before = [await sut.append(mailbox.folder), await sut.append(mailbox.folder)];
    await sut.startService([mailbox]);
    await sut.drain(mailbox.folder);

    await sut.stopService();
    const during = await sut.append(mailbox.folder);
    await sut.startService([mailbox]);
    const after = await sut.append(mailbox.folder);
    await sut.drain(mailbox.folder);

    expect([...before, during, after].map(({ messageId }) => copies(messageId))).toEqual([1, 1, 1, 1]);
  });

  it('should publish new mail announced while the service idles, without a restart', async () => {
    const mailbox = await sut.newMailbox();
    await sut.startService([mailbox], { env: { EMAIL_POLL_INTERVAL_MS: '600000' } });
    const [ingestor] = sut.supervisor.ingestors;
    await waitFor(() => ingestor!.completedSyncs >= 1 && ingestor!.state === 'waiting', {
      description: 'the first sync',
    });

    const { messageId } = await sut.append(mailbox.folder);

    // The poll is ten minutes away: only IDLE's EXISTS can wake the ingestor in time.
    await sut.inboundMessage(messageId!, 20_000);
  });

  it('should resync by Message-ID without duplicates when UIDVALIDITY changes', async () => {
    const mailbox = await sut.newMailbox();
    const mails = [{ subject: 'um' }, { subject: 'dois' }, { subject: 'três' }].map((mail, n) => ({
      ...mail,
      messageId: `uidvalidity-${n}-${mailbox.id}@customer.example`,
    }));
    for (const mail of mails) await sut.append(mailbox.folder, mail);
    await sut.startService([mailbox]);
    await sut.drain(mailbox.folder);
    await sut.stopService();
    const key = `${mailbox.id}/${mailbox.folder}`;
    const before = await sut.db.collection('email_mailbox_checkpoints').findOne({ _id: key as never });

    // The server loses its index (a migration, a restore): same mail, new UIDVALIDITY, UIDs from 1 again.
    const client = await sut.imap();
    await client.mailboxDelete(mailbox.folder);
    await client.mailboxCreate(mailbox.folder);
    for (const mail of mails) await sut.append(mailbox.folder, mail);
    const fresh = await sut.append(mailbox.folder, { subject: 'quatro' });
    await sut.startService([mailbox]);
    await sut.drain(mailbox.folder);

    expect(mails.map((mail) => copies(mail.messageId))).toEqual([1, 1, 1]);
    expect(copies(fresh.messageId)).toBe(1);
    const after = await sut.db
      .collection('email_mailbox_checkpoint'.concat('s'))
      .findOne({ _id: key as never });
    expect(after?.['uidValidity']).not.toBe(before?.['uidValidity']);
    expect(after?.['lastUid']).toBeGreaterThanOrEqual(5);
  });

  it('should skip no mail when another client expunges mail while the ingestor fetches', async () => {
    const mailbox = await sut.newMailbox();
    const appended = [];
    for (let n = 0; n < 10; n++) appended.push(await sut.append(mailbox.folder, { subject: `Chamado ${n}` }));
    const other = await sut.imap();
    await other.mailboxOpen(mailbox.folder);
    const fifth = appended[4]!;

    await sut.startService([mailbox], {
      hooks: {
        // Like a client that files every mail away as soon as it is read, and deletes the fifth before it is read.
        afterPublish: async (origin) => {
          if (origin.mailboxKey !== `${mailbox.id}/${mailbox.folder}`) return;
          await other.messageDelete(String(origin.uid), { uid: true });
          if (origin.uid === 3) await other.messageDelete(String(fifth.uid), { uid: true });
        },
      },
    });
    await sut.drain(mailbox.folder);

    const published = appended.filter(({ messageId }) => copies(messageId) === 1).map(({ uid }) => uid);
    expect(published).toEqual(appended.map(({ uid }) => uid).filter((uid) => uid !== fifth.uid));
    expect(appended.every(({ messageId }) => copies(messageId) <= 1)).toBe(true);
  });

  it('should publish one message when the same mail is delivered twice and to two monitored mailboxes', async () => {
    const first = await sut.newMailbox();
    const second = await sut.newMailbox();
    const mail = { messageId: `twice-${first.id}@customer.example`, subject: 'Duplicado' };
    await sut.append(first.folder, mail);
    await sut.append(first.folder, mail);
    await sut.append(second.folder, mail);

    await sut.startService([first, second]);
    await sut.drain(first.folder);
    await sut.drain(second.folder);

    expect(copies(mail.messageId)).toBe(1);
  });

  it('should ingest a mail without Message-ID once, under a stable synthetic id, when it is delivered twice', async () => {
    const mailbox = await sut.newMailbox();
    const mail = { messageId: null, subject: 'Sem Message-ID', body: 'Texto sem identificador' };
    await sut.append(mailbox.folder, mail);
    await sut.append(mailbox.folder, mail);

    await sut.startService([mailbox]);
    await sut.drain(mailbox.folder);

    const published = sut.inbound.filter((envelope) => envelope.data.content.subject === 'Sem Message-ID');
    expect(published).toHaveLength(1);
    expect(published[0]!.data.externalId).toMatch(/^[0-9a-f]{40}@synthetic\.ponte\.invalid$/);
  });

  it('should publish an out-of-office reply flagged as automatic, with its Reply-To and the quoted history apart', async () => {
    const mailbox = await sut.newMailbox();
    const mail = await sut.append(mailbox.folder, {
      subject: 'Resposta automática: Minha fatura',
      headers: { 'Auto-Submitted': 'auto-replied', 'Reply-To': 'Equipe Joao <equipe@customer.example>' },
      body: [
        'Estou de férias até segunda-feira.',
        '',
        'Em sex., 14 de mar. de 2025 às 12:00, Suporte <support@acme.test> escreveu:',
        '> Sua fatura foi corrigida.',
        '> Atenciosamente, Suporte',
      ].join('\r\n'),
    });

    await sut.startService([mailbox]);
    const published = await sut.inboundMessage(mail.messageId!);

    expect(published.automated).toBe('auto-reply');
    expect(published.replyTo).toEqual([{ address: 'equipe@customer.example', displayName: 'Equipe Joao' }]);
    expect(published.content.text).toBe('Estou de férias até segunda-feira.');
    expect(published.content.quotedText).toContain('> Sua fatura foi corrigida.');
  });

  it('should quarantine a corrupt mail with its reason and still ingest the next one', async () => {
    const mailbox = await sut.newMailbox();
    const corrupt = await sut.append(mailbox.folder, 'this is not a mail: no header at all\r\n');
    const next = await sut.append(mailbox.folder);

    await sut.startService([mailbox]);
    await sut.inboundMessage(next.messageId!);

    // Both UIDs are in one window, handled side by side: the next one may be published before the corrupt one is
    // quarantined.
    const id = `${mailbox.id}/${mailbox.folder}/${await uidValidityOf(mailbox.folder)}/${corrupt.uid}`;
    const quarantined = await waitFor(
      () => sut.db.collection('email_quarantine').findOne({ _id: id as never }),
      { description: `the quarantined mail ${id}` },
    );
    expect(quarantined).toMatchObject({ state: 'quarantined', reason: expect.stringContaining('no sender') });
  });

  async function uidValidityOf(folder: string): Promise<string> {
    const client = await sut.imap();
    const status = await client.status(folder, { uidValidity: true });
    return String(status && status.uidValidity);
  }
});
