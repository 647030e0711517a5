import { randomBytes } from 'node:crypto';
import { HtmlSanitizer } from '../html/html.sanitizer';
import { buildMimeMail } from '../testing/mail.builders';
import { EmailParser, UnprocessableEmailError } from './email.parser';

/** Bodies are written in the charset the Content-Type declares: UTF-8, or Latin-1 bytes for the 8-bit charsets. */
function mail(headers: string[], body: string, contentType = 'text/plain; charset=utf-8'): Buffer {
  const encoding = /charset=utf-8/i.test(contentType) ? 'utf8' : 'latin1';
  return Buffer.from(
    [...headers, 'MIME-Version: 1.0', `Content-Type: ${contentType}`, '', body, ''].join('\r\n'),
    encoding,
  );
}

describe(EmailParser.name, () => {
  const sut = new EmailParser(
    new HtmlSanitizer({
      maxBytes: 1_000_000,
      maxElements: 5_000,
      timeBudgetMs: 250,
      allowRemoteImages: false,
    }),
  );
  const from = 'From: =?ISO-8859-1?Q?Jo=E3o_Ara=FAjo?= <joao@customer.example>';

  it('should decode an RFC 2047 ISO-8859-1 subject and a quoted-printable ISO-8859-1 body', async () => {
    const raw = mail(
      [
        from,
        'To: suporte@acme.test',
        'Subject: =?ISO-8859-1?Q?Cobran=E7a_indevida_n=E3o_reconhe=E7o?=',
        'Message-ID: <a@b>',
        'Content-Transfer-Encoding: quoted-printable',
      ],
      'Ol=E1, a cobran=E7a de mar=E7o est=E1 errada. Obrigado, Jo=E3o',
      'text/plain; charset=ISO-8859-1',
    );

    const parsed = await sut.parse(raw);

    expect(parsed.subject).toBe('Cobrança indevida não reconheço');
    expect(parsed.text).toBe('Olá, a cobrança de março está errada. Obrigado, João');
    expect(parsed.from).toEqual({ address: 'joao@customer.example', displayName: 'João Araújo' });
  });

  it('should decode a Windows-1252 body with curly quotes and the euro sign', async () => {
    const body = Buffer.concat([Buffer.from('O valor \x93correto\x94 é 10 \x80', 'latin1')]).toString(
      'latin1',
    );
    const raw = mail(
      [from, 'To: s@acme.test', 'Subject: valor', 'Message-ID: <w@b>'],
      body,
      'text/plain; charset=windows-1252',
    );

    const parsed = await sut.parse(raw);

    expect(parsed.text).toBe('O valor “correto” é 10 €');
  });

  it('should read a multipart Windows-1252 mail with HTML, an inline image and an attachment as clients write it', async () => {
    const longLine = `Segue a fatura de março – ${'“detalhada” '.repeat(12)}com o total de 1.234,56 €.`;
    const pdf = Buffer.concat([Buffer.from('%PDF-1.4\n'), randomBytes(20_000)]);
    const png = randomBytes(600);
    const { raw, messageId } = buildMimeMail({
      charset: 'windows-1252',
      from: 'José Müller <jose@customer.example>',
      subject: 'Cobrança “indevida” de 10 € – março, já é a segunda vez que acontece',
      text: `Olá,\n${longLine}\nObrigado — José`,
      html: `<p style="color: #333">O valor <b>“correto”</b> é 10 €.</p><img src="cid:logo@acme">`,
      attachments: [
        { fileName: 'logo.png', contentType: 'image/png', bytes: png, contentId: 'logo@acme' },
        { fileName: 'fatura.pdf', contentType: 'application/pdf', bytes: pdf },
      ],
    });

    const parsed = await sut.parse(raw);

    expect(parsed.messageId).toBe(messageId);
    expect(parsed.subject).toBe('Cobrança “indevida” de 10 € – março, já é a segunda vez que acontece');
    expect(parsed.from).toEqual({ address: 'jose@customer.example', displayName: 'José Müller' });
    expect(parsed.text).toBe(`Olá,\n${longLine}\nObrigado — José`);
    expect(parsed.html).toContain('<b>“correto”</b> é 10 €');
    expect(parsed.attachments.map((attachment) => [attachment.fileName, attachment.bytes])).toEqual([
      ['logo.png', png],
      ['fatura.pdf', pdf],
    ]);
  });

  it('should normalize threading ids when headers differ in case, brackets and folding', async () => {
    const raw = mail(
      [
        from,
        'To: s@acme.test',
        'Subject: Re: x',
        'Message-ID: <ABC.123@Mail.Example>',
        'In-Reply-To:   <Root@Example.COM>  ',
        'References: <root@example.com>\r\n <Second@Example.com>',
      ],
      'ok',
    );

    const parsed = await sut.parse(raw);

    expect(parsed.messageId).toBe('abc.123@mail.example');
    expect(parsed.inReplyTo).toBe('root@example.com');
    expect(parsed.references).toEqual(['root@example.com', 'second@example.com']);
  });

  it('should give a mail without Message-ID the same synthetic id each time and a different one for another mail', async () => {
    const first = mail(
      [from, 'To: s@acme.test', 'Subject: sem id', 'Date: Fri, 14 Mar 2025 12:00:00 -0300'],
      'texto',
    );
    const other = mail(
      [from, 'To: s@acme.test', 'Subject: sem id', 'Date: Fri, 14 Mar 2025 12:00:00 -0300'],
      'outro texto',
    );

    const [a, b, c] = await Promise.all([sut.parse(first), sut.parse(Buffer.from(first)), sut.parse(other)]);

    expect(a.syntheticMessageId).toBe(true);
    expect(a.messageId).toBe(b.messageId);
    expect(a.messageId).not.toBe(c.messageId);
  });

  it.each([
    ['Auto-Submitted: auto-replied', 'auto-reply'],
    ['X-Autoreply: yes', 'auto-reply'],
    ['Precedence: auto_reply', 'auto-reply'],
    ['Auto-Submitted: auto-generated', 'auto-generated'],
  ])('should flag the mail when it has %s', async (header, kind) => {
    const parsed = await sut.parse(
      mail([from, 'To: s@acme.test', 'Subject: Ausente', 'Message-ID: <o@b>', header], 'Estou de férias'),
    );

    expect(parsed.automated).toBe(kind);
  });

  it('should flag a bounce from MAILER-DAEMON and a delivery status notification', async () => {
    const daemon = await sut.parse(
      mail(
        [
          'From: Mail Delivery System <MAILER-DAEMON@mx.example>',
          'To: s@acme.test',
          'Subject: Undelivered Mail',
          'Message-ID: <d@b>',
        ],
        'failed',
      ),
    );
    const dsn = await sut.parse(
      mail(
        ['From: postmaster@mx.example', 'To: s@acme.test', 'Subject: x', 'Message-ID: <e@b>'],
        '--b\r\nContent-Type: text/plain\r\n\r\nfailed\r\n--b--',
        'multipart/report; report-type=delivery-status; boundary="b"',
      ),
    );

    expect(daemon.automated).toBe('bounce');
    expect(dsn.automated).toBe('bounce');
  });

  it('should not flag a mail a person wrote', async () => {
    const parsed = await sut.parse(mail([from, 'To: s@acme.test', 'Subject: Oi', 'Message-ID: <p@b>'], 'oi'));

    expect(parsed.automated).toBeUndefined();
  });

  it('should separate the quoted history from the new text', async () => {
    const parsed = await sut.parse(
      mail(
        [from, 'To: s@acme.test', 'Subject: Re: fatura', 'Message-ID: <q@b>'],
        'Ainda não chegou.\r\n\r\nEm sex., 14 de mar. de 2025 às 12:00, Suporte <s@acme.test> escreveu:\r\n> Enviamos a fatura.\r\n',
      ),
    );

    expect(parsed.text).toBe('Ainda não chegou.');
    expect(parsed.quotedText).toContain('> Enviamos a fatura.');
  });

  it('should strip paths and control characters from attachment names', async () => {
    const parsed = await sut.parse(
      mail(
        [from, 'To: s@acme.test', 'Subject: anexo', 'Message-ID: <r@b>'],
        [
          '--b',
          'Content-Type: text/plain',
          '',
          'segue',
          '--b',
          'Content-Type: application/pdf',
          'Content-Disposition: attachment; filename="../../etc/\u202Efdp.exe"',
          'Content-Transfer-Encoding: base64',
          '',
          Buffer.from('%PDF-1.4').toString('base64'),
          '--b--',
        ].join('\r\n'),
        'multipart/mixed; boundary="b"',
      ),
    );

    expect(parsed.attachments).toHaveLength(1);
    expect(parsed.attachments[0]).toMatchObject({ fileName: 'fdp.exe', contentType: 'application/pdf' });
    expect(parsed.attachments[0]!.bytes.toString()).toBe('%PDF-1.4');
  });

  it('should refuse a mail without sender address as unprocessable', async () => {
    await expect(sut.parse(Buffer.from('no headers at all\r\n'))).rejects.toBeInstanceOf(
      UnprocessableEmailError,
    );
  });
});
