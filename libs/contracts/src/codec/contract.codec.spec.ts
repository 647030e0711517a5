import { createEnvelope } from '../envelope/envelope.factory';
import type { EnvelopeOf } from '../envelope/envelope.model';
import { InboundMessage } from '../payloads/inbound-message.dto';
import { buildAgentCommand } from '../testing/agent-command.builders';
import { buildEnvelope } from '../testing/envelope.builders';
import {
  buildAttachmentRef,
  buildDeliveryStatus,
  buildInboundMessage,
  buildOutboundMessage,
} from '../testing/message.builders';
import type { PayloadOf } from '../topics/topic-payload.registry';
import { Topics } from '../topics/topic.constants';
import { ContractViolationError, type ContractError, type ParseResult } from '../validation/contract.error';
import { ContractLimits } from '../validation/contract.limits';
import { encode, parse, parsePayload } from './contract.codec';

function errorsOf<V>(result: ParseResult<V>): ContractError[] {
  if (result.ok) throw new Error(`expected errors, got ${JSON.stringify(result.value).slice(0, 200)}`);
  return result.errors;
}

function valueOf<V>(result: ParseResult<V>): V {
  if (!result.ok) throw new Error(`expected a value, got ${JSON.stringify(result.errors)}`);
  return result.value;
}

function violationOf(action: () => unknown): ContractViolationError {
  try {
    action();
  } catch (error) {
    if (error instanceof ContractViolationError) return error;
    throw error;
  }
  throw new Error('expected a ContractViolationError');
}

const pathsOf = (errors: readonly ContractError[]): string[] =>
  [...new Set(errors.map((error) => error.path))].sort();

function json(value: unknown): string {
  return JSON.stringify(value);
}

describe(parse.name, () => {
  const deepArray = '['.repeat(100_000) + ']'.repeat(100_000);
  const deepObject = `{"data":${'{"a":'.repeat(5_000)}1${'}'.repeat(5_000)}}`;

  it.each<[string, Uint8Array | string, string]>([
    ['an empty buffer', Buffer.alloc(0), 'isJson'],
    ['an empty string', '', 'isJson'],
    ['invalid UTF-8', Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), 'isUtf8'],
    ['a truncated document', '{"specversion":"1.0",', 'isJson'],
    ['a JSON array', '[1,2,3]', 'isObject'],
    ['JSON null', 'null', 'isObject'],
    ['a JSON string', '"hello"', 'isObject'],
    ['a JSON number', '42', 'isObject'],
    ['deeply nested arrays', deepArray, 'isObject'],
    ['deeply nested objects', deepObject, 'isValidatable'],
    ['an oversized message', `"${'x'.repeat(ContractLimits.envelopeBytes)}"`, 'maxBytes'],
  ])('should return an error instead of throwing when given %s', (_label, bytes, constraint) => {
    const errors = errorsOf(parse(Topics.inboundMessage, bytes));

    expect(errors).toEqual([expect.objectContaining({ path: '', constraint })]);
  });

  it('should report every missing attribute when given an empty object', () => {
    const errors = errorsOf(parse(Topics.deliveryStatus, '{}'));

    expect(pathsOf(errors)).toEqual(
      ['data', 'datacontenttype', 'id', 'source', 'specversion', 'tenantId', 'time', 'type'].sort(),
    );
    expect(errors.every((error) => error.constraint === 'isDefined')).toBe(true);
  });

  it('should reject a topic when it is not in the contract', () => {
    const bytes = encode(Topics.deliveryStatus, buildEnvelope(Topics.deliveryStatus));

    const errors = errorsOf(parse('ponte.unknown.v1' as typeof Topics.deliveryStatus, bytes));

    expect(errors).toEqual([expect.objectContaining({ constraint: 'isTopicName' })]);
  });

  it('should return typed payload instances when the message is valid', () => {
    const envelope = buildEnvelope(Topics.inboundMessage);

    const value = valueOf(parse(Topics.inboundMessage, encode(Topics.inboundMessage, envelope)));

    expect(value).toEqual(envelope);
    expect(value.data).toBeInstanceOf(InboundMessage);
    expect(typeof value.data.receivedAt).toBe('string');
  });

  it('should drop unknown fields at every level when reading', () => {
    const envelope = buildEnvelope(Topics.inboundMessage);
    const withExtras = {
      ...envelope,
      extension: 'x',
      data: { ...envelope.data, debug: { a: 1 }, from: { ...envelope.data.from, avatarUrl: 'https://x' } },
    };

    const value = valueOf(parse(Topics.inboundMessage, json(withExtras)));

    expect(value).not.toHaveProperty('extension');
    expect(value.data).not.toHaveProperty('debug');
    expect(value.data.from).not.toHaveProperty('avatarUrl');
    expect(value).toEqual(envelope);
  });

  // Guards class-transformer's own __proto__/constructor skip, which this lib relies on.
  it('should not let a __proto__ key change any prototype when the message carries one', () => {
    const envelope = buildEnvelope(Topics.inboundMessage);
    const hostile = json(envelope).replace('"data":{', '"data":{"__proto__":{"polluted":true},');

    const value = valueOf(parse(Topics.inboundMessage, hostile));

    expect(value.data).toBeInstanceOf(InboundMessage);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    expect((value.data as unknown as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  it('should accept a 64 KiB text when the limit is 256 KiB', () => {
    const text = 'ã'.repeat(32 * 1024);
    const envelope = buildEnvelope(Topics.inboundMessage, {
      data: buildInboundMessage({ content: { text } }),
    });

    expect(valueOf(parse(Topics.inboundMessage, json(envelope))).data.content.text).toBe(text);
  });

  it('should reject a text when it is longer than the limit', () => {
    const text = 'a'.repeat(ContractLimits.textLength + 1);
    const envelope = buildEnvelope(Topics.inboundMessage, {
      data: buildInboundMessage({ content: { text } }),
    });

    expect(errorsOf(parse(Topics.inboundMessage, json(envelope)))).toEqual([
      expect.objectContaining({ path: 'data.content.text', constraint: 'maxLength' }),
    ]);
  });

  it('should reject too many attachments when a message carries more than the limit', () => {
    const attachments = Array.from({ length: ContractLimits.attachments + 1 }, () => buildAttachmentRef());
    const envelope = buildEnvelope(Topics.inboundMessage, { data: buildInboundMessage({ attachments }) });

    expect(pathsOf(errorsOf(parse(Topics.inboundMessage, json(envelope))))).toEqual(['data.attachments']);
  });

  it('should require a provider error when a delivery failed', () => {
    const envelope = buildEnvelope(Topics.deliveryStatus, { data: buildDeliveryStatus({ state: 'failed' }) });

    expect(errorsOf(parse(Topics.deliveryStatus, json(envelope)))).toEqual([
      { path: 'data.error', constraint: 'isDefined', message: 'error is required' },
    ]);
  });

  it('should reject an outbound message when its channel is not the topic channel', () => {
    const data = buildOutboundMessage({ channel: 'whatsapp' });
    const envelope = createEnvelope(Topics.outbound.sms, data, { source: '/ponte/router', tenantId: 't' });

    expect(errorsOf(parse(Topics.outbound.sms, json(envelope)))).toEqual([
      expect.objectContaining({ path: 'data.channel', constraint: 'matchesTopic' }),
    ]);
  });

  it('should reject a template when its name or language is not what Meta accepts', () => {
    const data = buildOutboundMessage({
      channel: 'whatsapp',
      template: { name: 'Order Update!', languageCode: 'portuguese' },
    });
    const envelope = createEnvelope(Topics.outbound.whatsapp, data, {
      source: '/ponte/router',
      tenantId: 't',
    });

    expect(pathsOf(errorsOf(parse(Topics.outbound.whatsapp, json(envelope))))).toEqual([
      'data.template.languageCode',
      'data.template.name',
    ]);
  });

  it('should carry a revision, a machine-written flag and a reply-to when an adapter sets them', () => {
    const data = buildInboundMessage({
      externalId: 'edit-1',
      automated: 'auto-reply',
      replyTo: [{ address: 'financeiro@example.com' }],
      revision: { kind: 'edited', of: 'message-1' },
      content: { text: 'new text', quotedText: '> old text' },
    });

    expect(
      valueOf(parse(Topics.inboundMessage, json(buildEnvelope(Topics.inboundMessage, { data })))).data,
    ).toMatchObject({
      automated: 'auto-reply',
      replyTo: [{ address: 'financeiro@example.com' }],
      revision: { kind: 'edited', of: 'message-1' },
      content: { quotedText: '> old text' },
    });
  });

  it('should reject a revision when its kind is unknown or it names no message', () => {
    const data = { ...buildInboundMessage(), revision: { kind: 'recalled', of: '' } };
    const envelope = buildEnvelope(Topics.inboundMessage, { data: data as never });

    expect(pathsOf(errorsOf(parse(Topics.inboundMessage, json(envelope))))).toEqual([
      'data.revision.kind',
      'data.revision.of',
    ]);
  });

  it('should validate a command against its own kind when the kind is known', () => {
    const command = {
      ...buildAgentCommand('escalate'),
      intake: { category: 'x', summary: '', triedSteps: 'no' },
    };
    const envelope = buildEnvelope(Topics.agentCommand, {
      data: command as unknown as PayloadOf<typeof Topics.agentCommand>,
    });

    expect(pathsOf(errorsOf(parse(Topics.agentCommand, json(envelope))))).toEqual([
      'data.intake.summary',
      'data.intake.triedSteps',
    ]);
  });

  it('should tolerate a type that does not match the topic when reading', () => {
    const envelope = { ...buildEnvelope(Topics.deliveryStatus), type: 'com.example.other' };

    expect(parse(Topics.deliveryStatus, json(envelope)).ok).toBe(true);
  });
});

describe(encode.name, () => {
  it('should produce UTF-8 JSON that parses back to the same envelope when valid', () => {
    const envelope = buildEnvelope(Topics.conversationEvent);

    const bytes = encode(Topics.conversationEvent, envelope);

    expect(Buffer.isBuffer(bytes)).toBe(true);
    expect(JSON.parse(bytes.toString('utf8'))).toEqual(envelope);
  });

  it('should reject unknown fields when producing', () => {
    const envelope = buildEnvelope(Topics.inboundMessage);
    const withExtras = { ...envelope, extension: 1, data: { ...envelope.data, debug: true } };

    const sut = violationOf(() => encode(Topics.inboundMessage, withExtras));

    expect(sut.code).toBe('CONTRACT_VIOLATION');
    expect(sut.topic).toBe(Topics.inboundMessage);
    expect(sut.errors).toEqual([
      expect.objectContaining({ path: 'extension', constraint: 'whitelistValidation' }),
      expect.objectContaining({ path: 'data.debug', constraint: 'whitelistValidation' }),
    ]);
  });

  it('should reject an invalid payload when producing', () => {
    const envelope = buildEnvelope(Topics.inboundMessage, {
      data: buildInboundMessage({ receivedAt: 'yesterday' }),
    });

    const sut = violationOf(() => encode(Topics.inboundMessage, envelope));

    expect(sut.errors.map((error) => error.path)).toEqual(['data.receivedAt', 'data.receivedAt']);
    expect(sut.message).toContain('data.receivedAt');
  });

  it('should reject a type that does not match the payload kind when producing', () => {
    const envelope = { ...buildEnvelope(Topics.agentCommand), type: 'ponte.agent.command.v1' };

    expect(violationOf(() => encode(Topics.agentCommand, envelope)).errors).toEqual([
      expect.objectContaining({ path: 'type', constraint: 'matchesTopic' }),
    ]);
  });

  it('should reject a value when it cannot be serialized', () => {
    const envelope = buildEnvelope(Topics.deliveryStatus);
    const circular = { ...envelope, data: { ...envelope.data } } as EnvelopeOf<typeof Topics.deliveryStatus>;
    (circular.data as unknown as Record<string, unknown>)['self'] = circular;

    expect(violationOf(() => encode(Topics.deliveryStatus, circular)).errors).toEqual([
      expect.objectContaining({ path: '', constraint: 'isJson' }),
    ]);
  });

  it('should reject an envelope when none is given', () => {
    const missing = undefined as unknown as EnvelopeOf<typeof Topics.deliveryStatus>;

    expect(violationOf(() => encode(Topics.deliveryStatus, missing)).errors).toEqual([
      expect.objectContaining({ path: '', constraint: 'isObject' }),
    ]);
  });

  it('should type the payload after the topic when producing', () => {
    const status = buildDeliveryStatus();
    const inbound = buildInboundMessage();

    // @ts-expect-error a delivery status is not the payload of the inbound topic
    const mismatched: EnvelopeOf<typeof Topics.inboundMessage> = createEnvelope(
      Topics.deliveryStatus,
      status,
      {
        source: '/ponte/sms',
        tenantId: 't',
      },
    );
    // @ts-expect-error an inbound message is not the payload of the delivery status topic
    createEnvelope(Topics.deliveryStatus, inbound, { source: '/ponte/sms', tenantId: 't' });

    expect(() => encode(Topics.inboundMessage, mismatched)).toThrow(ContractViolationError);
  });
});

describe(parsePayload.name, () => {
  it('should validate a bare payload with paths relative to it when given a command', () => {
    const command = { ...buildAgentCommand('reply'), content: { text: 7 }, uiState: { draft: true } };

    const errors = errorsOf(parsePayload(Topics.agentCommand, command));

    expect(pathsOf(errors)).toEqual(['content.text']);
    expect(errors).toContainEqual(expect.objectContaining({ constraint: 'isString' }));
  });

  it('should return the payload without unknown fields when it is valid', () => {
    const command = buildAgentCommand('set-presence');

    const value = valueOf(parsePayload(Topics.agentCommand, { ...command, uiState: 1 }));

    expect(value).toEqual(command);
    expect(value.kind === 'set-presence' && value.presence).toBe('online');
  });

  it.each([null, [], 'reply', 3])('should reject %p when it is not an object', (data) => {
    expect(errorsOf(parsePayload(Topics.agentCommand, data))).toEqual([
      expect.objectContaining({ path: '', constraint: 'isObject' }),
    ]);
  });
});
