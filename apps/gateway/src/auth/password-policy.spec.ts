import { normalizePassword, PASSWORD_MAX_LENGTH, passwordProblems } from './password-policy';

const policy = { minLength: 12 };

describe(passwordProblems.name, () => {
  it.each(['correct horse battery staple', 'Tr0ub4dor&3-x!q', 'vela azul na ponte 7', 'çãõ-ñü-漢字-emoji🙂'])(
    'should accept %j',
    (password) => {
      expect(passwordProblems(password, {}, policy)).toEqual([]);
    },
  );

  it('should refuse a password shorter than the minimum, counting characters rather than bytes', () => {
    expect(passwordProblems('short-1', {}, policy)).toEqual(['it must be at least 12 characters long']);
    expect(passwordProblems('🙂'.repeat(11) + 'a', {}, { minLength: 13 })).toContain(
      'it must be at least 13 characters long',
    );
  });

  it('should refuse a password longer than the maximum', () => {
    expect(passwordProblems('abcdefghij'.repeat(26), {}, policy)).toEqual([
      `it must be at most ${PASSWORD_MAX_LENGTH} characters long`,
    ]);
  });

  it.each([
    'password1234',
    'Password123!',
    'P@ssw0rd2024',
    '!!qwerty!!2024',
    'administrator1',
    'senha12345678',
  ])('should refuse the common password %j', (password) => {
    expect(passwordProblems(password, {}, policy)).toContain('it is one of the most common passwords');
  });

  it.each(['123456789012', 'abcdefghijklmn', 'qwertyuiopasdf', '1qaz2wsx3edc4rfv'])(
    'should refuse the sequence %j',
    (password) => {
      expect(passwordProblems(password, {}, policy)).toContain('it is a keyboard or alphabet sequence');
    },
  );

  it('should refuse repetitive and blank passwords', () => {
    expect(passwordProblems('aaaaaaaaaaaaaa', {}, policy)).toContain(
      'it must use at least 5 different characters',
    );
    expect(passwordProblems('abababababab', {}, policy)).toContain(
      'it must use at least 5 different characters',
    );
    expect(passwordProblems('              ', {}, policy)).toContain('it must not be only spaces');
  });

  it("should refuse a password built from the account's e-mail or name", () => {
    const context = { email: 'beatriz.lima@ponte.example', displayName: 'Beatriz Lima' };

    expect(passwordProblems('beatriz.lima!2025', context, policy)).toContain(
      "it must not contain the account's e-mail or name",
    );
    expect(passwordProblems('xx-LIMA-rocks-99', context, policy)).toContain(
      "it must not contain the account's e-mail or name",
    );
  });

  it('should never repeat the password in a message', () => {
    const password = 'password1234';

    expect(passwordProblems(password, {}, policy).join(' ')).not.toContain(password);
  });
});

describe(normalizePassword.name, () => {
  it('should make the composed and decomposed forms of one password equal', () => {
    expect(normalizePassword('cafe\u0301 com leite')).toBe(normalizePassword('caf\u00e9 com leite'));
  });
});
