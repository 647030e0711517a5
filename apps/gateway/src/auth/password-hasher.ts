import { Algorithm, hash, type Options, parseOptions, verify } from '@node-rs/argon2';
import { normalizePassword } from './password-policy';

/** Port for password hashing, so the domain logic is tested without argon2's deliberate slowness. */
export abstract class PasswordHasher {
  abstract hash(password: string): Promise<string>;
  /** False for a wrong password and for a hash that cannot be read; never throws for either. */
  abstract verify(hash: string, password: string): Promise<boolean>;
  /** True when the hash was made with other parameters than the current ones: rehash it at the next login. */
  abstract needsRehash(hash: string): boolean;
}

export interface Argon2Options {
  memoryCostKib: number;
  timeCost: number;
}

/**
 * Argon2id (RFC 9106) through @node-rs/argon2, whose native code comes as prebuilt per-platform packages (nothing is
 * compiled at install). One lane: the gateway serves many logins at once, so memory and passes buy the hardness.
 */
export class Argon2PasswordHasher extends PasswordHasher {
  private readonly options: Options;

  constructor({ memoryCostKib, timeCost }: Argon2Options) {
    super();
    this.options = { algorithm: Algorithm.Argon2id, memoryCost: memoryCostKib, timeCost, parallelism: 1 };
  }

  hash(password: string): Promise<string> {
    return hash(normalizePassword(password), this.options);
  }

  async verify(hashed: string, password: string): Promise<boolean> {
    try {
      return await verify(hashed, normalizePassword(password));
    } catch {
      return false;
    }
  }

  needsRehash(hashed: string): boolean {
    try {
      const used = parseOptions(hashed);
      return (
        used.algorithm !== this.options.algorithm ||
        used.memoryCost !== this.options.memoryCost ||
        used.timeCost !== this.options.timeCost ||
        used.parallelism !== this.options.parallelism
      );
    } catch {
      return true;
    }
  }
}
