/** Longer passwords are refused, so a login cannot make the hash work on megabytes. */
export const PASSWORD_MAX_LENGTH = 256;

export interface PasswordPolicy {
  minLength: number;
}

/** What the password must not be built from: the account's own e-mail and name. */
export interface PasswordContext {
  email?: string;
  displayName?: string;
}

/**
 * Base words of the most common leaked passwords. A password that is one of them, maybe with digits or symbols around
 * it (`Password123!`), is refused whatever its length.
 */
const COMMON_BASES = new Set([
  'password',
  'passw0rd',
  'p@ssw0rd',
  'p@ssword',
  'senha',
  'qwerty',
  'qwertyuiop',
  'asdfgh',
  'asdfghjkl',
  'zxcvbnm',
  'letmein',
  'welcome',
  'bemvindo',
  'admin',
  'administrator',
  'administrador',
  'root',
  'changeme',
  'mudar',
  'mudarsenha',
  'iloveyou',
  'monkey',
  'dragon',
  'football',
  'futebol',
  'baseball',
  'master',
  'sunshine',
  'princess',
  'shadow',
  'superman',
  'trustno',
  'secret',
  'segredo',
  'ponte',
  'support',
  'suporte',
  'atendimento',
  'default',
]);

/** Keyboard and alphabet runs: a password that is a slice of one of them is refused. */
const RUNS = [
  '01234567890123456789',
  '98765432109876543210',
  'abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyz',
  'zyxwvutsrqponmlkjihgfedcbazyxwvutsrqponmlkjihgfedcba',
  'qwertyuiopasdfghjklzxcvbnmqwertyuiopasdfghjklzxcvbnm',
  '1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik9ol0p',
];

const MIN_DISTINCT_CHARACTERS = 5;

/** Passwords are compared and hashed in this form, so the same password typed on two keyboards is one password. */
export function normalizePassword(password: string): string {
  return password.normalize('NFKC');
}

/**
 * Why a new password is refused, as sentences for the caller (empty when it is acceptable). Follows NIST SP 800-63B:
 * a minimum length, no composition rules, and a refusal of passwords that are common, repetitive or built from the
 * account's own e-mail or name. The password itself never appears in a message.
 */
export function passwordProblems(
  password: string,
  context: PasswordContext,
  policy: PasswordPolicy,
): string[] {
  const normalized = normalizePassword(password);
  const characters = [...normalized];
  const problems: string[] = [];
  if (characters.length < policy.minLength) {
    problems.push(`it must be at least ${policy.minLength} characters long`);
  }
  if (characters.length > PASSWORD_MAX_LENGTH) {
    problems.push(`it must be at most ${PASSWORD_MAX_LENGTH} characters long`);
  }
  if (normalized.trim().length === 0 && characters.length > 0) problems.push('it must not be only spaces');
  else if (new Set(characters).size < MIN_DISTINCT_CHARACTERS) {
    problems.push(`it must use at least ${MIN_DISTINCT_CHARACTERS} different characters`);
  }
  const folded = normalized.toLowerCase();
  if (isCommon(folded)) problems.push('it is one of the most common passwords');
  if (RUNS.some((run) => folded.length >= 4 && run.includes(folded))) {
    problems.push('it is a keyboard or alphabet sequence');
  }
  if (containsOwnWords(folded, context)) problems.push("it must not contain the account's e-mail or name");
  return problems;
}

function isCommon(folded: string): boolean {
  const base = folded.replace(/^[\d\W_]+|[\d\W_]+$/gu, '');
  return COMMON_BASES.has(folded) || COMMON_BASES.has(base);
}

function containsOwnWords(folded: string, context: PasswordContext): boolean {
  const words: string[] = [];
  if (context.email) {
    const email = context.email.toLowerCase();
    words.push(email, email.split('@')[0] ?? '');
  }
  if (context.displayName) {
    const name = context.displayName.toLowerCase();
    words.push(name.replace(/\s+/g, ''), ...name.split(/\s+/));
  }
  return words.some((word) => word.length >= 4 && folded.includes(word));
}
