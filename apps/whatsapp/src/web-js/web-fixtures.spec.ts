import { readdirSync } from 'node:fs';
import * as wwebjs from 'whatsapp-web.js';
import { WEB_FIXTURES, WEB_FIXTURES_DIRECTORY, webFixtureJson } from '../testing/web-js.fixtures';

/**
 * The fixtures are whatsapp-web.js `Message` objects serialized: each one's fields must be exactly what the library
 * (1.34.7) derives from the message model it carries in `_data`, so the tests meet the library's real shapes.
 */
// The library exports its Message class at runtime; its typings declare Message as an interface only.
const { Message } = wwebjs as unknown as { Message: new (client: unknown, data: unknown) => object };

describe('whatsapp-web.js message fixtures', () => {
  it.each(WEB_FIXTURES)('should be what whatsapp-web.js makes of the model of %s', (name) => {
    const fixture = webFixtureJson(name);

    const sut = JSON.parse(JSON.stringify(new Message({}, fixture._data))) as unknown;

    expect(sut).toEqual(fixture);
  });

  it('should cover every fixture file', () => {
    const files = readdirSync(WEB_FIXTURES_DIRECTORY);

    expect(files.map((file) => file.replace(/\.json$/, '')).sort()).toEqual([...WEB_FIXTURES].sort());
  });
});
