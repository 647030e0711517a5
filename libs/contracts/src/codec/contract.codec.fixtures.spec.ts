import { loadFixtures, type ContractFixture } from '../fixtures/fixture.loader';
import { AGENT_COMMAND_KINDS } from '../payloads/agent-command.dto';
import { CONVERSATION_EVENT_KINDS } from '../payloads/conversation-event.dto';
import { ALL_TOPICS, Topics, type TopicName } from '../topics/topic.constants';
import { ContractViolationError, type ParseResult } from '../validation/contract.error';
import { encode, parse } from './contract.codec';

type Json = Record<string, unknown>;

const fixtures = ALL_TOPICS.flatMap((topic) => loadFixtures(topic));
const validFixtures = fixtures.filter((fixture) => fixture.valid);
const invalidFixtures = fixtures.filter((fixture) => !fixture.valid);
const label = (fixture: ContractFixture): [string, ContractFixture] => [
  `${fixture.topic}/${fixture.name}`,
  fixture,
];

function rawJson(fixture: ContractFixture): Json {
  return JSON.parse(fixture.bytes.toString('utf8')) as Json;
}

function lookup(root: unknown, path: string): unknown {
  const keys = path === '' ? [] : path.split('.');
  return keys.reduce<unknown>((node, key) => (node as Json | undefined)?.[key], root);
}

function without(root: Json, paths: readonly string[]): Json {
  const copy = structuredClone(root);
  for (const path of paths) {
    const keys = path.split('.');
    const last = keys.pop() ?? '';
    delete (lookup(copy, keys.join('.')) as Json)[last];
  }
  return copy;
}

function parsedValue(fixture: ContractFixture): Json {
  const result: ParseResult<unknown> = parse(fixture.topic, fixture.bytes);
  if (!result.ok) throw new Error(`${fixture.name}: ${JSON.stringify(result.errors, null, 2)}`);
  return result.value as Json;
}

function valid(topic: TopicName, name: string): Json {
  const fixture = loadFixtures(topic).find((candidate) => candidate.name === name && candidate.valid);
  if (!fixture) throw new Error(`no valid fixture ${topic}/${name}`);
  return parsedValue(fixture);
}

describe(`${parse.name} with the golden fixtures`, () => {
  it.each(ALL_TOPICS)('should have valid and invalid fixtures when the topic is %s', (topic) => {
    const topicFixtures = loadFixtures(topic);

    expect(topicFixtures.some((fixture) => fixture.valid)).toBe(true);
    expect(topicFixtures.some((fixture) => !fixture.valid) || topic.startsWith('ponte.outbound.')).toBe(true);
  });

  it.each(validFixtures.map(label))(
    'should parse %s to the fixture minus unknown fields',
    (_name, fixture) => {
      const raw = rawJson(fixture);

      const value = parsedValue(fixture);

      expect(value).toEqual(without(raw, fixture.strippedPaths));
      for (const path of fixture.strippedPaths) {
        expect(lookup(raw, path)).toBeDefined();
        expect(lookup(value, path)).toBeUndefined();
      }
    },
  );

  it.each(validFixtures.map(label))('should round-trip %s through encode and parse', (_name, fixture) => {
    const value = parsedValue(fixture);

    const reparsed = parse(fixture.topic, encode(fixture.topic, value as never));

    expect(reparsed).toEqual({ ok: true, value });
  });

  it.each(validFixtures.map(label))(
    'should encode %s as is unless it carries unknown fields',
    (_name, fixture) => {
      const produce = (): Buffer => encode(fixture.topic, rawJson(fixture) as never);

      if (fixture.strippedPaths.length === 0) {
        expect(produce().equals(Buffer.from(JSON.stringify(rawJson(fixture))))).toBe(true);
        return;
      }
      expect(produce).toThrow(ContractViolationError);
      try {
        produce();
      } catch (error) {
        const paths = (error as ContractViolationError).errors.map((contractError) => contractError.path);
        expect(paths.sort()).toEqual([...fixture.strippedPaths].sort());
      }
    },
  );

  it.each(invalidFixtures.map(label))('should reject %s on exactly the expected fields', (_name, fixture) => {
    const result = parse(fixture.topic, fixture.bytes);

    if (result.ok) throw new Error(`${fixture.name} parsed but should not`);
    expect([...new Set(result.errors.map((error) => error.path))].sort()).toEqual(
      [...fixture.expectedErrorPaths].sort(),
    );
    for (const error of result.errors) {
      const field =
        error.path
          .split('.')
          .filter((key) => !/^\d+$/.test(key))
          .pop() ?? '';
      expect(error.message).toContain(field);
    }
  });

  it('should cover every agent command kind when the fixtures are valid', () => {
    const kinds = loadFixtures(Topics.agentCommand)
      .filter((fixture) => fixture.valid)
      .map((fixture) => lookup(parsedValue(fixture), 'data.kind'));

    expect(new Set(kinds)).toEqual(new Set(AGENT_COMMAND_KINDS));
  });

  it('should cover every conversation event kind when the fixtures are valid', () => {
    const kinds = loadFixtures(Topics.conversationEvent)
      .filter((fixture) => fixture.valid)
      .map((fixture) => lookup(parsedValue(fixture), 'data.kind'));

    expect(new Set(kinds)).toEqual(new Set(CONVERSATION_EVENT_KINDS));
  });

  it('should keep Portuguese accents intact when reading bytes', () => {
    expect(lookup(valid(Topics.inboundMessage, 'whatsapp-text'), 'data.content.text')).toBe(
      'Olá, não consigo acessar minha conta — é urgente!',
    );
  });

  it('should keep emoji with ZWJ sequences and skin tones intact when reading bytes', () => {
    const text = lookup(valid(Topics.inboundMessage, 'sms-emoji'), 'data.content.text');

    expect(text).toBe('Obrigado! 👍🏽 A família toda 👨‍👩‍👧‍👦 agradece 🙏🏿 — a dev 👩🏾‍💻 resolveu 🏳️‍🌈✨');
    expect(text).toContain('\u200d');
  });

  it('should keep right-to-left text intact when reading bytes', () => {
    const value = valid(Topics.inboundMessage, 'telegram-rtl');

    expect(lookup(value, 'data.content.text')).toBe(
      'مرحبا، لا أستطيع الدخول إلى حسابي\nשלום, אני צריך עזרה עם ההזמנה שלי 1234',
    );
    expect(lookup(value, 'data.from.displayName')).toBe('דוד כהן');
  });

  it('should accept a text of exactly 64 KiB when reading bytes', () => {
    const text = lookup(valid(Topics.inboundMessage, 'webchat-long-text'), 'data.content.text');

    expect(Buffer.byteLength(String(text), 'utf8')).toBe(64 * 1024);
  });
});
