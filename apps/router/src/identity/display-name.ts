/**
 * A display name reduced for comparison: accents and case removed, spaces collapsed, so "Ána  Souza " and
 * "ANA SOUZA" match. Undefined when nothing is left.
 */
export function foldDisplayName(displayName: string | null | undefined): string | undefined {
  if (!displayName) return undefined;
  const folded = displayName
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .trim();
  return folded.length > 0 ? folded : undefined;
}

const WORD = /\p{L}/u;

/**
 * Whether a folded name is specific enough to hint at the same person: at least two words with letters. "Ana",
 * "Suporte" or a bare number would pair too many strangers, and even a full name stays weak evidence — it only
 * ever produces a suggestion for an agent.
 */
export function isDistinctiveName(foldedName: string): boolean {
  return foldedName.split(' ').filter((word) => WORD.test(word)).length >= 2;
}
