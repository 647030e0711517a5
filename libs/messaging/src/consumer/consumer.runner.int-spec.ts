import { RejectedMessageError } from './rejected-message.error';
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import type { MessagingOptions } from '../config/messaging.options';
import { MessageHeader } from '../headers/message-headers.mapper';
import { MessageBus } from '../producer/message-bus.service';
import {
  buildEnvelope,
  headerText,
  RawKafka,
  TEST_TOPIC,
  testBrokers,
  testMessagingOptions,
  type TestTopic,
  uniqueName,
} from '../testing/messaging-test.harness';
import { waitFor } from '@ponte/testing';
import type { ConsumedMessage } from './consumed-message';
import { type ConsumerHandlers, ConsumerRunner } from './consumer.runner';

const DLQ_TOPIC = `${TEST_TOPIC}.dlq`;

const brokers = testBrokers();

describe(ConsumerRunner.name, () => {
  // Fresh topics per test (a unique prefix), so no test sees another's records.
  let options: MessagingOptions;
  let bus: MessageBus;
  let raw: RawKafka;
  const runners: ConsumerRunner<TestTopic>[] = [];

  beforeEach(() => {
    options = testMessagingOptions(brokers);
    bus = new MessageBus(options);
    raw = new RawKafka(options);
  });

  async function startRunner(
    handlers: ConsumerHandlers<TestTopic>,
    groupId = uniqueName('group'),
  ): Promise<ConsumerRunner<TestTopic>> {
    const sut = new ConsumerRunner<TestTopic>(options, { groupId, topics: [TEST_TOPIC], ...handlers });
    runners.push(sut);
    await sut.start();
    return sut;
  }

  function publish(envelope = buildEnvelope(), key = 'customer-1', headers?: Record<string, string>) {
    return bus.publish(TEST_TOPIC, envelope, { key, headers }).then(() => envelope);
  }

  afterEach(async () => {
    await Promise.all(runners.splice(0).map((runner) => runner.stop()));
    await bus.disconnect();
  });

  it('should deliver a typed envelope with its key and headers when it is published through the bus', async () => {
    const received: ConsumedMessage<TestTopic>[] = [];
    await startRunner({ handleMessage: async (message) => void received.push(message) });
    const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    const envelope = await publish(buildEnvelope({ traceparent }), 'sms:+5511999990000', { 'x-test': 'yes' });

    await waitFor(() => received.length === 1, { description: 'the round trip' });

    const [message] = received;
    expect(message).toMatchObject({ topic: TEST_TOPIC, key: 'sms:+5511999990000', envelope });
    expect(message?.headers).toMatchObject({
      [MessageHeader.envelopeId]: envelope.id,
      [MessageHeader.tenantId]: 'tenant-test',
      [MessageHeader.traceparent]: traceparent,
      'x-test': 'yes',
    });
  });

  it('should process a message exactly once when its handler fails once', async () => {
    const attempts = new Map<string, number>();
    const effects: string[] = [];
    await startRunner({
      handleMessage: async ({ envelope }) => {
        const attempt = (attempts.get(envelope.id) ?? 0) + 1;
        attempts.set(envelope.id, attempt);
        if (attempt === 1) throw new Error('transient failure');
        effects.push(envelope.id);
      },
    });
    const flaky = await publish();
    const next = await publish();

    await waitFor(() => effects.includes(next.id), { description: 'the message after the flaky one' });

    expect(effects).toEqual([flaky.id, next.id]);
    expect(attempts.get(flaky.id)).toBe(2);
    expect(await raw.recordCount(DLQ_TOPIC)).toBe(0);
  });

  it('should dead-letter a message whose handler always fails while the rest of its partition goes on', async () => {
    const attempts = new Map<string, number>();
    const effects: string[] = [];
    const poison = buildEnvelope();
    await startRunner({
      handleMessage: async ({ envelope }) => {
        attempts.set(envelope.id, (attempts.get(envelope.id) ?? 0) + 1);
        if (envelope.id === poison.id) throw new Error('handler exploded');
        effects.push(envelope.id);
      },
    });
    await publish(poison, 'same-key');
    const after = [await publish(undefined, 'same-key'), await publish(undefined, 'same-key')];

    await waitFor(() => effects.length === 2, { description: 'the messages behind the poison one' });
    const [dead] = await raw.read(DLQ_TOPIC, 1);

    expect(effects).toEqual(after.map(({ id }) => id));
    expect(attempts.get(poison.id)).toBe(3);
    expect(dead?.key?.toString()).toBe('same-key');
    expect(JSON.parse(dead?.value?.toString() ?? '')).toEqual(poison);
    expect(headerText(dead, MessageHeader.envelopeId)).toBe(poison.id);
    expect(headerText(dead, MessageHeader.error)).toBe('Error: handler exploded');
    expect(headerText(dead, MessageHeader.errorCode)).toBe('HANDLER_FAILED');
    expect(headerText(dead, MessageHeader.attempts)).toBe('3');
    expect(headerText(dead, MessageHeader.originalTopic)).toBe(TEST_TOPIC);
    expect(headerText(dead, MessageHeader.originalOffset)).toMatch(/^\d+$/);
    expect(headerText(dead, MessageHeader.originalPartition)).toMatch(/^\d+$/);
    expect(Date.parse(headerText(dead, MessageHeader.failedAt) ?? '')).not.toBeNaN();
  });

  it('should dead-letter a rejected message at once, with its reason, without retrying it', async () => {
    const attempts = new Map<string, number>();
    const rejected = buildEnvelope();
    const next = buildEnvelope();
    await startRunner({
      handleMessage: async ({ envelope }) => {
        attempts.set(envelope.id, (attempts.get(envelope.id) ?? 0) + 1);
        if (envelope.id === rejected.id)
          throw new RejectedMessageError('UNKNOWN_CONVERSATION', 'no conversation c-1');
      },
    });
    await publish(rejected, 'same-key');
    await publish(next, 'same-key');

    await waitFor(() => attempts.get(next.id) === 1, { description: 'the message after the rejected one' });
    const [dead] = await raw.read(DLQ_TOPIC, 1);

    expect(attempts.get(rejected.id)).toBe(1);
    expect(headerText(dead, MessageHeader.envelopeId)).toBe(rejected.id);
    expect(headerText(dead, MessageHeader.errorCode)).toBe('REJECTED');
    expect(headerText(dead, MessageHeader.error)).toContain('UNKNOWN_CONVERSATION: no conversation c-1');
  });

  it('should dead-letter an unparseable message without calling the handler', async () => {
    const handled: string[] = [];
    await startRunner({ handleMessage: async ({ envelope }) => void handled.push(envelope.id) });
    await raw.produce(TEST_TOPIC, [{ key: 'broken', value: 'not json at all' }]);
    const valid = await publish(undefined, 'broken');

    await waitFor(() => handled.length === 1, { description: 'the valid message behind the broken one' });
    const [dead] = await raw.read(DLQ_TOPIC, 1);

    expect(handled).toEqual([valid.id]);
    expect(dead?.value?.toString()).toBe('not json at all');
    expect(headerText(dead, MessageHeader.errorCode)).toBe('CONTRACT_VIOLATION');
    expect(headerText(dead, MessageHeader.attempts)).toBe('0');
    expect(JSON.parse(headerText(dead, MessageHeader.contractErrors) ?? '[]')).toEqual([
      expect.objectContaining({ code: 'invalid_envelope' }),
    ]);
  });

  it('should isolate the failing message when a batch handler throws', async () => {
    const stored: string[] = [];
    const poison = buildEnvelope();
    await startRunner({
      handleBatch: async (messages) => {
        if (messages.some(({ envelope }) => envelope.id === poison.id))
          throw new Error('bulk write rejected');
        stored.push(...messages.map(({ envelope }) => envelope.id));
      },
    });
    const envelopes = Array.from({ length: 9 }, () => buildEnvelope());
    envelopes.splice(4, 0, poison);
    await bus.publishBatch(envelopes.map((envelope) => ({ topic: TEST_TOPIC, envelope, key: 'bulk' })));

    await waitFor(() => stored.length === 9, { description: 'the nine good messages' });
    const [dead] = await raw.read(DLQ_TOPIC, 1);

    expect(stored).toEqual(envelopes.filter(({ id }) => id !== poison.id).map(({ id }) => id));
    expect(headerText(dead, MessageHeader.envelopeId)).toBe(poison.id);
    expect(headerText(dead, MessageHeader.error)).toBe('Error: bulk write rejected');
  });

  it('should keep its partitions through a batch that outlasts the session timeout, handling each message once', async () => {
    const handled = new Map<string, number>();
    let slow = true;
    await startRunner({
      handleBatch: async (messages) => {
        if (slow) {
          slow = false;
          // Longer than the group's 6 s session timeout: only heartbeats during the batch keep the member alive.
          await new Promise((resolve) => setTimeout(resolve, 8_000));
        }
        for (const { envelope } of messages) handled.set(envelope.id, (handled.get(envelope.id) ?? 0) + 1);
      },
    });
    const first = await publish(undefined, 'slow');
    await waitFor(() => handled.has(first.id), { description: 'the slow batch', timeoutMs: 30_000 });
    const next = await publish(undefined, 'slow');

    await waitFor(() => handled.has(next.id), {
      description: 'the message after the slow batch',
      timeoutMs: 30_000,
    });

    expect([...handled.values()]).toEqual([1, 1]);
  });

  it('should replay a message whose consumer died before committing, and an idempotent handler ends with one effect', async () => {
    const groupId = uniqueName('group');
    const envelope = buildEnvelope();
    const effects = new Map<string, number>();
    const recordEffect = (id: string) => effects.set(id, (effects.get(id) ?? 0) + 1);
    const child = spawnCrashingConsumer(groupId, options.topicPrefix ?? '');
    try {
      const effected = waitForLine(child, `EFFECT ${envelope.id}`);
      await publish(envelope);
      await effected;
      recordEffect(envelope.id);
    } finally {
      child.kill('SIGKILL');
    }

    let deliveries = 0;
    await startRunner(
      {
        handleMessage: async ({ envelope: { id } }) => {
          deliveries++;
          if (!effects.has(id)) recordEffect(id);
        },
      },
      groupId,
    );

    await waitFor(() => deliveries === 1, { description: 'the replay after the crash' });
    expect(effects.get(envelope.id)).toBe(1);
  });

  it('should lose no message when a consumer is stopped with messages in flight and another takes over', async () => {
    const groupId = uniqueName('group');
    const envelopes = Array.from({ length: 300 }, (_, index) => ({
      envelope: buildEnvelope(),
      key: `k${index % 7}`,
    }));
    const seen = new Set<string>();
    let inFlight = 0;
    const handleMessage = async ({ envelope }: ConsumedMessage<TestTopic>) => {
      inFlight++;
      // Simulated work, so the stop lands while a handler runs.
      await new Promise((resolve) => setTimeout(resolve, 5));
      seen.add(envelope.id);
      inFlight--;
    };
    const first = await startRunner({ handleMessage }, groupId);
    await bus.publishBatch(envelopes.map(({ envelope, key }) => ({ topic: TEST_TOPIC, envelope, key })));

    await waitFor(() => seen.size >= 20, { description: 'the first consumer to be busy' });
    await first.stop();
    expect(inFlight).toBe(0);
    expect(seen.size).toBeLessThan(envelopes.length);

    await startRunner({ handleMessage }, groupId);
    await waitFor(() => seen.size === envelopes.length, { description: 'every message', timeoutMs: 30_000 });
    expect(envelopes.every(({ envelope }) => seen.has(envelope.id))).toBe(true);
  });
});

function spawnCrashingConsumer(groupId: string, topicPrefix: string): ChildProcess {
  const fixture = path.join(__dirname, '../testing/crash-consumer.fixture.ts');
  return spawn(
    process.execPath,
    ['-r', '@swc-node/register', fixture, brokers.join(','), topicPrefix, groupId],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
}

function waitForLine(child: ChildProcess, line: string, timeoutMs = 20_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`crash consumer never printed "${line}"`)), timeoutMs);
    child.once('exit', () => clearTimeout(timer));
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (!output.split('\n').includes(line)) return;
      clearTimeout(timer);
      resolve();
    });
    child.once('exit', (code) => reject(new Error(`crash consumer exited (${code}) before "${line}"`)));
  });
}
