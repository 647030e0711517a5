import { collapseWhitespace, HtmlSanitizer, htmlToPlainText } from './html.sanitizer';

describe(HtmlSanitizer.name, () => {
  const sut = new HtmlSanitizer({
    maxBytes: 2 * 1024 * 1024,
    maxElements: 10_000,
    timeBudgetMs: 250,
    allowRemoteImages: false,
  });

  function sanitized(html: string): string {
    const result = sut.sanitize(html);
    if (result.kind !== 'html') throw new Error(`fell back to text: ${result.reason}`);
    return result.html;
  }

  it('should make scripts, event handlers, javascript: links, base, forms and SVG payloads inert', () => {
    const html = sanitized(`
      <base href="https://evil.example/">
      <script>alert(1)</script>
      <p onclick="alert(2)">Olá <b>João</b></p>
      <img src="x" onerror="alert(3)">
      <a href="javascript:alert(4)">clique</a>
      <a href="JaVaScRiPt&colon;alert(5)">clique 2</a>
      <svg><script>alert(6)</script><circle onload="alert(7)"/></svg>
      <form action="https://evil.example"><input name="senha"></form>
      <iframe src="https://evil.example"></iframe>
      <a href="https://acme.test/fatura">fatura</a>`);

    expect(html).not.toMatch(
      /script|onerror|onclick|onload|javascript|alert|<base|<form|<input|<svg|<iframe|evil/i,
    );
    expect(html).toContain('<p>Olá <b>João</b></p>');
    expect(html).toContain(
      '<a href="https://acme.test/fatura" target="_blank" rel="noopener noreferrer nofollow">fatura</a>',
    );
  });

  it('should remove remote images and data: URLs but keep cid: inline images', () => {
    const html = sanitized(
      '<img src="https://tracker.example/p.gif"><img src="data:image/svg+xml;base64,PHN2Zz4="><img src="cid:logo@acme" alt="logo">',
    );

    expect(html).toBe('<img src="cid:logo@acme" alt="logo" />');
  });

  it('should drop CSS that loads URLs and keep harmless styles', () => {
    const html = sanitized('<p style="color: red; background-image: url(https://tracker.example/x)">a</p>');

    expect(html).toBe('<p style="color:red">a</p>');
  });

  it('should fall back to text when a mail has 20,000 links', () => {
    const bomb = '<p>' + '<a href="https://x.example/">x</a>'.repeat(20_000) + '</p>';

    expect(sut.sanitize(bomb)).toEqual({ kind: 'fallback-to-text', reason: 'too-many-elements' });
  });

  it('should fall back to text when the HTML is over the size budget even after collapsing whitespace', () => {
    const small = new HtmlSanitizer({
      maxBytes: 1_024,
      maxElements: 10_000,
      timeBudgetMs: 250,
      allowRemoteImages: false,
    });

    expect(small.sanitize('<p>' + 'a'.repeat(2_000) + '</p>')).toMatchObject({
      kind: 'fallback-to-text',
      reason: 'too-large',
    });
    expect(small.sanitize('<p>oi</p>' + ' '.repeat(5 * 1024 * 1024) + '<p>tchau</p>')).toMatchObject({
      kind: 'html',
    });
  });

  it('should sanitize deep nesting under the element limit without failing', () => {
    const deep = '<div>'.repeat(4_000) + 'fundo' + '</div>'.repeat(4_000);

    expect(sanitized(deep)).toContain('fundo');
  });
});

describe(htmlToPlainText.name, () => {
  it('should render text in one pass without scripts and with entities decoded', () => {
    expect(
      htmlToPlainText('<p>Ol&aacute; &amp; <b>tchau</b></p><script>x()</script><br>fim&#33;', 1_000),
    ).toBe('Ol&aacute; & tchau\nfim!');
  });
});

describe('collapseWhitespace', () => {
  it.each([
    ['a' + ' '.repeat(16) + 'b', 'a' + ' '.repeat(16) + 'b'],
    ['a' + ' '.repeat(17) + 'b', 'a\nb'],
    ['\t\n'.repeat(20) + 'x' + '\u00a0'.repeat(30), '\nx\n'],
    ['sem espaços', 'sem espaços'],
  ])('should collapse only runs over 16 whitespace characters: %j', (input, expected) => {
    expect(collapseWhitespace(input)).toBe(expected);
    expect(collapseWhitespace(input)).toBe(input.replace(/\s{17,}/g, '\n'));
  });

  it('should collapse 50 MiB of whitespace without throwing', () => {
    expect(collapseWhitespace('<p>' + ' \n'.repeat(25 * 1024 * 1024) + '</p>')).toBe('<p>\n</p>');
  });
});
