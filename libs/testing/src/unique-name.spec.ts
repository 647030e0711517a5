import { uniqueName } from './unique-name';

describe(uniqueName.name, () => {
  it('should start with the prefix and differ on every call', () => {
    const names = new Set(Array.from({ length: 100 }, () => uniqueName('inbound')));

    expect(names.size).toBe(100);
    for (const name of names) expect(name).toMatch(/^inbound-[a-z0-9]+-[0-9a-f]{8}$/);
  });
});
