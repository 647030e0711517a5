import { validateSync } from 'class-validator';
import { IsMaxRedirects, IsOriginList, RequiredTogether, splitList } from './channel-config';

const SETTINGS = ['API_KEY', 'API_SECRET'] as const;

class ExampleConfig {
  @RequiredTogether(SETTINGS)
  API_KEY?: string;

  @RequiredTogether(SETTINGS)
  API_SECRET?: string;

  @IsOriginList()
  ORIGINS: string = 'https://a.example.com,https://b.example.com';

  @IsMaxRedirects()
  REDIRECTS: number = 3;
}

function errorsOf(values: Partial<ExampleConfig>): Record<string, string[]> {
  const config = Object.assign(new ExampleConfig(), values);
  return Object.fromEntries(
    validateSync(config).map((error) => [error.property, Object.values(error.constraints ?? {})]),
  );
}

describe('channel config fields', () => {
  it('should accept none or all of settings that go together', () => {
    expect(errorsOf({})).toEqual({});
    expect(errorsOf({ API_KEY: 'key', API_SECRET: 'secret' })).toEqual({});
  });

  it('should name the missing ones when only some are set', () => {
    expect(errorsOf({ API_KEY: 'key' })).toEqual({
      API_SECRET: ['API_SECRET is required once any of API_KEY, API_SECRET is set'],
    });
  });

  it('should apply every constraint a field decorator stands for', () => {
    expect(Object.keys(errorsOf({ ORIGINS: 'https://a.example.com/path', REDIRECTS: 11 }))).toEqual([
      'ORIGINS',
      'REDIRECTS',
    ]);
    expect(errorsOf({ REDIRECTS: 1.5 })['REDIRECTS']).toEqual(['REDIRECTS must be an integer number']);
    expect(errorsOf({ REDIRECTS: -1 })['REDIRECTS']).toEqual(['REDIRECTS must not be less than 0']);
  });

  it('should split comma-separated lists, dropping blanks', () => {
    expect(splitList(' a, b,,c ,')).toEqual(['a', 'b', 'c']);
  });
});
