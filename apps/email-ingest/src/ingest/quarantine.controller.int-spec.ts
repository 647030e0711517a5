import { waitFor } from '@ponte/testing';
import { randomUUID } from 'node:crypto';
import { EmailIngestHarness, type TestMailbox } from '../testing/email-ingest.harness';
import {
  QuarantineController,
  type QuarantinedMailView,
  type QuarantineListView,
} from './quarantine.controller';

const TOKEN = 'ops-token-7f3c9a1e5b2d4c6f';
const AUTHORIZED = { authorization: `Bearer ${TOKEN}` };
const SMALL_LIMIT = { EMAIL_MESSAGE_MAX_BYTES: '4096', EMAIL_OPS_TOKEN: TOKEN };

describe(QuarantineController.name, () => {
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

  /** A mail of about 12 KB whose last line is `marker`: cut at 4 KiB, the marker is lost. */
  function largeMail(marker: string): { subject: string; body: string } {
    const lines = Array.from({ length: 300 }, (_, n) => `Linha ${n}: detalhes do pedido e da fatura.`);
    return { subject: `Fatura detalhada ${randomUUID()}`, body: [...lines, marker].join('\r\n') };
  }

  async function list(query = ''): Promise<QuarantineListView> {
    const response = await sut.http('GET', `/quarantine${query}`, AUTHORIZED);
    expect(response.status).toBe(200);
    return response.body as QuarantineListView;
  }

  function listed(mailbox: TestMailbox, uid: number): Promise<QuarantinedMailView> {
    return waitFor(
      async () => (await list(`?mailbox=${mailbox.id}`)).items.find((item) => item.uid === uid),
      { description: `UID ${uid} of ${mailbox.id} in the quarantine list` },
    );
  }

  function reprocess(id: string, headers: Record<string, string> = AUTHORIZED) {
    return sut.http('POST', `/quarantine/${encodeURIComponent(id)}/reprocess`, headers);
  }

  function copies(messageId: string | null): number {
    return sut.inboundOf(messageId as string).length;
  }

  it('should publish a mail quarantined for its size once, whole, when it is reprocessed after the limit was raised', async () => {
    const mailbox = await sut.newMailbox('Quarantine');
    const marker = `FIM-${randomUUID()}`;
    const mail = largeMail(marker);
    const large = await sut.append(mailbox.folder, mail);
    await sut.startService([mailbox], { env: SMALL_LIMIT });
    await sut.drain(mailbox.folder);

    const quarantined = await listed(mailbox, large.uid);
    expect(quarantined).toMatchObject({
      mailboxKey: `${mailbox.id}/${mailbox.folder}`,
      state: 'quarantined',
      reason: expect.stringMatching(/^larger than 4096 bytes \(\d+\)$/),
      truncated: true,
      size: 4096,
      quarantinedAt: expect.any(String),
    });
    expect(quarantined).not.toHaveProperty('rawBlobId');
    expect(copies(large.messageId)).toBe(0);

    await sut.stopService();
    await sut.startService([mailbox], { env: { EMAIL_OPS_TOKEN: TOKEN } });
    const response = await reprocess(quarantined.id);

    expect(response).toMatchObject({
      status: 200,
      body: { id: quarantined.id, outcome: 'published', state: 'reprocessed', messageId: large.messageId },
    });
    const published = await sut.inboundMessage(large.messageId!);
    expect(published.content.subject).toBe(mail.subject);
    expect(published.content.text).toContain(marker);
    expect(await listed(mailbox, large.uid)).toMatchObject({
      state: 'reprocessed',
      reprocessedAt: expect.any(String),
      messageId: large.messageId,
    });

    const again = await reprocess(quarantined.id);
    await sut.drain(mailbox.folder);

    expect(again).toMatchObject({
      status: 200,
      body: { outcome: 'already-reprocessed', state: 'reprocessed', messageId: large.messageId },
    });
    expect(copies(large.messageId)).toBe(1);
  });

  it('should keep a mail quarantined with the new error when reprocessing cannot fix it', async () => {
    const mailbox = await sut.newMailbox('Quarantine');
    const corrupt = await sut.append(mailbox.folder, 'this is not a mail: no header at all\r\n');
    await sut.startService([mailbox], { env: { EMAIL_OPS_TOKEN: TOKEN } });
    const quarantined = await listed(mailbox, corrupt.uid);

    const response = await reprocess(quarantined.id);

    expect(response).toMatchObject({
      status: 200,
      body: { outcome: 'quarantined', state: 'quarantined', reason: expect.stringContaining('no sender') },
    });
    expect(await listed(mailbox, corrupt.uid)).toMatchObject({
      state: 'quarantined',
      reason: quarantined.reason,
      lastError: expect.stringContaining('no sender'),
      lastAttemptAt: expect.any(String),
    });
  });

  it('should answer 404 with its code when the id is unknown', async () => {
    await sut.startService([], { env: { EMAIL_OPS_TOKEN: TOKEN } });

    const response = await reprocess('unknown/INBOX/1/1');

    expect(response).toMatchObject({
      status: 404,
      body: {
        statusCode: 404,
        code: 'QUARANTINE_NOT_FOUND',
        message: 'no quarantined mail unknown/INBOX/1/1',
      },
    });
  });

  it('should refuse requests without the token (401) or with a wrong one (403) and change nothing', async () => {
    const mailbox = await sut.newMailbox('Quarantine');
    const large = await sut.append(mailbox.folder, largeMail('fim'));
    await sut.startService([mailbox], { env: SMALL_LIMIT });
    const quarantined = await listed(mailbox, large.uid);
    await sut.stopService();
    // A reprocess that got through would now publish the mail.
    await sut.startService([mailbox], { env: { EMAIL_OPS_TOKEN: TOKEN } });

    const attempts = [
      await sut.http('GET', '/quarantine'),
      await reprocess(quarantined.id, {}),
      await reprocess(quarantined.id, {
        authorization: `Basic ${Buffer.from(`ops:${TOKEN}`).toString('base64')}`,
      }),
      await sut.http('GET', '/quarantine', { authorization: `Bearer ${TOKEN}x` }),
      await reprocess(quarantined.id, { authorization: `Bearer ${TOKEN.slice(0, -1)}` }),
      await reprocess(quarantined.id, { authorization: 'Bearer ' }),
    ];
    await sut.drain(mailbox.folder);

    expect(attempts.map(({ status }) => status)).toEqual([401, 401, 401, 403, 403, 401]);
    expect(attempts[0]!.headers.get('www-authenticate')).toBe('Bearer realm="email-ingest"');
    expect(JSON.stringify(attempts.map(({ body }) => body))).not.toContain(quarantined.id);
    expect(copies(large.messageId)).toBe(0);
    const after = await listed(mailbox, large.uid);
    expect(after).toEqual(quarantined);
  });

  it('should answer 503 naming EMAIL_OPS_TOKEN when no token is configured', async () => {
    await sut.startService([]);

    const responses = [
      await sut.http('GET', '/quarantine', AUTHORIZED),
      await reprocess('unknown/INBOX/1/1'),
    ];

    for (const response of responses) {
      expect(response).toMatchObject({
        status: 503,
        body: { message: expect.stringContaining('EMAIL_OPS_TOKEN') },
      });
    }
  });

  it('should page the list by limit and cursor and refuse a bad query', async () => {
    const mailbox = await sut.newMailbox('Quarantine');
    const corrupt = [];
    for (let n = 0; n < 3; n++) corrupt.push(await sut.append(mailbox.folder, `not a mail ${n}\r\n`));
    await sut.startService([mailbox], { env: { EMAIL_OPS_TOKEN: TOKEN } });
    // The three are handled side by side (one window of UIDs): the last one listed does not mean the others are.
    for (const mail of corrupt) await listed(mailbox, mail.uid);

    const first = await list(`?mailbox=${mailbox.id}&limit=2`);
    const second = await list(`?mailbox=${mailbox.id}&limit=2&after=${encodeURIComponent(first.next!)}`);

    expect(first.items).toHaveLength(2);
    expect(second.items).toHaveLength(1);
    expect(second.next).toBeUndefined();
    expect([...first.items, ...second.items].map(({ uid }) => uid).sort()).toEqual(
      corrupt.map(({ uid }) => uid),
    );
    expect((await list(`?mailbox=${mailbox.id}&state=reprocessed`)).items).toEqual([]);
    for (const query of [
      '?limit=0',
      '?limit=201',
      '?limit=ten',
      '?state=deleted',
      '?mailbox=Not%20An%20Id',
    ]) {
      expect((await sut.http('GET', `/quarantine${query}`, AUTHORIZED)).status).toBe(400);
    }
  });
});
