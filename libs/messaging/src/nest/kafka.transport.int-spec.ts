import { Controller, type INestApplication, UseFilters, ValidationPipe } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { IsNotEmpty, IsString } from 'class-validator';
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
  uniqueName,
} from '../testing/messaging-test.harness';
import { waitFor } from '@ponte/testing';
import { KafkaErrorFilter } from './kafka-error.filter';
import { KafkaMessageContext } from './kafka-message.context';
import { KafkaTransport } from './kafka.transport';
import { MessagingModule } from './messaging.module';

class TestEnvelopeDto {
  @IsString()
  id!: string;

  @IsString()
  @IsNotEmpty()
  tenantId!: string;

  data!: { text: string };
}

const received: { id: string; offset: string }[] = [];

@Controller()
@UseFilters(KafkaErrorFilter)
class InboundController {
  @EventPattern(TEST_TOPIC)
  async onInbound(@Payload() envelope: TestEnvelopeDto, @Ctx() context: KafkaMessageContext): Promise<void> {
    await Promise.resolve();
    if (envelope.data.text === 'explode') throw new Error('handler exploded');
    received.push({ id: envelope.id, offset: context.getMessage().offset });
  }
}

const brokers = testBrokers();

describe(KafkaTransport.name, () => {
  let options: MessagingOptions;
  let bus: MessageBus;
  let app: INestApplication;

  beforeEach(async () => {
    received.length = 0;
    options = testMessagingOptions(brokers);
    const moduleRef = await Test.createTestingModule({
      imports: [MessagingModule.forRootAsync({ useFactory: () => options })],
      controllers: [InboundController],
    }).compile();
    app = moduleRef.createNestApplication(new FastifyAdapter(), { logger: false });
    app.useGlobalPipes(new ValidationPipe());
    app.connectMicroservice(
      { strategy: new KafkaTransport({ messaging: options, groupId: uniqueName('group') }) },
      { inheritAppConfig: true },
    );
    await app.startAllMicroservices();
    await app.init();
    bus = app.get(MessageBus);
  });

  afterEach(async () => {
    await app.close();
  });

  it('should hand each envelope and its context to the @EventPattern handler', async () => {
    const envelope = buildEnvelope();

    await bus.publish(TEST_TOPIC, envelope, { key: 'nest' });

    await waitFor(() => received.length === 1, { description: 'the handler call' });
    expect(received[0]).toEqual({ id: envelope.id, offset: '0' });
  });

  it('should dead-letter a message when the handler throws or the pipe rejects it, and go on with the next', async () => {
    const throwing = buildEnvelope({ data: { text: 'explode' } } as never);
    const invalid = buildEnvelope({ tenantId: '' });
    const good = buildEnvelope();

    await bus.publishBatch(
      [throwing, invalid, good].map((envelope) => ({ topic: TEST_TOPIC, envelope, key: 'nest' })),
    );

    await waitFor(() => received.length === 1, { description: 'the good message' });
    const dead = await new RawKafka(options).read(`${TEST_TOPIC}.dlq`, 2);
    expect(received[0]?.id).toBe(good.id);
    expect(dead.map((record) => headerText(record, MessageHeader.envelopeId))).toEqual([
      throwing.id,
      invalid.id,
    ]);
    expect(headerText(dead[0], MessageHeader.error)).toBe('Error: handler exploded');
    expect(headerText(dead[1], MessageHeader.error)).toContain('tenantId should not be empty');
    expect(dead.map((record) => headerText(record, MessageHeader.errorCode))).toEqual([
      'HANDLER_FAILED',
      'HANDLER_FAILED',
    ]);
  });
});
