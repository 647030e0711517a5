export interface SplitText {
  /** What the sender wrote in this mail. */
  text: string;
  /** The history quoted below it, when it could be told apart. */
  quoted?: string;
}

/** Lines that introduce a quoted earlier mail, in the languages of Ponte's customers. */
const ATTRIBUTION = [
  /^on .{1,300}wrote:\s*$/i, // Gmail, Apple Mail, Thunderbird (en)
  /^em .{1,300}escreveu:\s*$/i, // pt
  /^el .{1,300}escribió:\s*$/i, // es
  /^le .{1,300}a écrit\s*:\s*$/i, // fr
  /^am .{1,300}schrieb .{0,100}:\s*$/i, // de
  /^-{2,}\s*(original message|mensagem original|mensaje original|message d'origine)\s*-{2,}\s*$/i, // Outlook
  /^_{10,}\s*$/, // Outlook's rule above "From:"
];

/** Outlook's header block: "From:/De:" then "Sent:/Enviado:" on the following lines. */
const OUTLOOK_FROM = /^\*?(from|de):\*?\s/i;
const OUTLOOK_SENT = /^\*?(sent|enviado|enviada|date|data|fecha):\*?\s/i;

/**
 * Separates the new text from the quoted history at the end of a plain-text mail. Only a trailing block is
 * removed: an attribution line ("Em … escreveu:") or Outlook header followed by the rest, or trailing `>` lines.
 * Inline answers between quoted lines are kept whole, since cutting them would lose what the customer wrote.
 */
export function splitQuotedHistory(text: string): SplitText {
  const lines = text.split(/\r?\n/);
  const cut = attributionIndex(lines) ?? trailingQuoteIndex(lines);
  if (cut === undefined) return { text };
  const fresh = lines.slice(0, cut).join('\n').trimEnd();
  if (fresh.trim() === '') return { text };
  return { text: fresh, quoted: lines.slice(cut).join('\n').trim() };
}

function attributionIndex(lines: readonly string[]): number | undefined {
  for (let index = 0; index < lines.length; index++) {
    const line = (lines[index] ?? '').trim();
    // Gmail wraps a long attribution over two lines.
    const joined = `${line} ${(lines[index + 1] ?? '').trim()}`;
    if (ATTRIBUTION.some((pattern) => pattern.test(line))) return index;
    if (/^(on|em|el) /i.test(line) && ATTRIBUTION.some((pattern) => pattern.test(joined))) return index;
    if (
      OUTLOOK_FROM.test(line) &&
      lines.slice(index + 1, index + 4).some((next) => OUTLOOK_SENT.test(next.trim()))
    ) {
      return index;
    }
  }
  return undefined;
}

function trailingQuoteIndex(lines: readonly string[]): number | undefined {
  let end = lines.length;
  while (end > 0 && (lines[end - 1] ?? '').trim() === '') end -= 1;
  let start = end;
  while (start > 0 && /^\s*>/.test(lines[start - 1] ?? '')) start -= 1;
  return start < end ? start : undefined;
}
