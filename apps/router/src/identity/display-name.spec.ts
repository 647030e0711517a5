import { foldDisplayName, isDistinctiveName } from './display-name';

describe(foldDisplayName.name, () => {
  it.each([
    ['  Ána   Souza ', 'ana souza'],
    ['ANA SOUZA', 'ana souza'],
    ['João Conceição', 'joao conceicao'],
  ])('should fold %p to %p', (raw, folded) => {
    expect(foldDisplayName(raw)).toBe(folded);
  });

  it.each([undefined, null, '', '   '])('should give undefined for %p', (raw) => {
    expect(foldDisplayName(raw)).toBeUndefined();
  });
});

describe(isDistinctiveName.name, () => {
  it('should accept a name of two words', () => {
    expect(isDistinctiveName('ana souza')).toBe(true);
  });

  it.each(['ana', 'ana 2', '+55 11 98765-4321'])('should refuse %p, which would pair strangers', (folded) => {
    expect(isDistinctiveName(folded)).toBe(false);
  });
});
