import sanitizeHtml from 'sanitize-html';

export interface HtmlSanitizerOptions {
  /** Input size (after collapsing whitespace runs) above which the HTML is not sanitized but dropped. */
  maxBytes: number;
  /** Tag count above which the same happens: thousands of links or deep nesting. */
  maxElements: number;
  /** A sanitization that took longer is reported as over budget (and its result still used). */
  timeBudgetMs: number;
  allowRemoteImages: boolean;
}

export type SanitizedHtml =
  | { kind: 'html'; html: string; elapsedMs: number; overBudget: boolean }
  | { kind: 'fallback-to-text'; reason: 'too-large' | 'too-many-elements' | 'sanitizer-failed' };

const ALLOWED_TAGS = [
  'a',
  'abbr',
  'address',
  'b',
  'bdi',
  'bdo',
  'blockquote',
  'br',
  'caption',
  'center',
  'cite',
  'code',
  'col',
  'colgroup',
  'dd',
  'del',
  'dfn',
  'div',
  'dl',
  'dt',
  'em',
  'font',
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
  'hr',
  'i',
  'img',
  'ins',
  'kbd',
  'li',
  'mark',
  'ol',
  'p',
  'pre',
  'q',
  's',
  'small',
  'span',
  'strike',
  'strong',
  'sub',
  'sup',
  'table',
  'tbody',
  'td',
  'tfoot',
  'th',
  'thead',
  'tr',
  'u',
  'ul',
];

/** Tags dropped with everything inside them (not only the tag): scripts, styles, embedded documents, SVG, forms. */
const DROPPED_WITH_CONTENT = [
  'script',
  'style',
  'title',
  'head',
  'noscript',
  'template',
  'iframe',
  'frame',
  'frameset',
  'object',
  'embed',
  'applet',
  'svg',
  'math',
  'form',
  'textarea',
  'select',
  'option',
  'button',
  'input',
  'audio',
  'video',
  'canvas',
  'xml',
  'meta',
  'link',
  'base',
];

const TABLE_CELL = ['align', 'valign', 'width', 'height', 'colspan', 'rowspan', 'bgcolor'];

/** CSS values without url(), expression() or escapes: colours, lengths, keywords. */
const SAFE_CSS_VALUE = [/^[#(),.%\w\s-]{1,64}$/];

const ALLOWED_STYLES = Object.fromEntries(
  [
    'color',
    'background-color',
    'text-align',
    'text-decoration',
    'font-weight',
    'font-style',
    'font-size',
    'font-family',
    'line-height',
    'margin',
    'margin-left',
    'margin-right',
    'margin-top',
    'margin-bottom',
    'padding',
    'padding-left',
    'padding-right',
    'padding-top',
    'padding-bottom',
    'border',
    'border-collapse',
    'width',
    'vertical-align',
    'white-space',
  ].map((property) => [property, SAFE_CSS_VALUE]),
);

/**
 * Sanitizes inbound HTML with sanitize-html and an allowlist: no scripts, event handlers, `javascript:`/`data:`
 * URLs, `<base>`, forms, SVG or embedded documents; links open in a new tab without referrer; remote images are
 * removed unless allowed (they are trackers), `cid:` inline images are kept.
 *
 * sanitize-html is synchronous and cannot be interrupted, so the budget is enforced before it runs: whitespace runs
 * are collapsed, then input over the size or tag-count limit is not sanitized at all and the caller falls back to
 * the text body. Within the limits its (linear) parse is bounded; the elapsed time is measured and reported.
 */
export class HtmlSanitizer {
  private readonly options: sanitizeHtml.IOptions;

  constructor(private readonly budget: HtmlSanitizerOptions) {
    this.options = {
      allowedTags: ALLOWED_TAGS,
      allowedAttributes: {
        '*': ['dir', 'lang', 'title', 'style'],
        a: ['href', 'name', 'target', 'rel'],
        img: ['src', 'alt', 'width', 'height'],
        font: ['color', 'face', 'size'],
        table: ['width', 'border', 'cellpadding', 'cellspacing', 'align', 'bgcolor'],
        td: TABLE_CELL,
        th: TABLE_CELL,
        tr: ['align', 'valign', 'bgcolor'],
        col: ['span', 'width'],
        colgroup: ['span', 'width'],
        ol: ['start', 'type'],
        blockquote: ['cite'],
      },
      allowedStyles: { '*': ALLOWED_STYLES },
      allowedSchemes: ['http', 'https', 'mailto', 'tel'],
      allowedSchemesByTag: { img: budget.allowRemoteImages ? ['cid', 'https'] : ['cid'] },
      allowedSchemesAppliedToAttributes: ['href', 'src', 'cite'],
      allowProtocolRelative: false,
      disallowedTagsMode: 'discard',
      nonTextTags: DROPPED_WITH_CONTENT,
      enforceHtmlBoundary: false,
      parseStyleAttributes: true,
      transformTags: {
        a: (tagName, attribs) => ({
          tagName,
          attribs: { ...attribs, target: '_blank', rel: 'noopener noreferrer nofollow' },
        }),
      },
      // An image whose source was removed (remote, data:, javascript:) is dropped rather than left empty.
      exclusiveFilter: (frame) => frame.tag === 'img' && !frame.attribs['src'],
    };
  }

  sanitize(html: string): SanitizedHtml {
    const collapsed = collapseWhitespace(html);
    if (Buffer.byteLength(collapsed, 'utf8') > this.budget.maxBytes) {
      return { kind: 'fallback-to-text', reason: 'too-large' };
    }
    if (countTags(collapsed, this.budget.maxElements) > this.budget.maxElements) {
      return { kind: 'fallback-to-text', reason: 'too-many-elements' };
    }
    const started = performance.now();
    let sanitized: string;
    try {
      sanitized = sanitizeHtml(collapsed, this.options);
    } catch {
      return { kind: 'fallback-to-text', reason: 'sanitizer-failed' };
    }
    const elapsedMs = performance.now() - started;
    return { kind: 'html', html: sanitized, elapsedMs, overBudget: elapsedMs > this.budget.timeBudgetMs };
  }
}

const MAX_WHITESPACE_RUN = 16;

/**
 * Runs of more than 16 whitespace characters become one newline: megabytes of padding shrink to nothing. A plain
 * scan, not a regular expression: V8's regex engine can exhaust its stack on a run of megabytes (`/\s{17,}/g` threw
 * RangeError on 5 MiB of spaces in CI), and a sanitizer bomb must never make the worker throw.
 */
export function collapseWhitespace(html: string): string {
  const parts: string[] = [];
  let copiedUpTo = 0;
  let runStart = -1;
  for (let index = 0; index <= html.length; index++) {
    const whitespace = index < html.length && isWhitespace(html.charCodeAt(index));
    if (whitespace) {
      if (runStart < 0) runStart = index;
      continue;
    }
    if (runStart >= 0 && index - runStart > MAX_WHITESPACE_RUN) {
      parts.push(html.slice(copiedUpTo, runStart), '\n');
      copiedUpTo = index;
    }
    runStart = -1;
  }
  if (copiedUpTo === 0) return html;
  parts.push(html.slice(copiedUpTo));
  return parts.join('');
}

/** What `\s` matches in JavaScript regular expressions. */
function isWhitespace(code: number): boolean {
  return (
    (code >= 0x09 && code <= 0x0d) ||
    code === 0x20 ||
    code === 0xa0 ||
    code === 0x1680 ||
    (code >= 0x2000 && code <= 0x200a) ||
    code === 0x2028 ||
    code === 0x2029 ||
    code === 0x202f ||
    code === 0x205f ||
    code === 0x3000 ||
    code === 0xfeff
  );
}

/** Counts `<` followed by a tag name, stopping early once over `limit`. */
function countTags(html: string, limit: number): number {
  let count = 0;
  const tag = /<[a-zA-Z!/]/g;
  while (tag.exec(html) !== null) {
    count += 1;
    if (count > limit) break;
  }
  return count;
}

/**
 * A plain-text rendering of HTML in one linear pass, for mails without a text part whose HTML is over budget:
 * never the HTML parser, which is what the budget protects against.
 */
export function htmlToPlainText(html: string, maxLength: number): string {
  const text = html
    .slice(0, maxLength * 4)
    .replace(/<(script|style|head|title|svg)\b[^>]*>[\s\S]*?<\/\1\s*>/gi, ' ')
    .replace(/<(br|\/p|\/div|\/tr|\/li|\/h[1-6]|\/blockquote|hr)\b[^>]*>/gi, '\n')
    .replace(/<[^>]*>/g, '')
    .replace(/&nbsp;/gi, ' ')
    .replace(/&lt;/gi, '<')
    .replace(/&gt;/gi, '>')
    .replace(/&quot;/gi, '"')
    .replace(/&#39;|&apos;/gi, "'")
    .replace(/&#(\d{1,6});/g, (_, code: string) => safeCodePoint(Number(code)))
    .replace(/&#x([0-9a-f]{1,6});/gi, (_, code: string) => safeCodePoint(parseInt(code, 16)))
    .replace(/&amp;/gi, '&')
    .replace(/[ \t\f\v\r]+/g, ' ')
    .replace(/ *\n[\s]*/g, '\n')
    .trim();
  return text.slice(0, maxLength);
}

function safeCodePoint(code: number): string {
  if (code === 0 || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return '\ufffd';
  return String.fromCodePoint(code);
}
